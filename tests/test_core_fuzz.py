"""Fuzzing the codebook, counting and co-occurrence entry points of _core
against pure-Python oracles.

For each of hierarchy_depth, dimension_map, count_codes, cooccurrence (dense
and sparse, on the same input) and crosstab, hypothesis builds a valid input
(a forest of codes, CSR codings or segments, dimension maps with ascending
distinct targets, groups in [-1, n_groups), segments sorted by (space, start))
and half the time spoils one field: replaced by a hostile array or number
(negatives, 2**31, 2**62, +-2**63...), one element poked, shortened,
lengthened, or an optional array given or taken away. An oracle written as
plain loops over the documented contract (the comment above each kernel in
csrc/qc/*.h, the binding's argument checks in csrc/binding/*.c and
docs/conventions.md) then says what the call must do, and the test asserts it:

- input the contract refuses: the call raises an exception of the type that
  rule maps to (qc_raise in csrc/binding/convert.c: QC_EINDEX -> IndexError,
  QC_EOVERFLOW -> OverflowError, QC_ENOMEM -> MemoryError, other statuses and
  the binding's checks -> ValueError) whose message names the argument, for
  at least one of the rules the input breaks (the order of the checks is not
  part of the contract);
- valid input: the result equals the oracle's exactly (values, shape, dtype;
  sparse co-occurrence as a dict of (group, a, b) -> count, sorted, a <= b);
- valid input whose result or scratch space cannot exist (2**62 targets or
  groups): MemoryError, OverflowError or numpy's "array is too big"
  ValueError is also accepted;
- a dimension map row that is not ascending and distinct breaks a
  precondition no kernel checks (qc_dimview_check checks offsets and bounds
  only): there the call must not crash, and nothing else is promised.

Any other exception, or a crash, fails. Each test also asserts that at least
a quarter of its examples reached the exact comparison with the oracle, so a
generator that drifts into producing only invalid input is noticed.

Two discrepancies these oracles found are fixed and stay as regression tests
at the end: count_codes skipped the code check of items left out of every
group, and the window test of cooccurrence overflowed int64 on distant starts.
"""
from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import accumulate
from typing import Any, Optional

import numpy as np
import pytest
from hypothesis import HealthCheck, event, example, given, note, settings
from hypothesis import strategies as st

from qdacore import _core

from reference import brute_force_cooccurrence, span_cooccurs

small = st.integers(min_value=-3, max_value=8)
big = st.sampled_from([-(2**63), -1, 0, 1, 2**31, 2**62, 2**63 - 1])
values = st.one_of(small, big)


def as_array(v: list) -> np.ndarray:
    return np.array(v, dtype=np.int64)


