"""Every entry point of qdacore._core against every class of bad argument.

The rules are the table of docs/core-arguments.md: for each function, one
valid call (the baseline) first proves that the call works; then each
argument is replaced, one at a time, by a value of each bad class that
applies to it (negative, too large: 2**31, 2**62, 2**64, wrong type, wrong
dtype, wrong number of dimensions, NaN or an infinity where a float is taken,
a bad code point or bad UTF-8 where text is taken) and the call must raise
the exception the table documents, with a message that names the argument
(for UnicodeDecodeError, its note). Representations the table accepts
(non-contiguous or byte-swapped arrays, narrower integer dtypes, lists,
numpy scalars) must give the baseline's result, and empty inputs the result
stated for them.

Sizes that allocate a result (n_targets, n_groups, n_cats, n_boot ...) are
tried at 2**62 and 2**64, not at 2**31: 2**31 groups are a valid request for
16 GiB that the system may grant, and the test would then spend it.

A case that documents a known failure would be marked xfail(strict=True)
with its reason (XFAIL below), so that its fix turns it into a pass that
must be kept; there is none.
"""
from __future__ import annotations

import inspect
import re
import subprocess
import sys
import textwrap
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Optional, Union

import numpy as np
import pytest

from qdacore import _core

# ---- the valid call of every entry point -------------------------------------

PARENT = np.array([-1, 0, 1, 1, -1, 4, 5])
LEVEL_INDPTR = np.array([0, 0, 1, 1, 1, 1, 2, 2])
INDPTR = np.array([0, 2, 4, 4, 5])  # 4 items, 5 codings
CODE = np.array([2, 6, 3, 3, 5])
MAP = _core.dimension_map(PARENT, LEVEL_INDPTR, np.arange(2), 2, "nearest")
SIZES = np.array([20.0, 50, 20, 10])
GROUPS = np.array([0, 0, 1, 1])
OD = np.array([[0.0, 3, 1], [2, 0, 4], [1, 1, 0]])
RATINGS = np.array([[0, 1], [1, 1], [2, 2], [0, -1], [1, 2]])  # units x coders, 3 categories
CATEGORY_VALUES = np.array([1.0, 2, 4])
DICTIONARY = b"a 3 n\nb 2\nab 5\n"


def segmenter() -> Any:
    seg = _core.segmenter_new()
    _core.segmenter_load(seg, DICTIONARY)
    return seg


def matcher() -> Any:
    return _core.matcher_new(["ab", "b"], False)


def tally() -> dict:
    return _core.agree_tally(RATINGS, 3)


# Each baseline is a fresh dict of every parameter by name (capsules and
# tallies are made anew, since some calls change them).
BASELINES: dict[str, Callable[[], dict]] = {
    "hierarchy_depth": lambda: dict(parent=PARENT),
    "dimension_map": lambda: dict(parent=PARENT, direct_indptr=LEVEL_INDPTR, direct_target=np.arange(2),
                                  n_targets=2, inherit="nearest"),
    "count_codes": lambda: dict(indptr=INDPTR, code=CODE, map_indptr=MAP[0], map_target=MAP[1], n_targets=2,
                                item_group=np.array([0, 1, 0, 1]), coding_group=None, n_groups=2, unit="item"),
    "cooccurrence": lambda: dict(indptr=INDPTR, code=CODE, map_indptr=MAP[0], map_target=MAP[1], n_targets=2,
                                 near="span", window=0, space=np.array([0, 0, 1, 1]),
                                 start=np.array([0, 2, 0, 5]), end=np.array([3, 4, 9, 6]),
                                 group=np.array([0, 1, 0, 1]), n_groups=2, sparse=False),
    "crosstab": lambda: dict(indptr=INDPTR, code=CODE, a_indptr=MAP[0], a_target=MAP[1], n_a=2,
                             b_indptr=MAP[0], b_target=MAP[1], n_b=2, item_group=None,
                             coding_group=np.array([0, 1, 0, 1, 0]), n_groups=2, unit="coding"),
    "gini": lambda: dict(x=SIZES, group=GROUPS, n_groups=2, weight=np.array([1.0, 2, 1, 1]),
                         corrected=False, nan_policy="omit"),
    "theil": lambda: dict(x=SIZES, kind="L", group=GROUPS, n_groups=2, nan_policy="omit"),
    "label_codes": lambda: dict(label=np.array([7, -5, 7]), max_span=200),
    "atkinson": lambda: dict(x=SIZES, epsilon=0.5, group=GROUPS, n_groups=2, nan_policy="omit"),
    "cv": lambda: dict(x=SIZES, ddof=1.0, group=GROUPS, n_groups=2, nan_policy="omit"),
    "concentration": lambda: dict(x=SIZES, group=GROUPS, n_groups=2, nan_policy="omit"),
    "primacy": lambda: dict(x=SIZES, k=2, group=GROUPS, n_groups=2, nan_policy="omit"),
    "rank_size": lambda: dict(x=SIZES, top=2, group=GROUPS, n_groups=2, nan_policy="omit"),
    "flow_summary": lambda: dict(od=OD, core=np.array([1, 0, 0]), nan_policy="omit"),
    "green_polycentricity": lambda: dict(od=OD, degree="out", nan_policy="omit"),
    "share_distance": lambda: dict(a=np.array([[1.0, 2], [3, 4]]), b=np.array([[2.0, 2], [1, 4]]),
                                   nan_policy="omit"),
    "location_quotient": lambda: dict(e_ij=np.array([1.0, 2]), e_j=np.array([4.0, 5]), e_i=np.array([3.0, 6]),
                                      e=np.array([10.0, 10]), nested=True, nan_policy="omit"),
    "agree_tally": lambda: dict(values=RATINGS, n_cats=3, weights=np.eye(3), multiplicity=np.array([1, 2, 1, 1, 0]),
                                parts=3),
    "agree_coefficient": lambda: dict(tally=tally(), method="alpha", weights=np.eye(3), metric="interval",
                                      category_values=CATEGORY_VALUES),
    "agree_bootstrap": lambda: dict(values=RATINGS, n_cats=3, method="alpha", weights=np.eye(3), metric="interval",
                                    category_values=CATEGORY_VALUES, n_boot=5, seed=7),
    "alpha_bootstrap": lambda: dict(tally=tally(), metric="interval", category_values=CATEGORY_VALUES, draws=3,
                                    n_boot=5, seed=7),
    "agree_encode": lambda: dict(values=np.array([[1.0, 2, np.nan], [1, 3, 3]])),
    "segmenter_new": lambda: dict(),
    "segmenter_load": lambda: dict(segmenter=_core.segmenter_new(), data=DICTIONARY),
    "segmenter_words": lambda: dict(segmenter=segmenter(), words=["c", "d"], freqs=np.array([4, -1]),
                                    tags=["n", None], how="add"),
    "segmenter_suggest": lambda: dict(segmenter=segmenter(), word="ab", part_end=np.array([1, 2])),
    "segmenter_lookup": lambda: dict(segmenter=segmenter(), words=["a", "zz"]),
    "segmenter_info": lambda: dict(segmenter=segmenter()),
    "segmenter_set_hmm": lambda: dict(segmenter=segmenter(), start=np.full(4, -1.0), trans=np.full((4, 4), -1.0),
                                      emit_cp=np.array([0x4E00]), emit=np.full((1, 4), -1.0)),
    "cut": lambda: dict(segmenter=segmenter(), text="abab", mode="dag"),
    "tokenize": lambda: dict(segmenter=segmenter(), texts=["abab", b"ba"], mode="dag"),
    "decode_utf8": lambda: dict(data="añ".encode()[:-1], final=False),
    "matcher_new": lambda: dict(patterns=["ab", "b"], fold=True),
    "matcher_info": lambda: dict(matcher=matcher()),
    "find": lambda: dict(matcher=matcher(), texts=["abab", b"xb"], overlapping=True, max_matches=None),
    "slices": lambda: dict(texts=["abcd", b"xyz"], text=np.array([0, 1]), start=np.array([1, -5]),
                           end=np.array([3, 2])),
    "char_tokens": lambda: dict(texts=["a  b", b"c"]),
    "count_char_ngrams": lambda: dict(texts=["abab", b"ba"], keep=None, min_n=1, max_n=2, threads=2),
    "count_ngrams": lambda: dict(indptr=np.array([0, 3, 4]), tokens=np.array([0, 1, 0, 1]), n_vocab=2,
                                 keep=np.array([True, True]), min_n=1, max_n=2, token_strings=["a", "b"],
                                 joiner=0x20),
    "string_order": lambda: dict(strings=["b", "a", "ab"]),
    "refi_gather": lambda: dict(data=b'<Project xmlns="urn:QDA-XML:project:1.0" name="p"/>'),
    "count_pairs": lambda: dict(indptr=np.array([0, 3, 4]), tokens=np.array([0, 1, 2, 1]), n_vocab=3,
                                keep=np.array([True, True, True]), window=2, threads=2),
    "pairs_by_count": lambda: dict(row_start=np.array([0, 2, 3]), b=np.array([1, 2, 2], np.int32),
                                   count=np.array([1, 3, 3], np.int32), min_count=2),
    "merge_counts": lambda: dict(key_a=np.array([-4, 1, 9]), count_a=np.array([2, 3, 4]),
                                 key_b=np.array([1, 5]), count_b=np.array([-3, 6])),
}


