"""The C binding qdacore._core: argument checks, error mapping, ownership,
threads and the .pyi stub. Values of the kernels are checked through the
public API in test_counting.py and in C by tests/c."""
from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

import numpy as np
import pytest

from qdacore import _core

PARENT = np.array([-1, 0, 1, 1, -1, 4, 5])
LEVEL_INDPTR = np.array([0, 0, 1, 1, 1, 1, 2, 2])
INDPTR = np.array([0, 2, 4, 4, 5])
CODE = np.array([2, 6, 3, 3, 5])


def level_map():
    return _core.dimension_map(PARENT, LEVEL_INDPTR, np.arange(2), 2, "nearest")


def test_kernels_on_the_fixture_of_the_c_suite():
    indptr, target = level_map()
    assert indptr.tolist() == [0, 0, 1, 2, 3, 3, 4, 5]
    assert target.tolist() == [0, 0, 0, 1, 1]
    assert _core.count_codes(INDPTR, CODE, indptr, target, 2).tolist() == [[3, 2]]
    assert _core.hierarchy_depth(PARENT).dtype == np.int32


def test_outputs_own_their_memory():
    indptr, target = level_map()
    assert indptr.flags.owndata is False and indptr.base is not None  # capsule-owned
    del target
    assert indptr.tolist() == [0, 0, 1, 2, 3, 3, 4, 5]  # intact after its sibling is gone


def test_integer_inputs_of_any_width_are_accepted():
    indptr, target = level_map()
    counts = _core.count_codes(INDPTR.astype(np.int32), CODE.astype(np.uint8),
                               indptr, target, 2)
    assert counts.tolist() == [[3, 2]]
    assert _core.count_codes(list(INDPTR), tuple(CODE), indptr, target, 2).tolist() == [[3, 2]]


BAD_CALLS = [
    # (description, call, exception, words the message must contain)
    ("float parent", lambda: _core.hierarchy_depth(np.array([-1.0, 0.0])), TypeError, ["parent", "float64"]),
    ("string parent", lambda: _core.hierarchy_depth("abc"), TypeError, ["parent"]),
    # lists are read as numpy reads them: floats and bools are refused, not truncated
    ("float list parent", lambda: _core.hierarchy_depth([-1, 0.5]), TypeError, ["parent", "float64"]),
    ("bool list code", lambda: _core.count_codes(INDPTR, [True] * 5, *level_map(), 2), TypeError, ["code", "bool"]),
    ("ragged list parent", lambda: _core.hierarchy_depth([[-1], [0, 1]]), TypeError, ["parent", "integers"]),
    ("2-d parent", lambda: _core.hierarchy_depth(np.zeros((2, 2), dtype=np.int64)), ValueError, ["parent", "1-dimensional"]),
    ("parent out of range", lambda: _core.hierarchy_depth([-1, 7]), IndexError, ["parent[1] = 7"]),
    ("cycle", lambda: _core.hierarchy_depth([1, 0]), ValueError, ["parent", "own ancestor"]),
    ("direct_indptr length", lambda: _core.dimension_map(PARENT, [0, 1], [0], 1, "nearest"), ValueError, ["direct_indptr", "length 8"]),
    ("direct target too big", lambda: _core.dimension_map(PARENT, LEVEL_INDPTR, [0, 5], 2, "nearest"), IndexError, ["direct_target[1] = 5"]),
    ("negative n_targets", lambda: _core.dimension_map(PARENT, LEVEL_INDPTR, [0, 1], -1, "nearest"), ValueError, ["n_targets"]),
    ("bad inherit", lambda: _core.dimension_map(PARENT, LEVEL_INDPTR, [0, 1], 2, "some"), ValueError, ["inherit"]),
    ("code out of range", lambda: _core.count_codes(INDPTR, [2, 6, 3, 9, 5], *level_map(), 2), IndexError, ["code[3] = 9"]),
    ("negative code", lambda: _core.count_codes(INDPTR, [2, 6, 3, -1, 5], *level_map(), 2), IndexError, ["code[3] = -1"]),
    ("indptr decreasing", lambda: _core.count_codes([0, 3, 2, 4, 5], CODE, *level_map(), 2), ValueError, ["indptr[2]"]),
    ("indptr total", lambda: _core.count_codes([0, 2, 4, 4, 4], CODE, *level_map(), 2), ValueError, ["indptr[4]", "number of entries"]),
    ("empty indptr", lambda: _core.count_codes([], [], *level_map(), 2), ValueError, ["indptr"]),
    ("map target too big", lambda: _core.count_codes(INDPTR, CODE, level_map()[0], [0, 0, 0, 1, 2], 2), IndexError, ["map_target[4] = 2"]),
    ("item_group length", lambda: _core.count_codes(INDPTR, CODE, *level_map(), 2, item_group=[0], n_groups=1), ValueError, ["item_group", "length 4"]),
    ("item_group range", lambda: _core.count_codes(INDPTR, CODE, *level_map(), 2, item_group=[0, 0, 5, 0], n_groups=2), IndexError, ["item_group[2] = 5"]),
    ("coding_group float", lambda: _core.count_codes(INDPTR, CODE, *level_map(), 2, coding_group=np.zeros(5), n_groups=1), TypeError, ["coding_group"]),
    ("both splits", lambda: _core.count_codes(INDPTR, CODE, *level_map(), 2, item_group=[0] * 4, coding_group=[0] * 5, n_groups=1), ValueError, ["coding_group"]),
    ("n_groups without split", lambda: _core.count_codes(INDPTR, CODE, *level_map(), 2, n_groups=3), ValueError, ["n_groups"]),
    ("bad unit", lambda: _core.count_codes(INDPTR, CODE, *level_map(), 2, unit="words"), ValueError, ["unit"]),
    ("huge output", lambda: _core.count_codes(INDPTR, CODE, *level_map(), 2, coding_group=[0] * 5, n_groups=2**62), (OverflowError, MemoryError), []),
]


