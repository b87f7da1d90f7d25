# Stubs for the C extension qdacore._core (csrc/binding). Checked against the
# built module by mypy.stubtest in tests/test_core.py.
from typing import Any, Literal, Optional

import numpy as np
import numpy.typing as npt

ALLOC_TESTING: int

def hierarchy_depth(parent: npt.ArrayLike, /) -> npt.NDArray[np.int32]: ...
def dimension_map(
    parent: npt.ArrayLike,
    direct_indptr: npt.ArrayLike,
    direct_target: npt.ArrayLike,
    n_targets: int,
    inherit: Literal["nearest", "all"],
    /,
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]: ...
def count_codes(
    indptr: npt.ArrayLike,
    code: npt.ArrayLike,
    map_indptr: npt.ArrayLike,
    map_target: npt.ArrayLike,
    n_targets: int,
    *,
    item_group: Optional[npt.ArrayLike] = None,
    coding_group: Optional[npt.ArrayLike] = None,
    n_groups: int = 1,
    unit: Literal["codings", "items"] = "codings",
) -> npt.NDArray[np.int64]: ...
def cooccurrence(
    indptr: npt.ArrayLike,
    code: npt.ArrayLike,
    map_indptr: npt.ArrayLike,
    map_target: npt.ArrayLike,
    n_targets: int,
    *,
    near: Literal["self", "span", "window"] = "self",
    window: int = 0,
    space: Optional[npt.ArrayLike] = None,
    start: Optional[npt.ArrayLike] = None,
    end: Optional[npt.ArrayLike] = None,
    group: Optional[npt.ArrayLike] = None,
    n_groups: int = 1,
    sparse: bool = False,
) -> Any: ...
def crosstab(
    indptr: npt.ArrayLike,
    code: npt.ArrayLike,
    a_indptr: npt.ArrayLike,
    a_target: npt.ArrayLike,
    n_a: int,
    b_indptr: npt.ArrayLike,
    b_target: npt.ArrayLike,
    n_b: int,
    *,
    item_group: Optional[npt.ArrayLike] = None,
    coding_group: Optional[npt.ArrayLike] = None,
    n_groups: int = 1,
    unit: Literal["codings", "items"] = "codings",
) -> npt.NDArray[np.int64]: ...
