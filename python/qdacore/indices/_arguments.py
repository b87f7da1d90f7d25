"""Argument handling shared by the indices: real-valued vectors and matrices
(with their pandas labels), ``by=`` group labels to integer codes, the
``nan_policy`` check, the runner of a grouped C kernel and the shape of its
result (a float, or a Series over the groups)."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any, Optional, Union

import numpy as np
import pandas as pd

from .. import _core
from .. import _validate as check

Scalar = Union[float, pd.Series]


def _real(values: Any, name: str, ndim: int) -> np.ndarray:
    """values as a float64 array of ndim dimensions, refusing other dtypes."""
    array = np.asarray(values)
    if array.dtype.kind not in "iuf":
        raise TypeError(f"{name} must hold real numbers, got dtype {array.dtype}")
    if array.ndim != ndim:
        raise ValueError(f"{name} must be {ndim}-dimensional, got {array.ndim} dimensions")
    return array.astype(np.float64, copy=False)


def vector(values: Any, name: str) -> tuple[np.ndarray, Optional[pd.Index]]:
    """float64 values of a 1-d input and its labels when it is a Series."""
    labels = values.index if isinstance(values, pd.Series) else None
    if isinstance(values, (pd.Series, pd.Index)):
        if not (pd.api.types.is_numeric_dtype(values.dtype) and not pd.api.types.is_bool_dtype(values.dtype)):
            raise TypeError(f"{name} must hold real numbers, got dtype {values.dtype}")
        values = values.to_numpy(dtype=float, na_value=np.nan)
    return _real(values, name, 1), labels


def matrix(values: Any, name: str) -> tuple[np.ndarray, Optional[pd.Index], Optional[pd.Index]]:
    """float64 values of a 2-d input and its row and column labels (DataFrame)."""
    rows = cols = None
    if isinstance(values, pd.DataFrame):
        rows, cols = values.index, values.columns
        if not all(pd.api.types.is_numeric_dtype(t) and not pd.api.types.is_bool_dtype(t)
                   for t in values.dtypes):
            raise TypeError(f"{name} must hold real numbers in every column")
        values = values.to_numpy(dtype=float, na_value=np.nan)
    return np.ascontiguousarray(_real(values, name, 2)), rows, cols


def groups(by: Any, n: int) -> tuple[Optional[np.ndarray], Optional[pd.Index]]:
    """Integer codes (-1 for a missing label) and the labels, in first-appearance order."""
    if by is None:
        return None, None
    name = getattr(by, "name", None)
    if not isinstance(by, (pd.Series, pd.Index, pd.Categorical, np.ndarray)):
        by = np.asarray(by, dtype=object)
    if len(by) != n:
        raise ValueError(f"by must have one label per value ({n}), got {len(by)}")
    name = name if name is not None else "group"
    found = _integer_codes(by)
    if found is not None:
        return found[0], pd.Index(found[1], name=name)
    codes, uniques = pd.factorize(by, sort=False)
    return codes.astype(np.int64, copy=False), pd.Index(uniques, name=name)


def _integer_codes(by: Any) -> Optional[tuple[np.ndarray, np.ndarray]]:
    """Codes and labels of integer labels over a range a table can cover
    (region codes, years, ids), in the order pandas.factorize gives them;
    None for other labels, which pandas hashes."""
    values = by.to_numpy() if isinstance(by, (pd.Series, pd.Index)) else by
    if not (isinstance(values, np.ndarray) and values.dtype.kind in "iu" and len(values)
            and values.dtype != np.uint64):
        return None
    # a table of up to two entries a label (or 65,536 entries), 16 bytes a
    # label at most: about the size of pandas' hash table, and 4x faster
    found = _core.label_codes(values.astype(np.int64, copy=False), max(2 * len(values), 1 << 16))
    if found is None:
        return None
    codes, first = found
    return codes, values[first]


def policy(nan_policy: str) -> str:
    return check.choice(nan_policy, "nan_policy", check.NAN_POLICIES)


def grouped(kernel: Callable, public: str, x: Any, by: Any, nan_policy: str,
            name: str = "x", *args, **kwargs):
    """Runs a grouped kernel; returns (raw outputs, group labels or None, the
    float64 values and the group codes)."""
    values, _ = vector(x, name)
    codes, labels = groups(by, len(values))
    n_groups = 1 if labels is None else len(labels)
    result = check.call_kernel(kernel, public, {"x": (name, values)}, values, *args, group=codes,
                               n_groups=n_groups, nan_policy=policy(nan_policy), **kwargs)
    return result, labels, values, codes


def shape(values: np.ndarray, labels: Optional[pd.Index], name: str) -> Scalar:
    """A float for an ungrouped call, else a Series over the group labels."""
    if labels is None:
        return float(values[0])
    return pd.Series(values, index=labels, name=name)