def call(fn: str, arguments: dict) -> Any:
    """_core.<fn> with the arguments by name: positional where the signature
    takes them so (positional-only entry points), keywords otherwise."""
    function = getattr(_core, fn)
    args, kwargs = [], {}
    for p in inspect.signature(function).parameters.values():
        if p.name not in arguments:
            continue
        if p.kind == p.KEYWORD_ONLY:
            kwargs[p.name] = arguments[p.name]
        else:
            args.append(arguments[p.name])
    return function(*args, **kwargs)


def same(a: Any, b: Any) -> bool:
    """Results equal in value and type: arrays by dtype and values (NaN equal
    to NaN), containers element by element, capsules by kind."""
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return (isinstance(a, np.ndarray) and isinstance(b, np.ndarray) and a.dtype == b.dtype
                and a.shape == b.shape and bool(np.all((a == b) | ((a != a) & (b != b)))))
    if isinstance(a, (tuple, list)):
        return type(a) is type(b) and len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, dict):
        return isinstance(b, dict) and a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, float):
        return isinstance(b, float) and (a == b or (a != a and b != b))
    if type(a).__name__ == "PyCapsule":
        return type(b).__name__ == "PyCapsule"
    return type(a) is type(b) and a == b


# ---- the cases ------------------------------------------------------------------

Exc = Union[type[BaseException], tuple[type[BaseException], ...]]
Value = Union[Any, Callable[[Any], Any]]  # a value, or a function of the baseline's value


@dataclass
class Case:
    """Call fn with arg replaced by value (and `also` replaced too): it must
    raise exc with a message naming `names` (default: the argument) and
    containing `shows`; or, with exc None, return what `expect` says (default:
    the baseline's result)."""

    fn: str
    arg: str
    label: str
    value: Value
    exc: Optional[Exc] = None
    names: Optional[Sequence[str]] = None
    shows: Sequence[str] = ()
    also: dict = field(default_factory=dict)
    expect: Optional[Callable[[Any], bool]] = None
    xfail: Optional[str] = None

    @property
    def id(self) -> str:
        return f"{self.fn}-{self.arg}-{self.label}"

    def arguments(self) -> dict:
        arguments = BASELINES[self.fn]()
        arguments.update({k: v(arguments[k]) if callable(v) else v for k, v in self.also.items()})
        if self.arg:
            arguments[self.arg] = self.value(arguments[self.arg]) if callable(self.value) else self.value
        return arguments


def replaced(value: Any, at: Union[int, tuple] = -1) -> Callable[[Any], Any]:
    """The baseline's array as a list with the element at `at` replaced."""
    def make(base: np.ndarray) -> list:
        out = np.asarray(base).astype(object)
        out[at] = value
        return out.tolist()
    return make


def noncontiguous(base: np.ndarray) -> np.ndarray:
    out = np.repeat(np.asarray(base)[..., None], 2, axis=-1)[..., 0]
    assert out.size < 2 or not out.flags.c_contiguous
    return out


def other_ndim(base: np.ndarray) -> np.ndarray:
    return base.ravel() if base.ndim > 1 else base.reshape(1, -1)


CASES: list[Case] = []


def bad(fn: str, arg: str, label: str, value: Value, exc: Exc, **kw: Any) -> None:
    CASES.append(Case(fn, arg, label, value, exc, **kw))


def ok(fn: str, arg: str, label: str, value: Value, **kw: Any) -> None:
    CASES.append(Case(fn, arg, label, value, None, **kw))


def int_array(fn: str, arg: str, *, required: bool = True, width: int = 64, **kw: Any) -> None:
    """An integer array argument: the dtype, shape and representation classes.
    Element values (negative, 2**31, 2**62) are listed per argument."""
    at = kw.pop("at", -1)
    bad(fn, arg, "str", "abc", TypeError, **kw)
    if required:
        bad(fn, arg, "None", None, TypeError, **kw)
    bad(fn, arg, "float dtype", lambda a: np.asarray(a, dtype=float), TypeError, shows=["float64"], **kw)
    bad(fn, arg, "integral floats", lambda a: np.asarray(a).astype(float).tolist(), TypeError, **kw)
    bad(fn, arg, "bool dtype", lambda a: np.asarray(a).astype(bool), TypeError, shows=["bool"], **kw)
    bad(fn, arg, "object dtype", lambda a: np.asarray(a).astype(object), TypeError, **kw)
    bad(fn, arg, "complex dtype", lambda a: np.asarray(a).astype(complex), TypeError, **kw)
    bad(fn, arg, "uint64 dtype", lambda a: np.asarray(a).astype(np.uint64), TypeError, **kw)
    if width == 32:
        bad(fn, arg, "int64 dtype", lambda a: np.asarray(a).astype(np.int64), TypeError, **kw)
        bad(fn, arg, "2**31 in a list", replaced(2**31, at), OverflowError, **kw)
    bad(fn, arg, "wrong ndim", other_ndim, ValueError, **kw)
    bad(fn, arg, "bool in a list", replaced(True, at), TypeError, **kw)  # numpy would read [True, 2] as ints
    for label, big in [("2**63", 2**63), ("-2**63-1", -(2**63) - 1), ("2**64", 2**64)]:
        bad(fn, arg, f"{label} in a list", replaced(big, at), OverflowError, shows=[str(big)], **kw)
    ok(fn, arg, "non-contiguous", noncontiguous, **kw)
    ok(fn, arg, "byte-swapped", lambda a: a.astype(a.dtype.newbyteorder()), **kw)
    ok(fn, arg, "list", lambda a: a.tolist(), **kw)
    ok(fn, arg, "int16 dtype", lambda a: a.astype(np.int16), **kw)


