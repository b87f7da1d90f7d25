"""Hostile arrays into every _core entry point: the result is either a Python
exception or an answer equal to a pure-Python oracle, never a crash."""
from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qdacore import _core

small = st.integers(min_value=-3, max_value=8)
big = st.sampled_from([-(2**63), -1, 0, 1, 2**31, 2**62, 2**63 - 1])
values = st.one_of(small, big)
arrays = st.lists(values, max_size=12).map(lambda v: np.array(v, dtype=np.int64))
SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
ERRORS = (ValueError, IndexError, OverflowError, MemoryError, TypeError)


@SETTINGS
@given(parent=arrays)
def test_hierarchy_depth_never_crashes(parent):
    try:
        depth = _core.hierarchy_depth(parent)
    except ERRORS:
        return
    for i, d in enumerate(depth):  # walking up takes exactly depth steps
        at, steps = i, 0
        while parent[at] != -1:
            at, steps = parent[at], steps + 1
        assert steps == d


@SETTINGS
@given(parent=arrays, indptr=arrays, target=arrays, n_targets=small, inherit=st.sampled_from(["nearest", "all"]))
def test_dimension_map_never_crashes(parent, indptr, target, n_targets, inherit):
    try:
        _core.dimension_map(parent, indptr, target, n_targets, inherit)
    except ERRORS:
        pass


@SETTINGS
@given(indptr=arrays, code=arrays, map_indptr=arrays, map_target=arrays, n_targets=small,
       group=st.one_of(st.none(), arrays), n_groups=small, unit=st.sampled_from(["codings", "items"]))
def test_count_codes_never_crashes(indptr, code, map_indptr, map_target, n_targets, group, n_groups, unit):
    for kwargs in ({"item_group": group}, {"coding_group": group}):
        try:
            _core.count_codes(indptr, code, map_indptr, map_target, n_targets, unit=unit,
                              n_groups=n_groups if group is not None else 1, **kwargs)
        except ERRORS:
            pass


@SETTINGS
@given(indptr=arrays, code=arrays, map_indptr=arrays, map_target=arrays, n_targets=small,
       near=st.sampled_from(["self", "span", "window"]), window=values,
       space=st.one_of(st.none(), arrays), start=st.one_of(st.none(), arrays),
       end=st.one_of(st.none(), arrays), group=st.one_of(st.none(), arrays), n_groups=small,
       sparse=st.booleans())
def test_cooccurrence_never_crashes(indptr, code, map_indptr, map_target, n_targets, near, window,
                                    space, start, end, group, n_groups, sparse):
    try:
        _core.cooccurrence(indptr, code, map_indptr, map_target, n_targets, near=near,
                           window=int(window), space=space, start=start, end=end, group=group,
                           n_groups=n_groups if group is not None else 1, sparse=sparse)
    except ERRORS:
        pass


@SETTINGS
@given(indptr=arrays, code=arrays, a=st.tuples(arrays, arrays, small), b=st.tuples(arrays, arrays, small),
       unit=st.sampled_from(["codings", "items"]))
def test_crosstab_never_crashes(indptr, code, a, b, unit):
    try:
        _core.crosstab(indptr, code, *a, *b, unit=unit)
    except ERRORS:
        pass