@pytest.mark.parametrize("case", BAD_CALLS, ids=[c[0] for c in BAD_CALLS])
def test_bad_input_raises_a_named_python_exception(case):
    _, call, exc, words = case
    with pytest.raises(exc) as info:
        call()
    for word in words:
        assert word in str(info.value)


def test_kernel_errors_carry_the_element_as_attributes():
    with pytest.raises(IndexError) as info:
        _core.count_codes(INDPTR, [2, 6, 3, 9, 5], *level_map(), 2)
    assert (info.value.arg, info.value.index, info.value.value, info.value.limit) == ("code", 3, 9, 7)


@pytest.mark.skipif(not _core.ALLOC_TESTING, reason="needs a build with QDACORE_ALLOC_TESTING=1 (make asan)")
def test_allocation_failure_is_a_memory_error_and_recovers():
    expected = _core.dimension_map(PARENT, LEVEL_INDPTR, np.arange(2), 2, "nearest")
    failed = 0
    for k in range(50):  # the k-th allocation fails, until the call needs fewer
        _core._fail_allocation_after(k)
        try:
            got = _core.dimension_map(PARENT, LEVEL_INDPTR, np.arange(2), 2, "nearest")
        except MemoryError:
            failed += 1
            continue
        finally:
            _core._fail_allocation_after(-1)
        break
    assert failed >= 1, "no allocation failure reached the caller"
    for a, b in zip(got, expected):
        np.testing.assert_array_equal(a, b)
    assert _core.count_codes(INDPTR, CODE, *level_map(), 2).tolist() == [[3, 2]]


def test_threads_share_the_kernels():
    """Kernels are re-entrant and release the GIL: counts from threads agree."""
    rng = np.random.default_rng(1)
    n_items = 200_000
    per_item = rng.integers(0, 4, size=n_items)
    indptr = np.concatenate([[0], np.cumsum(per_item)])
    code = rng.integers(0, 7, size=indptr[-1])
    group = rng.integers(-1, 5, size=n_items)
    imap = level_map()
    expected = _core.count_codes(indptr, code, *imap, 2, item_group=group, n_groups=5, unit="item")
    results = []

    def work():
        results.append(_core.count_codes(indptr, code, *imap, 2, item_group=group, n_groups=5, unit="item"))

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == 4
    for r in results:
        np.testing.assert_array_equal(r, expected)


@pytest.mark.slow
def test_stub_matches_the_extension():
    pytest.importorskip("mypy")
    result = subprocess.run(
        [sys.executable, "-m", "mypy.stubtest", "qdacore._core",
         "--allowlist", str(Path(__file__).with_name("stubtest-allowlist.txt")),
         "--ignore-unused-allowlist"],
        capture_output=True, text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