def elements(fn: str, arg: str, values: dict, *, at: Union[int, tuple] = -1, **kw: Any) -> None:
    """Element values: {value: exception, or None when the value is valid}."""
    for value, exc in values.items():
        if exc is None:
            ok(fn, arg, f"element {value}", replaced(value, at), expect=lambda r: True, **kw)
        else:
            bad(fn, arg, f"element {value}", replaced(value, at), exc, **kw)


def size(fn: str, arg: str, *, least: int = 0, **kw: Any) -> None:
    """An int argument: the type classes, below its least value, and 2**64
    (ValueError whatever the size). 2**31 and 2**62 are listed per argument."""
    bad(fn, arg, "below least", least - 1, ValueError, shows=[str(least - 1)], **kw)
    bad(fn, arg, "2**64", 2**64, ValueError, shows=[str(2**64)], **kw)
    bad(fn, arg, "-2**64", -(2**64), ValueError, **kw)
    bad(fn, arg, "float", lambda v: float(v), TypeError, **kw)
    bad(fn, arg, "str", lambda v: str(v), TypeError, **kw)
    bad(fn, arg, "bool", True, TypeError, **kw)
    bad(fn, arg, "None", None, TypeError, **kw)
    ok(fn, arg, "numpy integer", lambda v: np.int64(v), **kw)
    ok(fn, arg, "numpy uint8", lambda v: np.uint8(v), **kw)


def double(fn: str, arg: str, **kw: Any) -> None:
    """A float argument that must be finite and >= 0."""
    bad(fn, arg, "str", "0.5", TypeError, **kw)
    bad(fn, arg, "None", None, TypeError, **kw)
    bad(fn, arg, "bool", True, TypeError, **kw)
    bad(fn, arg, "complex", 0.5j, TypeError, **kw)
    for label, value, shown in [("NaN", np.nan, "nan"), ("inf", np.inf, "inf"), ("negative", -1.5, "-1.5"),
                                ("2**1024", 2**1024, "inf")]:
        bad(fn, arg, label, value, ValueError, shows=[f"{arg}[0] = {shown}"], **kw)
    ok(fn, arg, "numpy float32", lambda v: np.float32(v), **kw)


def float_array(fn: str, arg: str, *, negative: bool = False, nan: bool = True, required: bool = True,
                **kw: Any) -> None:
    """A float array argument: dtype and shape classes, NaN under
    nan_policy='raise' (unless NaN marks a missing value: `nan` False) and
    infinities (refused, shown as floats), negative numbers (refused unless
    `negative`)."""
    at = kw.pop("at", -1)
    bad(fn, arg, "str", "abc", TypeError, **kw)
    if required:
        bad(fn, arg, "None", None, TypeError, **kw)
    bad(fn, arg, "bool dtype", lambda a: np.asarray(a).astype(bool), TypeError, shows=["bool"], **kw)
    bad(fn, arg, "complex dtype", lambda a: np.asarray(a).astype(complex), TypeError, **kw)
    bad(fn, arg, "object dtype", lambda a: np.asarray(a).astype(object), TypeError, **kw)
    bad(fn, arg, "wrong ndim", other_ndim, ValueError, **kw)
    if nan:
        raising = {"also": {**kw.get("also", {}), "nan_policy": "raise"}}
        bad(fn, arg, "NaN", replaced(np.nan, at), ValueError, shows=["= nan"],
            **{**kw, **raising})
    bad(fn, arg, "inf", replaced(np.inf, at), ValueError, shows=["= inf"], **kw)
    bad(fn, arg, "-inf", replaced(-np.inf, at), ValueError, shows=["= -inf"], **kw)
    if not negative:
        bad(fn, arg, "negative", replaced(-1.5, at), ValueError, shows=["= -1.5"], **kw)
    ok(fn, arg, "non-contiguous", noncontiguous, **kw)
    ok(fn, arg, "float32 dtype", lambda a: a.astype(np.float32), **kw)
    ok(fn, arg, "list", lambda a: a.tolist(), **kw)


def flag(fn: str, arg: str, **kw: Any) -> None:
    """True or False: anything else is a TypeError, not read for its truth."""
    for label, value in [("str", "no"), ("int", 1), ("None", None), ("array", np.array([True]))]:
        bad(fn, arg, label, value, TypeError, **kw)
    ok(fn, arg, "numpy bool", lambda v: np.bool_(v), **kw)


def choice(fn: str, arg: str, **kw: Any) -> None:
    """A str among the names: any other value (a non-str too) is a ValueError."""
    for label, value in [("unknown", "bogus"), ("int", 3), ("None", None), ("bytes", b"x")]:
        bad(fn, arg, label, value, ValueError, **kw)


def texts(fn: str, arg: str, *, single: bool = False, **kw: Any) -> None:
    """str, UTF-8 bytes, None (an empty text) or a list or tuple of them."""
    bad(fn, arg, "int", 3, TypeError, **kw)
    bad(fn, arg, "list of int", [3], TypeError, **kw)
    bad(fn, arg, "bad UTF-8", b"a\xff", UnicodeDecodeError, **kw)
    bad(fn, arg, "cut UTF-8", "añ".encode()[:-1], UnicodeDecodeError, **kw)
    ok(fn, arg, "lone surrogate", "a\ud800" if single else ["a\ud800", b"x"], expect=lambda r: True, **kw)
    if not single:
        bad(fn, arg, "list of bad UTF-8", ["ok", b"\xe4\xb8"], UnicodeDecodeError, **kw)
        ok(fn, arg, "tuple", lambda v: tuple(v), **kw)


def strings(fn: str, arg: str, *, required: bool = True, **kw: Any) -> None:
    """A list or tuple of str: a str itself is not read as its characters."""
    bad(fn, arg, "str", "ab", TypeError, **kw)
    bad(fn, arg, "int", 3, TypeError, **kw)
    if required:
        bad(fn, arg, "None", None, TypeError, **kw)
    bad(fn, arg, "list of int", lambda v: [*v[:-1], 3], TypeError, **kw)
    ok(fn, arg, "tuple", lambda v: tuple(v), **kw)


def capsule(fn: str, arg: str, other: Callable[[], Any], **kw: Any) -> None:
    bad(fn, arg, "int", 3, TypeError, **kw)
    bad(fn, arg, "None", None, TypeError, **kw)
    bad(fn, arg, "other capsule", lambda _: other(), TypeError, **kw)


# -- codebook ---------------------------------------------------------------------

int_array("hierarchy_depth", "parent")
elements("hierarchy_depth", "parent", {-2: IndexError, 7: IndexError, 2**31: IndexError, 2**62: IndexError})
bad("hierarchy_depth", "parent", "cycle", [1, 0], ValueError)
ok("hierarchy_depth", "parent", "empty", [], expect=lambda r: r.dtype == np.int32 and r.shape == (0,))