arrays = st.lists(values, max_size=12).map(as_array)
# Sizes (n_targets, n_groups) are tiny or far too large to allocate, never in
# between: 2**31 groups could be allocated lazily and then read whole.
sizes = st.one_of(small, st.sampled_from([-(2**63), -1, 2**62, 2**63 - 1]))
SETTINGS = settings(max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
ERRORS = (ValueError, IndexError, OverflowError, MemoryError, TypeError)

# A result or scratch array with more entries than this cannot be allocated.
LIMIT = 2**40
INT64_MAX = 2**63 - 1
# What a kernel or numpy may raise for such a size: qc_malloc's QC_ENOMEM,
# QC_EOVERFLOW and the binding's own overflow checks, numpy's "array is too big".
RESOURCE = ((MemoryError, OverflowError, ValueError), ())  # () names: any message

# The smallest inputs of the two discrepancies the oracles found, now fixed
# (regression tests at the end; the property tests run them too).
COUNT_LEFT_OUT_BAD_CODE = {
    "indptr": as_array([0, 1]), "code": as_array([5]), "map_indptr": as_array([0, 1]),
    "map_target": as_array([0]), "n_targets": 1, "item_group": as_array([-1]), "n_groups": 1}
WINDOW_FAR_APART = {
    "indptr": as_array([0, 1, 2]), "code": as_array([0, 1]), "map_indptr": as_array([0, 1, 2]),
    "map_target": as_array([0, 1]), "n_targets": 2, "near": "window", "window": 0,
    "space": as_array([0, 0]), "start": as_array([-1, 2**63 - 1])}


# ---- what an oracle says, and how a call is checked against it ---------------

@dataclass
class Verdict:
    """An oracle's answer: the refusals the input earns (empty when valid),
    the exact result when valid, and what else the call may do."""

    errors: list = field(default_factory=list)  # (exception type, argument names)
    answer: Any = None
    resource: bool = False  # the result or scratch may be too large to allocate
    unchecked: Optional[str] = None  # a precondition no kernel checks is broken

    def bad(self, exc: type, *names: str) -> None:
        self.errors.append((exc, names))

    @property
    def valid(self) -> bool:
        return not self.errors


OUTCOMES: Counter = Counter()


def outcome(kind: str) -> None:
    event(kind)
    OUTCOMES[kind] += 1


def names_argument(exc: BaseException, names: tuple) -> bool:
    """The message names one of `names` as a word ("code[3]", "n_targets of map"),
    not inside another ("count_codes", "map_indptr" for "indptr")."""
    return not names or any(re.search(rf"(?<!\w){re.escape(n)}(?!\w)", str(exc)) for n in names)


def expect(verdict: Verdict, call: Callable[[], Any], same: Callable[[Any, Any], None]) -> None:
    """Runs call and asserts it does what verdict says (module docstring)."""
    note(f"verdict: {verdict}")
    try:
        got = call()
    except ERRORS as exc:
        allowed = verdict.errors + ([RESOURCE] if verdict.resource else [])
        assert allowed, f"valid input refused: {exc!r}"
        assert any(isinstance(exc, t) and names_argument(exc, n) for t, n in allowed), (
            f"{exc!r} is none of the refusals {allowed}")
        outcome("refused as the contract says")
        return
    if verdict.errors:
        raise AssertionError(f"accepted invalid input (expected one of {verdict.errors}): {got!r}")
    if verdict.unchecked:
        outcome("unchecked precondition broken: no promise")
        return
    if verdict.answer is not None:
        same(got, verdict.answer)
    outcome("answer equal to the oracle's")


def share_of_answers(run: Callable[[], None]) -> None:
    """Runs a hypothesis property and asserts that a quarter of its examples at
    least were valid inputs compared with the oracle."""
    OUTCOMES.clear()
    run()
    total = sum(OUTCOMES.values())
    assert OUTCOMES["answer equal to the oracle's"] >= total / 4, dict(OUTCOMES)


# ---- rules shared by the oracles -----------------------------------------------

def ints(a) -> list:
    return [int(x) for x in a]


def maybe_ints(a) -> Optional[list]:
    return None if a is None else ints(a)


def rows(indptr: list, entries: list) -> list:
    return [entries[lo:hi] for lo, hi in zip(indptr, indptr[1:])]


def too_big(*dims: int) -> bool:
    product = 1
    for d in dims:
        product *= max(d, 0)
    return product > LIMIT or any(d > LIMIT for d in dims)


def check_offsets(v: Verdict, indptr: list, n_entries: int, *names: str) -> bool:
    # qc_check_indptr (qc/common.h): indptr[0] == 0, never decreasing,
    # indptr[-1] == n_entries, else QC_EINVAL / QC_EORDER; qc_csr_args and
    # qc_dimview_args (binding/convert.h): at least one entry, else ValueError.
    if (not indptr or indptr[0] != 0 or indptr[-1] != n_entries
            or any(b < a for a, b in zip(indptr, indptr[1:]))):
        v.bad(ValueError, *names)
        return False
    return True


def check_map(v: Verdict, indptr: list, target: list, n_targets: int, prefix: str) -> Optional[list]:
    """The targets each code reaches, or None when the map is refused."""
    # the binding: n_targets >= 0 (ValueError naming n_targets, or n_a / n_b
    # for crosstab's maps a and b); qc_dimview_check (qc/codebook.h):
    # offsets, and every target below n_targets (QC_EINDEX). The kernel names
    # map_indptr / map_target, the binding <prefix>_indptr / <prefix>_target.
    if n_targets < 0:
        v.bad(ValueError, "n_targets", f"n_{prefix}")
    ok = check_offsets(v, indptr, len(target), f"{prefix}_indptr", "map_indptr")
    if any(not 0 <= t < n_targets for t in target):
        v.bad(IndexError, f"{prefix}_target", "map_target")
    if not ok:
        return None
    reach = rows(indptr, target)
    # qc_dimmap (qc/codebook.h): a map row is "in ascending order with no
    # repeats"; qc_dimview_check does not check it.
    if any(r != sorted(set(r)) for r in reach):
        v.unchecked = "a map row is not ascending and distinct"
    return reach


def check_length(v: Verdict, array: Optional[list], length: int, name: str) -> None:
    # qc_optional_int64_vector (binding/convert.h): ValueError naming the argument.
    if array is not None and len(array) != length:
        v.bad(ValueError, name)


def check_groups(v: Verdict, groups: Optional[list], n_groups: int, name: str) -> None:
    # qc_count_codes, qc_segments (qc/count.h, qc/cooc.h): each entry is -1 or
    # a group in [0, n_groups), else QC_EINDEX naming the argument.
    if groups is not None and any(not -1 <= g < n_groups for g in groups):
        v.bad(IndexError, name)


def check_split(v: Verdict, item_group, coding_group, n_groups, n_items, n_codings) -> None:
    # qc_check_codings (qc/count.h) and the bindings: n_groups >= 0, at most one
    # of item_group (n_items entries) and coding_group (n_codings), n_groups == 1
    # when neither is given.
    if n_groups < 0:
        v.bad(ValueError, "n_groups")
    check_length(v, item_group, n_items, "item_group")
    check_length(v, coding_group, n_codings, "coding_group")
    if item_group is None and coding_group is None and n_groups != 1:
        v.bad(ValueError, "n_groups")
    if item_group is not None and coding_group is not None:
        v.bad(ValueError, "coding_group")
    check_groups(v, item_group, n_groups, "item_group")
    check_groups(v, coding_group, n_groups, "coding_group")


def check_codes(v: Verdict, code: list, n_codes: int) -> None:
    # qc_codings (qc/count.h): code[k] below n_codes, else QC_EINDEX naming "code".
    if any(not 0 <= c < n_codes for c in code):
        v.bad(IndexError, "code")


def coding_groups(indptr: list, item_group, coding_group) -> list:
    """The group each coding counts in (-1: left out), per qc_count_codes."""
    per_item = item_group if item_group is not None else [0] * (len(indptr) - 1)
    of_item = [per_item[i] for i in range(len(indptr) - 1) for _ in range(indptr[i], indptr[i + 1])]
    return coding_group if coding_group is not None else of_item


def same_dense(got, answer) -> None:
    shape, cells = answer
    assert isinstance(got, np.ndarray) and got.dtype == np.int64 and got.shape == shape
    found = {tuple(int(i) for i in at): int(got[at]) for at in zip(*np.nonzero(got))}
    assert found == cells


def same_sparse(got, answer) -> None:
    _, cells = answer
    assert len(got) == 4 and all(a.dtype == np.int64 and a.ndim == 1 for a in got)
    group, a, b, count = (ints(x) for x in got)
    keys = list(zip(group, a, b))
    # qc_cooc_sparse (qc/cooc.h): sorted by (group, a, b), a <= b, cells that occur
    assert keys == sorted(set(keys)) and all(x <= y for x, y in zip(a, b))
    assert dict(zip(keys, count)) == cells


# ---- oracles ---------------------------------------------------------------------

def hierarchy_depth_oracle(parent) -> Verdict:
    # qc_hierarchy_depth (qc/codebook.h): parent[i] in [-1, n_codes) else
    # QC_EINDEX naming "parent"; a loop is QC_ECYCLE naming "parent"; depth is
    # the number of steps up to a root.
    parent, v = ints(parent), Verdict()
    n = len(parent)
    if any(not -1 <= p < n for p in parent):
        v.bad(IndexError, "parent")
        return v
    depth = []
    for i in range(n):
        at, steps = i, 0
        while parent[at] != -1 and steps <= n:  # a chain of more than n steps loops
            at, steps = parent[at], steps + 1
        depth.append(steps)
    if any(d > n for d in depth):
        v.bad(ValueError, "parent")
    else:
        v.answer = depth
    return v


def dimension_map_oracle(parent, direct_indptr, direct_target, n_targets, inherit) -> Verdict:
    v = hierarchy_depth_oracle(parent)
    parent, indptr, target = ints(parent), ints(direct_indptr), ints(direct_target)
    # binding (codebook_py.c): direct_indptr has n_codes + 1 entries, n_targets
    # >= 0; qc_dimmap_build (qc/codebook.h): offsets (QC_EINVAL / QC_EORDER),
    # direct targets below n_targets (QC_EINDEX); a stamp array of n_targets.
    if len(indptr) != len(parent) + 1:
        v.bad(ValueError, "direct_indptr")
    else:
        check_offsets(v, indptr, len(target), "direct_indptr")
    if n_targets < 0:
        v.bad(ValueError, "n_targets")
    if any(not 0 <= t < n_targets for t in target):
        v.bad(IndexError, "direct_target")
    v.resource = n_targets > LIMIT
    if not v.valid:
        return v
    # qc_inherit (qc/codebook.h): "nearest" takes the direct targets of the
    # nearest ancestor-or-self that has any; "all" the union over every
    # ancestor-or-self. docs/conventions.md "Codebook roll-ups". Rows ascend
    # without repeats (qc_dimmap).
    direct = rows(indptr, target)
    rolled = []
    for code in range(len(parent)):
        path = [code]
        while parent[path[-1]] != -1:
            path.append(parent[path[-1]])
        taken: list
        if inherit == "nearest":
            taken = next((direct[c] for c in path if direct[c]), [])
        else:
            taken = [t for c in path for t in direct[c]]
        rolled.append(sorted(set(taken)))
    v.answer = rolled
    return v


def count_codes_oracle(indptr, code, map_indptr, map_target, n_targets, item_group=None,
                       coding_group=None, n_groups=1, unit="coding") -> Verdict:
    v = Verdict()
    indptr, code = ints(indptr), ints(code)
    item_group, coding_group = maybe_ints(item_group), maybe_ints(coding_group)
    ok = check_offsets(v, indptr, len(code), "indptr")
    reach = check_map(v, ints(map_indptr), ints(map_target), n_targets, "map")
    check_split(v, item_group, coding_group, n_groups, len(indptr) - 1, len(code))
    n_codes = len(map_indptr) - 1
    v.resource = n_groups >= 0 and n_targets >= 0 and too_big(n_groups, n_targets)
    in_group = coding_groups(indptr, item_group, coding_group) if ok and v.valid else None
    if in_group is not None and any(not 0 <= c < n_codes for c in code):
        in_group = None
    check_codes(v, code, n_codes)
    if in_group is None or reach is None:
        return v
    # qc_count_codes (qc/count.h): unit "coding" adds one per coding and
    # target its code reaches; "item" one per item, target and group
    # however many of its codings reach the target. Group -1 is left out.
    # docs/conventions.md "Counting".
    cells: Counter = Counter()
    for i in range(len(indptr) - 1):
        reached = [(in_group[k], t) for k in range(indptr[i], indptr[i + 1])
                   if in_group[k] != -1 for t in reach[code[k]]]
        cells.update(set(reached) if unit == "item" else reached)
    v.answer = ((n_groups, n_targets), dict(cells))
    return v


def cooccurrence_oracle(indptr, code, map_indptr, map_target, n_targets, near="self", window=0,
                        space=None, start=None, end=None, group=None, n_groups=1,
                        sparse=False) -> Verdict:
    v = Verdict()
    indptr, code, group = ints(indptr), ints(code), maybe_ints(group)
    place: dict[str, Any] = {"space": maybe_ints(space), "start": maybe_ints(start), "end": maybe_ints(end)}
    ok = check_offsets(v, indptr, len(code), "indptr")
    reach = check_map(v, ints(map_indptr), ints(map_target), n_targets, "map")
    n_segments = len(indptr) - 1
    # binding (cooc_py.c): n_groups >= 0; space, start, end and group have one
    # entry per segment when given; n_groups == 1 without group.
    if n_groups < 0:
        v.bad(ValueError, "n_groups")
    for name, array in [*place.items(), ("group", group)]:
        check_length(v, array, n_segments, name)
    if group is None and n_groups != 1:
        v.bad(ValueError, "n_groups")
    # qc_cooc_dense (qc/cooc.h) and check_segments: codes below the map's
    # n_codes (all segments, left out or not), groups in [-1, n_groups),
    # window >= 0 (cooc.py's _counts: "a whole number >= 0"), and for spans and
    # windows space and start (and end, for spans) given, start <= end,
    # segments sorted by (space, start): QC_EINVAL / QC_EORDER naming them.
    check_codes(v, code, len(map_indptr) - 1)
    check_groups(v, group, n_groups, "group")
    if near == "window" and window < 0:
        v.bad(ValueError, "window")
    needs = {"self": (), "window": ("space", "start"), "span": ("space", "start", "end")}[near]
    for name in needs:
        if place[name] is None and n_segments > 0:
            v.bad(ValueError, name)
    placed = all(place[n] is not None and len(place[n]) == n_segments for n in needs)
    if n_targets >= 0 and n_groups >= 0:
        v.resource = (n_groups * n_targets**2 > INT64_MAX or n_targets > LIMIT if sparse
                      else too_big(n_groups, n_targets, n_targets))
    if near != "self" and placed and n_segments > 0:
        space, start, end = place["space"], place["start"], place["end"]
        if near == "span" and any(e < s for s, e in zip(start, end)):
            v.bad(ValueError, "end")
        if any(b < a for a, b in zip(space, space[1:])):
            v.bad(ValueError, "space")
        if any(s1 == s2 and b < a for s1, s2, a, b in zip(space, space[1:], start, start[1:])):
            v.bad(ValueError, "start")
    if not v.valid or reach is None or not ok:
        return v
    # qc/cooc.h: within a segment every pair a <= b of its targets (the
    # diagonal counts segments); across neighbouring segments of one space and
    # group each pair of distinct targets once. Neighbours: none for "self";
    # spans sharing a code point or one within the other for "span"; starts at
    # most `window` apart for "window" (docs/conventions.md "Co-occurrence").
    # brute_force_cooccurrence (tests/reference.py) examines every pair.
    near_rule = {
        "self": lambda s, t: False,
        "span": lambda s, t: span_cooccurs(s[1], s[2], t[1], t[2]),
        "window": lambda s, t: abs(s[1] - t[1]) <= window,
    }[near]
    segments = [(*[(place[n] or [0] * n_segments)[s] for n in ("space", "start", "end")],
                 group[s] if group is not None else 0,
                 {t for c in code[indptr[s]:indptr[s + 1]] for t in reach[c]})
                for s in range(n_segments)]
    segments = [seg for seg in segments if seg[3] != -1]
    cells = brute_force_cooccurrence(segments, sorted(set(ints(map_target))), near_rule)
    v.answer = ((n_groups, n_targets, n_targets), cells)
    return v


def crosstab_oracle(indptr, code, a_indptr, a_target, n_a, b_indptr, b_target, n_b,
                    item_group=None, coding_group=None, n_groups=1, unit="coding") -> Verdict:
    v = Verdict()
    indptr, code = ints(indptr), ints(code)
    item_group, coding_group = maybe_ints(item_group), maybe_ints(coding_group)
    ok = check_offsets(v, indptr, len(code), "indptr")
    reach_a = check_map(v, ints(a_indptr), ints(a_target), n_a, "a")
    reach_b = check_map(v, ints(b_indptr), ints(b_target), n_b, "b")
    check_split(v, item_group, coding_group, n_groups, len(indptr) - 1, len(code))
    # qc_crosstab (qc/cooc.h): both maps cover the codebook of the codings
    # (QC_EINVAL naming "map"); codes are checked against map_a's n_codes.
    if len(a_indptr) != len(b_indptr):
        v.bad(ValueError, "map")
    check_codes(v, code, len(a_indptr) - 1)
    v.resource = min(n_groups, n_a, n_b) >= 0 and too_big(n_groups, n_a, n_b)
    if not v.valid or not ok or reach_a is None or reach_b is None:
        return v
    # qc_crosstab: unit "coding" adds one per coding to every (a, b) its code
    # reaches in map_a x map_b; unit "item" one per item and group to every
    # (a, b) that some coding of the item in that group reaches in a and some
    # (the same or another) in b. Group -1 is left out.
    in_group = coding_groups(indptr, item_group, coding_group)
    cells: Counter = Counter()
    for i in range(len(indptr) - 1):
        kept = [(in_group[k], code[k]) for k in range(indptr[i], indptr[i + 1]) if in_group[k] != -1]
        if unit == "coding":
            cells.update((g, a, b) for g, c in kept for a in reach_a[c] for b in reach_b[c])
        else:
            side_a = {(g, a) for g, c in kept for a in reach_a[c]}
            side_b = {(g, b) for g, c in kept for b in reach_b[c]}
            cells.update((g, a, b) for g, a in side_a for h, b in side_b if g == h)
    v.answer = ((n_groups, n_a, n_b), dict(cells))
    return v


# ---- valid inputs, sometimes spoiled --------------------------------------------

GROUPS = ("item_group", "coding_group")
MAP = ("map_indptr", "map_target", "n_targets")


def below(n: int) -> st.SearchStrategy:
    return st.integers(0, n - 1) if n > 0 else st.nothing()


@st.composite
def few(draw, most: int) -> int:
    """A number in 1..most, or now and then 0. Hypothesis tries its simplest
    choices often; here they give 1, so that results are seldom all empty."""
    return 0 if draw(st.integers(0, 7)) == 7 else draw(st.integers(1, most))


@st.composite
def row(draw, entry: st.SearchStrategy, rows_of) -> list:
    """One to three entries (ascending when rows_of is st.sets), now and then none."""
    if entry.is_empty or draw(st.integers(0, 4)) == 4:
        return []
    drawn = draw(rows_of(entry, min_size=1, max_size=3))
    return sorted(drawn) if rows_of is st.sets else drawn


@st.composite
def csr(draw, n_rows: int, entry: st.SearchStrategy, rows_of=st.lists):
    """(indptr, entries) of n_rows rows."""
    drawn = draw(st.lists(row(entry, rows_of), min_size=n_rows, max_size=n_rows))
    return as_array([0, *accumulate(map(len, drawn))]), as_array([x for r in drawn for x in r])


@st.composite
def forests(draw, max_codes: int = 6) -> np.ndarray:
    """Parent indices of a forest: each code's parent comes earlier in a
    shuffled order, so no chain loops."""
    order = draw(st.permutations(range(draw(few(max_codes)))))
    parent = [-1] * len(order)
    for rank, child in enumerate(order):
        if rank and draw(st.booleans()):
            parent[child] = order[draw(st.integers(0, rank - 1))]
    return as_array(parent)


@st.composite
def dimension_maps(draw, n_codes: int) -> tuple:
    """(indptr, target, n_targets): rows ascending and distinct."""
    n_targets = draw(few(5))
    indptr, target = draw(csr(n_codes, below(n_targets), rows_of=st.sets))
    return indptr, target, n_targets


@st.composite
def codings(draw) -> dict:
    """CSR codings of a codebook of n_codes codes, with its map, a split and a unit."""
    n_codes = draw(few(5))
    map_indptr, map_target, n_targets = draw(dimension_maps(n_codes))
    indptr, code = draw(csr(draw(few(6)), below(n_codes)))
    split = draw(st.sampled_from([None, "item_group", "coding_group"]))
    n_groups = draw(few(3)) if split else 1
    args = {"indptr": indptr, "code": code, "map_indptr": map_indptr, "map_target": map_target,
            "n_targets": n_targets, "item_group": None, "coding_group": None, "n_groups": n_groups,
            "unit": draw(st.sampled_from(["coding", "item"]))}
    if split:
        length = len(indptr) - 1 if split == "item_group" else len(code)
        args[split] = as_array(draw(st.lists(st.integers(-1, n_groups - 1), min_size=length,
                                             max_size=length)))
    return args


def hostile(name: str, old, optional: bool) -> st.SearchStrategy:
    """Something to put in place of a valid argument: None only if optional."""
    if old is None:
        return arrays
    if isinstance(old, int):
        return values if name == "window" else sizes
    options = [arrays, *([st.none()] if optional else []),
               values.map(lambda x: np.append(old, np.int64(x))), st.just(old[:-1])]
    if len(old):
        options.append(st.tuples(st.integers(0, len(old) - 1), values).map(
            lambda at: np.concatenate([old[:at[0]], [at[1]], old[at[0] + 1:]]).astype(np.int64)))
    return st.one_of(options)


@st.composite
def spoiled(draw, valid: st.SearchStrategy, fields: tuple, optional: tuple = ()) -> dict:
    """Half the time a valid input as built; else one of `fields` spoiled.
    Only the `optional` ones may become None."""
    args = draw(valid)
    if draw(st.booleans()):
        return args
    name = draw(st.sampled_from(fields))
    args[name] = draw(hostile(name, args[name], name in optional))
    return args


@st.composite
def hierarchies(draw) -> dict:
    return {"parent": draw(forests())}


@st.composite
def direct_assignments(draw) -> dict:
    """Direct targets of each code, unsorted and possibly repeated (group
    memberships as Codebook gathers them) or one per code (a level)."""
    parent = draw(forests())
    n_targets = draw(few(5))
    indptr, target = draw(csr(len(parent), below(n_targets)))
    return {"parent": parent, "direct_indptr": indptr, "direct_target": target,
            "n_targets": n_targets, "inherit": draw(st.sampled_from(["nearest", "all"]))}


@st.composite
def segment_lists(draw) -> dict:
    """Segments sorted by (space, start) with short spans over few positions,
    so that touching, nested, identical and zero-length spans are common;
    now and then positions and window anywhere in int64."""
    args = draw(codings())
    n_segments, near = len(args["indptr"]) - 1, draw(st.sampled_from(["self", "span", "window"]))
    wide = draw(st.integers(0, 3)) == 3
    spans = sorted(draw(st.lists(st.tuples(st.integers(0, 1), values if wide else st.integers(0, 6),
                                           st.integers(0, 3)),
                                 min_size=n_segments, max_size=n_segments)))
    place: dict[str, Any] = {"space": [s for s, _, _ in spans], "start": [a for _, a, _ in spans],
                             "end": [min(a + n, INT64_MAX) for _, a, n in spans]}
    for name in place:  # given when needed, else only sometimes (then ignored)
        needed = near == "span" or (near == "window" and name != "end")
        place[name] = as_array(place[name]) if needed or draw(st.booleans()) else None
    group = args["item_group"]  # one per segment, like one per item
    window = draw(values.filter(lambda w: w >= 0) if wide else st.integers(0, 3))
    return {**{k: args[k] for k in ("indptr", "code", *MAP)}, "near": near, "window": window,
            **place, "group": group, "n_groups": args["n_groups"] if group is not None else 1}


@st.composite
def two_dimensions(draw) -> dict:
    args = draw(codings())
    n_codes = len(args.pop("map_indptr")) - 1
    args.pop("map_target")
    args.pop("n_targets")
    for side in ("a", "b"):
        args[f"{side}_indptr"], args[f"{side}_target"], args[f"n_{side}"] = draw(dimension_maps(n_codes))
    return args


# ---- the properties ------------------------------------------------------------

def same_depth(got, answer) -> None:
    assert got.dtype == np.int32 and ints(got) == answer


@SETTINGS
@given(args=spoiled(hierarchies(), ("parent",)))
def hierarchy_depth_property(args):
    expect(hierarchy_depth_oracle(**args), lambda: _core.hierarchy_depth(args["parent"]), same_depth)


def test_hierarchy_depth_matches_oracle():
    share_of_answers(hierarchy_depth_property)


def same_map(got, answer) -> None:
    indptr, target = got
    assert indptr.dtype == target.dtype == np.int64
    assert ints(indptr) == [0, *accumulate(map(len, answer))]
    assert ints(target) == [t for r in answer for t in r]


@SETTINGS
@given(args=spoiled(direct_assignments(), ("parent", "direct_indptr", "direct_target", "n_targets")))
def dimension_map_property(args):
    expect(dimension_map_oracle(**args), lambda: _core.dimension_map(*args.values()), same_map)


def test_dimension_map_matches_oracle():
    share_of_answers(dimension_map_property)


@SETTINGS
@given(args=spoiled(codings(), ("indptr", "code", *MAP, *GROUPS, "n_groups"), GROUPS))
@example(args=COUNT_LEFT_OUT_BAD_CODE)
def count_codes_property(args):
    expect(count_codes_oracle(**args), lambda: _core.count_codes(**args), same_dense)


def test_count_codes_matches_oracle():
    share_of_answers(count_codes_property)


@SETTINGS
@given(args=spoiled(segment_lists(), ("indptr", "code", *MAP, "window", "space", "start", "end",
                                      "group", "n_groups"), ("space", "start", "end", "group")))
@example(args=WINDOW_FAR_APART)
def cooccurrence_property(args):
    # dense and sparse on the same input: each must match the oracle, so they agree
    for sparse, same in ((False, same_dense), (True, same_sparse)):
        expect(cooccurrence_oracle(**args, sparse=sparse),
               lambda sparse=sparse: _core.cooccurrence(**args, sparse=sparse), same)


def test_cooccurrence_matches_oracle():
    share_of_answers(cooccurrence_property)


@SETTINGS
@given(args=spoiled(two_dimensions(), ("indptr", "code", "a_indptr", "a_target", "n_a", "b_indptr",
                                       "b_target", "n_b", *GROUPS, "n_groups"), GROUPS))
def crosstab_property(args):
    expect(crosstab_oracle(**args), lambda: _core.crosstab(**args), same_dense)


def test_crosstab_matches_oracle():
    share_of_answers(crosstab_property)


# ---- discrepancies the oracles found (fixed) -------------------------------------

def test_count_codes_checks_codes_of_left_out_items():
    # qc/count.h: code[k] is "below n_codes" for every coding, and a code out of
    # range is QC_EINDEX, as cooccurrence and crosstab say in left-out segments
    # and items; count_codes returned [[0]].
    assert not count_codes_oracle(**COUNT_LEFT_OUT_BAD_CODE).valid
    with pytest.raises(IndexError, match=r"\bcode\[0\]"):
        _core.count_codes(**COUNT_LEFT_OUT_BAD_CODE)


@pytest.mark.parametrize("sparse", [False, True])
def test_window_far_apart_does_not_overflow(sparse):
    # qc/cooc.h: QC_NEAR_WINDOW pairs "positions start in one space at most
    # `window` apart". Starts -1 and 2**63 - 1 are 2**63 apart; an int64
    # difference wrapped to -2**63 <= 0 and the pair (0, 1) was counted once.
    got = _core.cooccurrence(**WINDOW_FAR_APART, sparse=sparse)
    cells = {(0, 0, 0): 1, (0, 1, 1): 1}  # each segment alone; no pair across
    (same_sparse if sparse else same_dense)(got, ((1, 2, 2), cells))