int_array("dimension_map", "parent")
elements("dimension_map", "parent", {-2: IndexError, 2**31: IndexError, 2**62: IndexError})
int_array("dimension_map", "direct_indptr")
elements("dimension_map", "direct_indptr", {-1: ValueError, 2**31: ValueError, 2**62: ValueError})
bad("dimension_map", "direct_indptr", "first offset -1", replaced(-1, 0), ValueError)
int_array("dimension_map", "direct_target")
elements("dimension_map", "direct_target", {-1: IndexError, 2: IndexError, 2**31: IndexError, 2**62: IndexError})
size("dimension_map", "n_targets")
ok("dimension_map", "n_targets", "2**62", 2**62, expect=lambda r: r[1].tolist() == [0, 0, 0, 1, 1])
choice("dimension_map", "inherit")
ok("dimension_map", "parent", "empty", [], also={"direct_indptr": [0], "direct_target": []},
   expect=lambda r: r[0].tolist() == [0] and r[1].tolist() == [])

# -- counting and co-occurrence ------------------------------------------------------

COUNTING = {"count_codes": ("map", "n_targets"), "cooccurrence": ("map", "n_targets"), "crosstab": ("a", "n_a")}
for fn, (dim, n) in COUNTING.items():
    int_array(fn, "indptr")
    elements(fn, "indptr", {-1: ValueError, 2**31: ValueError, 2**62: ValueError})
    bad(fn, "indptr", "empty", [], ValueError)
    int_array(fn, "code")
    elements(fn, "code", {-1: IndexError, 7: IndexError, 2**31: IndexError, 2**62: IndexError})
    int_array(fn, f"{dim}_indptr")
    elements(fn, f"{dim}_indptr", {-1: ValueError, 2**31: ValueError, 2**62: ValueError})
    int_array(fn, f"{dim}_target")
    elements(fn, f"{dim}_target", {-1: IndexError, 2: IndexError, 2**31: IndexError, 2**62: IndexError})
    size(fn, n)
    size(fn, "n_groups")
    # results of n_groups x n_targets int64 counts: refused before any allocation
    bad(fn, "n_groups", "2**62", 2**62, OverflowError)
    bad(fn, n, "2**62", 2**62, OverflowError, names=[n, "n_groups"])
for fn in ("count_codes", "crosstab"):
    choice(fn, "unit")
    split = {"item_group": np.array([0, 1, 0, 1]), "coding_group": np.array([0, 1, 0, 1, 0])}
    for arg, other in [("item_group", "coding_group"), ("coding_group", "item_group")]:
        only = {other: None, arg: split[arg]}
        int_array(fn, arg, required=False, also=only)
        elements(fn, arg, {-2: IndexError, 2: IndexError, 2**31: IndexError, 2**62: IndexError}, also=only)
        bad(fn, arg, "length", lambda a: a[:-1], ValueError, also=only)
    bad(fn, "n_groups", "without a split", 3, ValueError, also={"item_group": None, "coding_group": None})
bad("count_codes", "coding_group", "with item_group", [0, 0, 0, 0, 0], ValueError)
ok("count_codes", "indptr", "no items", [0], also={"code": [], "item_group": []},
   expect=lambda r: r.tolist() == [[0, 0], [0, 0]])

choice("cooccurrence", "near")
flag("cooccurrence", "sparse")
size("cooccurrence", "window", also={"near": "window"})
ok("cooccurrence", "window", "2**62", 2**62, also={"near": "window"}, expect=lambda r: r.shape == (2, 2, 2))
# a sparse result is keyed by (group, a, b) in 64 bits
bad("cooccurrence", "n_targets", "2**62 sparse", 2**62, OverflowError, also={"sparse": True})
bad("cooccurrence", "n_groups", "2**62 sparse", 2**62, OverflowError, also={"sparse": True})
for arg in ("space", "start", "end", "group"):
    int_array("cooccurrence", arg, required=False)
    bad("cooccurrence", arg, "length", lambda a: a[:-1], ValueError)
elements("cooccurrence", "group", {-2: IndexError, 2: IndexError, 2**31: IndexError, 2**62: IndexError})
elements("cooccurrence", "end", {-1: ValueError})  # a span ending before it starts
elements("cooccurrence", "start", {-1: ValueError}, at=1)  # starts out of order within a space
elements("cooccurrence", "start", {-(2**62): None, 2**62: ValueError}, at=0, names=["start", "end"])
bad("cooccurrence", "space", "missing for spans", None, ValueError)
ok("cooccurrence", "indptr", "no segments", [0],
   also={"code": [], "space": [], "start": [], "end": [], "group": []},
   expect=lambda r: r.tolist() == [[[0, 0], [0, 0]], [[0, 0], [0, 0]]])

size("crosstab", "n_b")
bad("crosstab", "n_b", "2**62", 2**62, OverflowError)
int_array("crosstab", "b_indptr")
int_array("crosstab", "b_target")
elements("crosstab", "b_target", {-1: IndexError, 2**62: IndexError})

# -- spatial indices ----------------------------------------------------------------

GROUPED = ["gini", "theil", "atkinson", "cv", "concentration", "primacy", "rank_size"]
for fn in GROUPED:
    float_array(fn, "x", negative=fn == "cv")
    int_array(fn, "group", required=False)
    elements(fn, "group", {-2: IndexError, 2: IndexError, 2**31: IndexError, 2**62: IndexError})
    bad(fn, "group", "length", lambda a: a[:-1], ValueError)
    size(fn, "n_groups")
    bad(fn, "n_groups", "2**62", 2**62, OverflowError)
    bad(fn, "n_groups", "without group", 2, ValueError, also={"group": None})
    choice(fn, "nan_policy")
    ok(fn, "x", "empty", [], also={"group": [], **({"weight": []} if fn == "gini" else {})},
       expect=lambda r: np.isnan(r[0] if isinstance(r, tuple) else r).all())
float_array("gini", "weight", required=False)
bad("gini", "weight", "length", lambda a: a[:-1], ValueError)
flag("gini", "corrected", also={"weight": None})
choice("theil", "kind")
double("atkinson", "epsilon")
double("cv", "ddof")
size("primacy", "k", least=2)
ok("primacy", "k", "2**62", 2**62, expect=lambda r: np.isnan(r).all())
size("rank_size", "top")
ok("rank_size", "top", "2**62", 2**62, expect=lambda r: r[0].shape == (2,))

int_array("label_codes", "label")
size("label_codes", "max_span", least=1)
ok("label_codes", "max_span", "2**62", 2**62, expect=lambda r: r[0].tolist() == [0, 1, 0])
ok("label_codes", "max_span", "the span itself", 12, expect=lambda r: r is None)
ok("label_codes", "label", "extremes", [2**63 - 1, -(2**63)], expect=lambda r: r is None)
ok("label_codes", "label", "empty", [], expect=lambda r: r[0].shape == (0,) and r[1].shape == (0,))

for fn in ("flow_summary", "green_polycentricity"):
    float_array(fn, "od", at=(0, 1))
    bad(fn, "od", "not square", lambda a: a[:2], ValueError)
    choice(fn, "nan_policy")
    ok(fn, "od", "empty", np.zeros((0, 0)), also={"core": None} if fn == "flow_summary" else {},
       expect=lambda r: True)
int_array("flow_summary", "core", required=False)
elements("flow_summary", "core", {-1: ValueError, 2: ValueError, 2**31: ValueError, 2**62: ValueError})
bad("flow_summary", "core", "length", lambda a: a[:-1], ValueError)
choice("green_polycentricity", "degree")
for arg in ("a", "b"):
    float_array("share_distance", arg)
    bad("share_distance", arg, "other shape", lambda a: a[:1], ValueError)
choice("share_distance", "nan_policy")
for arg in ("e_ij", "e_j", "e_i", "e"):
    float_array("location_quotient", arg)
bad("location_quotient", "e_j", "length", lambda a: a[:1], ValueError)
bad("location_quotient", "e_ij", "above e_j", [5.0, 2], ValueError, shows=["= 5.0", "(bound 4.0)"])
flag("location_quotient", "nested")
choice("location_quotient", "nan_policy")

# -- agreement ------------------------------------------------------------------------

for fn in ("agree_tally", "agree_bootstrap"):
    int_array(fn, "values", at=(0, 0))
    elements(fn, "values", {-2: IndexError, 3: IndexError, 2**31: IndexError, 2**62: IndexError}, at=(0, 0))
    size(fn, "n_cats", least=1)
    bad(fn, "n_cats", "2**62", 2**62, OverflowError)
    float_array(fn, "weights", negative=True, required=False, at=(0, 1))
    bad(fn, "weights", "other shape", lambda a: a[:2], ValueError)
int_array("agree_tally", "multiplicity", required=False)
elements("agree_tally", "multiplicity", {-1: ValueError, 2**31: None, 2**62: None})
size("agree_tally", "parts")
bad("agree_tally", "parts", "4", 4, ValueError, shows=["<= 3"])
bad("agree_tally", "parts", "2**40", 2**40, ValueError)
ok("agree_tally", "values", "no units", np.zeros((0, 2), np.int64), also={"multiplicity": None},
   expect=lambda r: r["rated_units"] == 0 and r["coincidence"].shape == (3, 3))

for fn in ("agree_coefficient", "agree_bootstrap"):
    choice(fn, "method")
for fn in ("agree_coefficient", "agree_bootstrap", "alpha_bootstrap"):
    choice(fn, "metric")
    float_array(fn, "category_values", negative=True, required=False)
    bad(fn, "category_values", "negative for ratio", [-1.0, 2, 4], ValueError, also={"metric": "ratio"},
        shows=["= -1.0"])
    bad(fn, "category_values", "length", lambda a: a[:2], ValueError)
    bad(fn, "category_values", "missing for interval", None, ValueError)
float_array("agree_coefficient", "weights", negative=True, required=False, at=(0, 1))
for fn in ("agree_bootstrap", "alpha_bootstrap"):
    size(fn, "n_boot")
    bad(fn, "n_boot", "2**62", 2**62, OverflowError)
    size(fn, "seed")
    ok(fn, "seed", "2**64-1", 2**64 - 1, expect=lambda r: r.shape == (5,))
size("alpha_bootstrap", "draws", least=-1)
bad("alpha_bootstrap", "draws", "above the pairs", 5, ValueError, shows=["(bound 4)"])
# draws=2**62 (and a tally's pairs of 2**62 or -1) ran without end: see
# test_alpha_bootstrap_refuses_draws_that_would_loop_forever, which runs them
# in a child process with a time limit
ok("alpha_bootstrap", "draws", "-1: the pairs", -1, expect=lambda r: r.shape == (5,))


def tally_with(**fields: Any) -> Callable[[dict], dict]:
    return lambda t: {**t, **fields}


for fn in ("agree_coefficient", "alpha_bootstrap"):
    bad(fn, "tally", "not a dict", [1, 2], TypeError)
    bad(fn, "tally", "None", None, TypeError)
    bad(fn, "tally", "without pairs", lambda t: {k: v for k, v in t.items() if k != "pairs"}, ValueError)
    for key, value, exc in [("pairs", -1, ValueError), ("pairs", 2**62, ValueError), ("pairs", 1.5, ValueError),
                            ("pairs", np.nan, ValueError), ("pairs", "4", TypeError),
                            ("rated_units", np.inf, ValueError), ("paired_units", 9, ValueError),
                            ("agreement", np.nan, ValueError), ("parts", -1, ValueError),
                            ("parts", 2**40, ValueError), ("parts", 1.0, TypeError)]:
        bad(fn, "tally", f"{key}={value!r}", tally_with(**{key: value}), exc, shows=[key])
    for key, where in [("coincidence", (0, 1)), ("share", 0)]:
        bad(fn, "tally", f"{key} -1", tally_with(**{key: np.asarray(replaced(-1.0, where)(tally()[key]))}),
            ValueError, shows=[key, "= -1.0"])
        bad(fn, "tally", f"{key} NaN", tally_with(**{key: np.asarray(replaced(np.nan, where)(tally()[key]))}),
            ValueError, shows=[key, "= nan"])
    bad(fn, "tally", "share of another length", tally_with(share=np.ones(2)), ValueError)
    bad(fn, "tally", "coincidence of ints as str", tally_with(coincidence="abc"), TypeError)
bad("agree_coefficient", "tally", "coder_units -1", tally_with(coder_units=np.array([-1.0, 4])), ValueError,
    shows=["coder_units", "= -1.0"], also={"method": "conger"})
bad("alpha_bootstrap", "tally", "without coincidences", lambda _: _core.agree_tally(RATINGS, 3, parts=2),
    ValueError, shows=["lacks"])

float_array("agree_encode", "values", negative=True, nan=False)
ok("agree_encode", "values", "NaN (missing)", np.full((2, 2), np.nan),
   expect=lambda r: r[0].tolist() == [[-1, -1], [-1, -1]] and r[1].size == 0)

# -- segmentation (segment_py.c, segment.c) --------------------------------------------

for fn in ("segmenter_load", "segmenter_words", "segmenter_suggest", "segmenter_lookup", "segmenter_info",
           "segmenter_set_hmm", "cut", "tokenize"):
    capsule(fn, "segmenter", matcher)
bad("segmenter_new", "", "an argument", None, TypeError, names=["segmenter_new"])
bad("segmenter_load", "data", "str", "a 3", TypeError)
# the errors in a dictionary file say "dictionary line 3", as the public layer does
IN_DATA = ["data", "dictionary"]
bad("segmenter_load", "data", "bad UTF-8", b"a\xff 3\n", UnicodeDecodeError, names=IN_DATA)
bad("segmenter_load", "data", "bad line", b"a x\n", ValueError, names=IN_DATA)
for label, value in [("negative", b"a -1\n"), ("2**63", b"a 9223372036854775808\n"),
                     ("2**64", b"a 18446744073709551616\n")]:
    bad("segmenter_load", "data", f"frequency {label}", value, ValueError, names=IN_DATA)

strings("segmenter_words", "words")
int_array("segmenter_words", "freqs")
elements("segmenter_words", "freqs", {-2: ValueError, 2**31: None, 2**62: None}, names=["freqs", "freq"])
bad("segmenter_words", "freqs", "length", lambda a: a[:1], ValueError)
bad("segmenter_words", "tags", "length", lambda a: a[:1], ValueError)
bad("segmenter_words", "tags", "list of int", [3, None], TypeError)
bad("segmenter_words", "tags", "int", 3, TypeError)
choice("segmenter_words", "how")

bad("segmenter_suggest", "word", "int", 3, TypeError)
bad("segmenter_suggest", "word", "None", None, TypeError)
int_array("segmenter_suggest", "part_end", required=False)
elements("segmenter_suggest", "part_end", {-1: ValueError, 3: ValueError, 2**31: ValueError, 2**62: ValueError},
         at=0)
elements("segmenter_suggest", "part_end", {-1: ValueError, 2**62: ValueError}, at=-1)

strings("segmenter_lookup", "words")

for arg, at in {"start": 0, "trans": (0, 1), "emit": (0, 1)}.items():
    bad("segmenter_set_hmm", arg, "str", "abcd", TypeError)
    bad("segmenter_set_hmm", arg, "None", None, TypeError)
    bad("segmenter_set_hmm", arg, "wrong shape", lambda a: np.zeros(3), ValueError)
    bad("segmenter_set_hmm", arg, "bool dtype", lambda a: np.asarray(a).astype(bool), TypeError)
    bad("segmenter_set_hmm", arg, "NaN", replaced(np.nan, at), ValueError, shows=["= nan"])
    bad("segmenter_set_hmm", arg, "positive", replaced(0.5, at), ValueError, shows=["= 0.5"])
    ok("segmenter_set_hmm", arg, "non-contiguous", noncontiguous, expect=lambda r: r is None)
int_array("segmenter_set_hmm", "emit_cp")
elements("segmenter_set_hmm", "emit_cp", {-1: ValueError, 0x110000: ValueError, 2**32: ValueError,
                                          2**62: ValueError})
bad("segmenter_set_hmm", "emit_cp", "length", lambda a: np.zeros(2, np.int64), ValueError)
bad("segmenter_set_hmm", "emit_cp", "-1 in an int64 array", np.array([-1]), ValueError)

for fn, arg, single in [("cut", "text", True), ("tokenize", "texts", False)]:
    texts(fn, arg, single=single)
    choice(fn, "mode")
bad("cut", "text", "list", ["a"], TypeError)

# -- matching (match_py.c, acmatch.c) --------------------------------------------------

bad("decode_utf8", "data", "str", "a", TypeError)
bad("decode_utf8", "data", "None", None, TypeError)
bad("decode_utf8", "data", "bad UTF-8", b"a\xff", UnicodeDecodeError)
bad("decode_utf8", "data", "cut UTF-8 with final", "añ".encode()[:-1], UnicodeDecodeError, also={"final": True})
ok("decode_utf8", "data", "bytearray", lambda v: bytearray(v))
for fn, arg in [("decode_utf8", "final"), ("matcher_new", "fold"), ("find", "overlapping")]:
    flag(fn, arg)
strings("matcher_new", "patterns")
bad("matcher_new", "patterns", "empty", [], ValueError)
bad("matcher_new", "patterns", "empty pattern", ["ab", ""], ValueError)
for fn in ("matcher_info", "find"):
    capsule(fn, "matcher", segmenter)
texts("find", "texts")
for label, value, exc in [("negative", -1, ValueError), ("float", 1.0, TypeError), ("str", "9", TypeError),
                          ("bool", True, TypeError), ("2**64", 2**64, ValueError)]:
    bad("find", "max_matches", label, value, exc)
bad("find", "max_matches", "fewer than the matches", 1, ValueError, shows=["max_matches=1"])
ok("find", "max_matches", "exactly the matches", 5, expect=lambda r: r[0].size == 5)
ok("find", "max_matches", "numpy integer", np.int64(5), expect=lambda r: r[0].size == 5)
texts("slices", "texts")
for arg in ("text", "start", "end"):
    int_array("slices", arg)
    bad("slices", arg, "length", lambda a: a[:1], ValueError, names=[arg, "start", "end"])
elements("slices", "text", {-1: IndexError, 2: IndexError, 2**31: IndexError, 2**62: IndexError})
elements("slices", "start", {-(2**62): None, 2**62: None})  # offsets are clipped to the text
ok("slices", "text", "none", [], also={"start": [], "end": []}, expect=lambda r: r == [])

# -- terms (terms_py.c) ----------------------------------------------------------------

texts("char_tokens", "texts")
ok("char_tokens", "texts", "empty list", [], expect=lambda r: r[0].tolist() == [0] and r[1].size == 0)

texts("count_char_ngrams", "texts")
for fn in ("count_char_ngrams", "count_ngrams"):
    size(fn, "min_n", least=1)
    size(fn, "max_n", least=1)
    bad(fn, "max_n", "below min_n", 1, ValueError, also={"min_n": 2})
ok("count_char_ngrams", "max_n", "2**62", 2**62, expect=lambda r: r is None)
ok("count_ngrams", "max_n", "2**62", 2**62, expect=lambda r: r[3] == ["a", "a b", "a b a", "b", "b a"])
for fn in ("count_char_ngrams", "count_pairs"):
    size(fn, "threads", least=1)
    ok(fn, "threads", "2**62", 2**62)  # as many parts as there are CPUs: the same result
bad("count_char_ngrams", "keep", "str", "abc", TypeError)
bad("count_char_ngrams", "keep", "float dtype", np.ones(0x110000), TypeError)
bad("count_char_ngrams", "keep", "short", np.ones(3, bool), ValueError)
bad("count_char_ngrams", "keep", "2", np.full(0x110000, 2), ValueError)
ok("count_char_ngrams", "keep", "all kept", np.ones(0x110000, bool))

for fn in ("count_ngrams", "count_pairs"):
    int_array(fn, "indptr")
    elements(fn, "indptr", {-1: ValueError, 2**31: ValueError, 2**62: ValueError})
    bad(fn, "indptr", "empty", [], ValueError)
    int_array(fn, "tokens")
    elements(fn, "tokens", {-1: IndexError, 3: IndexError, 2**31: IndexError, 2**62: IndexError})
    size(fn, "n_vocab")
    bad(fn, "keep", "str", "ab", TypeError)
    bad(fn, "keep", "float dtype", lambda a: a.astype(float), TypeError)
    bad(fn, "keep", "wrong length", lambda a: a[:1], ValueError)
    bad(fn, "keep", "2", lambda a: a.astype(int) * 2, ValueError)
    bad(fn, "keep", "2-d", lambda a: a[None], ValueError)
    ok(fn, "keep", "ints 0 and 1", lambda a: a.astype(np.int8))
    ok(fn, "keep", "None", None)
bad("count_ngrams", "n_vocab", "2**62 with strings", 2**62, ValueError, names=["token_strings"],
    also={"keep": None})
bad("count_ngrams", "n_vocab", "past the code points", 0x110001, ValueError, also={"token_strings": None})
strings("count_ngrams", "token_strings", required=False)
bad("count_ngrams", "token_strings", "short", ["a"], ValueError)
size("count_ngrams", "joiner", least=-1)
for label, value in [("0x110000", 0x110000), ("2**31", 2**31), ("2**62", 2**62), ("surrogate", 0xD800),
                     ("last surrogate", 0xDFFF)]:
    bad("count_ngrams", "joiner", label, value, ValueError)
ok("count_ngrams", "joiner", "none", -1, expect=lambda r: r[3] == ["a", "ab", "b", "ba"])
ok("count_ngrams", "joiner", "last code point", 0x10FFFF,
   expect=lambda r: r[3] == ["a", "a\U0010ffffb", "b", "b\U0010ffffa"])

strings("string_order", "strings")
bad("refi_gather", "data", "str", "<Project/>", TypeError)
bad("refi_gather", "data", "None", None, TypeError)
ok("refi_gather", "data", "bytearray", lambda v: bytearray(v))
ok("refi_gather", "data", "empty", b"", expect=lambda r: r is None)
ok("refi_gather", "data", "a DOCTYPE", b"<!DOCTYPE Project><Project/>", expect=lambda r: r is None)
ok("string_order", "strings", "empty", [], expect=lambda r: r.tolist() == [])

bad("count_pairs", "window", "1", 1, ValueError)
size("count_pairs", "window")
ok("count_pairs", "window", "2**62", 2**62, expect=lambda r: r[2].tolist() == [1, 1, 1])
bad("count_pairs", "n_vocab", "2**62", 2**62, OverflowError, also={"keep": None})

int_array("pairs_by_count", "row_start")
elements("pairs_by_count", "row_start", {-1: ValueError, 2**31: ValueError, 2**62: ValueError})
for arg in ("b", "count"):
    int_array("pairs_by_count", arg, width=32)
bad("pairs_by_count", "count", "length", lambda a: a[:1], ValueError)
size("pairs_by_count", "min_count", least=-(2**63))
ok("pairs_by_count", "min_count", "2**62", 2**62, expect=lambda r: r[0].size == 0)
ok("pairs_by_count", "min_count", "-2**62", -(2**62), expect=lambda r: r[2].tolist() == [3, 3, 1])

# -- partial results ----------------------------------------------------------------------

for arg in ("key_a", "count_a", "key_b", "count_b"):
    int_array("merge_counts", arg)
for arg in ("key_a", "key_b"):  # the last key: below the others, or the largest there is
    elements("merge_counts", arg, {-(2**63): ValueError, 2**63 - 1: None})
bad("merge_counts", "key_a", "repeated key", replaced(1, 0), ValueError, shows=["must increase"])
bad("merge_counts", "key_b", "repeated key", replaced(1, -1), ValueError, shows=["must increase"])
bad("merge_counts", "count_a", "length", lambda a: a[:-1], ValueError)
bad("merge_counts", "count_b", "length", lambda a: a[:-1], ValueError)
bad("merge_counts", "count_a", "sum past int64", replaced(-(2**63) + 2, 1), OverflowError,
    shows=["count_a[1]"])
ok("merge_counts", "count_a", "sum to int64's least", replaced(-(2**63) + 3, 1),
   expect=lambda r: r[1].tolist() == [2, -(2**63), 6, 4])


# -- empty inputs: each entry point's result on nothing --------------------------------

NO_CODINGS = {"indptr": [0], "code": []}
EMPTY = [
    ("crosstab", "indptr", [0], {"code": [], "coding_group": []}, lambda r: r.shape == (2, 2, 2) and r.sum() == 0),
    ("share_distance", "a", np.zeros((0, 2)), {"b": np.zeros((0, 2))}, lambda r: r.shape == (0,)),
    ("location_quotient", "e_ij", [], {"e_j": [], "e_i": [], "e": []}, lambda r: r.shape == (0,)),
    ("agree_bootstrap", "values", np.zeros((0, 2), np.int64), {},
     lambda r: r.shape == (5,) and np.isnan(r).all()),
    ("agree_encode", "values", np.zeros((0, 0)), {}, lambda r: r[0].shape == (0, 0) and r[1].size == 0),
    ("segmenter_load", "data", b"", {}, lambda r: r is None),
    ("segmenter_words", "words", [], {"freqs": [], "tags": []}, lambda r: r.shape == (0,)),
    ("segmenter_suggest", "part_end", [], {}, lambda r: isinstance(r, int)),
    ("segmenter_lookup", "words", [], {}, lambda r: r[0].shape == (0,) and r[1].shape == (0,)),
    ("cut", "text", "", {}, lambda r: r == []),
    ("tokenize", "texts", [], {}, lambda r: r[0].tolist() == [0] and len(r[4]) == 0),
    ("decode_utf8", "data", b"", {}, lambda r: r == ("", 0)),
    ("find", "texts", [], {}, lambda r: all(a.size == 0 for a in r)),
    ("slices", "texts", [], {"text": [], "start": [], "end": []}, lambda r: r == []),
    ("count_char_ngrams", "texts", [], {}, lambda r: r[0].tolist() == [0] and len(r[3]) == 0),
    ("count_ngrams", "indptr", [0], {"tokens": []}, lambda r: r[0].tolist() == [0] and r[3] == []),
    ("count_pairs", "indptr", [0], {"tokens": []}, lambda r: r[0].tolist() == [0, 0, 0, 0] and r[1].size == 0),
    ("pairs_by_count", "row_start", [0], {"b": [], "count": []}, lambda r: all(a.size == 0 for a in r)),
    ("merge_counts", "key_a", [], {"count_a": [], "key_b": [], "count_b": []},
     lambda r: all(a.shape == (0,) for a in r)),
]
for fn, arg, value, also, expect in EMPTY:
    ok(fn, arg, "empty", value, also=also, expect=expect)


# ---- known failures -------------------------------------------------------------------
# a case that documents a failure carries xfail(strict=True) with the reason;
# none is known today.

XFAIL: dict[str, str] = {}
for case in CASES:
    case.xfail = XFAIL.pop(case.id, case.xfail)
assert not XFAIL, f"xfail marks for no case: {sorted(XFAIL)}"


# ---- the tests ----------------------------------------------------------------------


def names_argument(exc: BaseException, names: Sequence[str]) -> bool:
    """The message (and notes) name one of `names` as a word: "code[3]",
    "tally['pairs']", "n_targets of map"; not "map_indptr" for "indptr"."""
    text = " ".join([str(exc), *getattr(exc, "__notes__", [])])
    return any(re.search(rf"(?<!\w){re.escape(n)}(?!\w)", text) for n in names)


def params(cases: list[Case]) -> list[Any]:
    return [pytest.param(c, id=c.id, marks=[pytest.mark.xfail(strict=True, reason=c.xfail)] if c.xfail else [])
            for c in cases]


ENTRY_POINTS = sorted(n for n in dir(_core) if not n.startswith("_") and callable(getattr(_core, n)))


def test_every_entry_point_has_a_baseline_and_cases():
    assert ENTRY_POINTS == sorted(BASELINES)
    for fn in ENTRY_POINTS:
        arguments = set(inspect.signature(getattr(_core, fn)).parameters)
        assert set(BASELINES[fn]()) == arguments, fn
        tried = {c.arg for c in CASES if c.fn == fn and c.exc is not None}
        assert tried >= arguments, (fn, arguments - tried)


@pytest.mark.parametrize("fn", ENTRY_POINTS)
def test_the_baseline_call_works(fn):
    result = call(fn, BASELINES[fn]())
    assert same(result, call(fn, BASELINES[fn]()))  # and is repeatable


@pytest.mark.filterwarnings("ignore::numpy.exceptions.ComplexWarning")  # complex emit_cp
@pytest.mark.parametrize("case", params([c for c in CASES if c.exc is not None]))
def test_a_bad_argument_raises_and_names_it(case: Case):
    arguments = case.arguments()
    if case.fn == "segmenter_new":
        with pytest.raises(case.exc) as info:
            _core.segmenter_new(None)  # type: ignore[call-arg]
    else:
        with pytest.raises(case.exc) as info:
            call(case.fn, arguments)
    names = case.names if case.names is not None else [case.arg]
    assert names_argument(info.value, names), f"{names} not named in: {info.value!r}"
    for text in case.shows:
        assert text in str(info.value), f"{text!r} not in: {info.value}"


@pytest.mark.parametrize("case", params([c for c in CASES if c.exc is None]))
def test_an_accepted_form_gives_the_result(case: Case):
    result = call(case.fn, case.arguments())
    if case.expect is not None:
        assert case.expect(result), result
    else:
        baseline = BASELINES[case.fn]()
        baseline.update({k: v(baseline[k]) if callable(v) else v for k, v in case.also.items()})
        assert same(result, call(case.fn, baseline)), result


# ---- the findings, one by one ----------------------------------------------------------


@pytest.mark.parametrize("change", ['tally["pairs"] = -1', 'tally["pairs"] = 2**62', "draws = 2**62",
                                    'tally["pairs"] = 2**62; draws = 2**62',
                                    # consistent, but 2**60 pairs to draw per replicate
                                    'tally = {k: v if k == "parts" else v * 2**58 for k, v in tally.items()}'])
def test_alpha_bootstrap_refuses_draws_that_would_loop_forever(change):
    # before the tally was checked, draws=-1 took a tally's pairs as the number
    # of draws per replicate, (size_t)-1 or 2**62, and draws=2**62 was taken as
    # given: loops without end. In a child with a time limit, so that a
    # regression fails rather than hangs.
    code = textwrap.dedent(f"""
        import numpy as np
        from qdacore import _core
        tally = _core.agree_tally(np.array([[0, 1], [1, 1], [2, 2]]), 3)
        draws = -1
        {change}
        try:
            _core.alpha_bootstrap(tally, draws=draws, n_boot=2)
        except ValueError as exc:
            print(exc)
        """)
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert re.search(r"\b(tally\.pairs|draws)\[0\] = ", result.stdout), result.stdout


def test_a_tally_scalar_is_read_exactly_and_checked():
    t = tally()
    t["pairs"] = float(t["pairs"]) + 0.5
    with pytest.raises(ValueError, match=r"tally\.pairs\[0\] = 4\.5: must be a whole number"):
        _core.alpha_bootstrap(t, n_boot=2)
    assert _core.agree_coefficient(tally(), "alpha")[2] == _core.agree_coefficient(
        {**tally(), "pairs": np.int64(4)}, "alpha")[2]


@pytest.mark.parametrize("joiner", [0x110000, 0xD800, 0xDFFF, 2**31])
def test_count_ngrams_refuses_a_joiner_that_is_no_code_point(joiner):
    # before: the terms were built with U+110000 or a lone surrogate in them
    with pytest.raises(ValueError, match="joiner"):
        _core.count_ngrams([0, 2], [0, 1], 2, None, 1, 2, ["a", "b"], joiner)


@pytest.mark.parametrize("parts", [2**40, 2**32 + 1, -1])
def test_agree_tally_refuses_parts_that_wrap(parts):
    # before: parts was read as an unsigned int, 2**40 as 0 (a tally without
    # its parts), 2**32 + 1 as 1 and -1 as 4294967295
    with pytest.raises(ValueError, match=rf"^parts must be [<>]= \d, got {parts}$"):
        _core.agree_tally(RATINGS, 3, parts=parts)


@pytest.mark.parametrize("call_, shown", [
    (lambda: _core.atkinson(SIZES, np.nan), "epsilon[0] = nan"),
    (lambda: _core.cv(SIZES, -1.5), "ddof[0] = -1.5"),
    (lambda: _core.gini([1.0, -1.5]), "x[1] = -1.5"),
    (lambda: _core.gini([1.0, np.inf]), "x[1] = inf"),
    (lambda: _core.theil([1.0, np.nan], nan_policy="raise"), "x[1] = nan"),
    (lambda: _core.flow_summary(np.array([[0, -0.25], [1, 0]])), "od[1] = -0.25"),
    (lambda: _core.share_distance([[1.0, 2.5e300 * 1e10]], [[1.0, 1]]), "a[1] = inf"),
    (lambda: _core.location_quotient([1.0], [0.5], [3.0], [10.0]), "e_ij[0] = 1.0: exceeds e_j"),
    (lambda: _core.agree_encode([[1.0, -np.inf]]), "values[1] = -inf"),
    (lambda: _core.agree_tally(RATINGS, 3, weights=np.full((3, 3), np.nan)), "weights[0] = nan"),
])
def test_a_float_is_reported_as_a_float(call_, shown):
    # before: the value went through int64, NaN as 0, 1.5 as 1 and inf as 2**63 - 1
    with pytest.raises(ValueError) as info:
        call_()
    assert shown in str(info.value)
    assert isinstance(info.value.value, float)


def test_a_float_error_keeps_the_public_message():
    # call_kernel (qdacore._validate) rebuilds the kernel's message around the
    # public name from the value attribute: a float now
    from qdacore import indices

    with pytest.raises(ValueError, match=r"x\[1\] = -1\.5: must be >= 0"):
        indices.gini([1.0, -1.5])


@pytest.mark.parametrize("starts", [[-1, np.uint64(2**53 + 1)], [np.int64(-1), 2**53 + 1]])
def test_integer_lists_are_read_exactly(starts):
    # before: [-1, uint64] was read by numpy as float64 and refused as floats;
    # the starts are exactly 2**53 + 2 apart, which a float64 would round
    indptr, code = [0, 1, 2], [1, 5]  # codes 1 and 5: targets 0 and 1
    pair = [_core.cooccurrence(indptr, code, MAP[0], MAP[1], 2, near="window", window=window,
                               space=[0, 0], start=starts)[0, 0, 1] for window in (2**53 + 1, 2**53 + 2)]
    assert pair == [0, 1]


@pytest.mark.parametrize("value", [2**63, -(2**63) - 1, 2**64, 2**100])
def test_an_integer_past_int64_is_an_overflow_naming_the_element(value):
    # before: a TypeError about dtype float64 or object, or numpy's message
    with pytest.raises(OverflowError, match=rf"start\[1\] = {value} does not fit in int64"):
        _core.slices("abc", [0, 0], [0, value], [1, 1])


def test_huge_multiplicities_tally_as_their_share():
    """Multiplicities whose integer sums would pass int64 (found by the
    agreement fuzz harness: signed overflow in the fast tally) are tallied
    in doubles: every unit 2**61 times gives the coefficients of every unit
    once for the coefficients that are ratios of the tally's sums (alpha's
    small-sample correction does depend on the number of values)."""
    once = _core.agree_tally(RATINGS, 3)
    many = _core.agree_tally(RATINGS, 3, multiplicity=np.full(len(RATINGS), 2**61))
    assert many["pairs"] == once["pairs"] * 2**61
    for method in ("percent", "fleiss", "gwet"):
        a = _core.agree_coefficient(once, method)
        b = _core.agree_coefficient(many, method)
        assert b == pytest.approx(a, rel=1e-12, nan_ok=True), method
