"""Reliability data encoded for the C kernels: :class:`Ratings`,
:func:`reliability_data` (either shape of input, labels or numbers, to codes),
and the agreement weights between categories (:func:`weight_matrix`)."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Optional

import numpy as np
import pandas as pd

from .. import _core

#: Named agreement weights (``weights=``).
WEIGHTS = ("identity", "linear", "quadratic", "ordinal", "radical", "ratio")


@dataclass(frozen=True)
class Ratings:
    """Reliability data encoded for the C kernels.

    ``codes`` is units x coders, each entry the position of the value in
    ``categories`` or -1 when missing.

    Examples
    --------
    >>> from qdacore.agree import reliability_data
    >>> r = reliability_data([["a", "b"], ["a", None]])
    >>> r.codes.tolist(), r.categories.tolist(), r.numeric
    ([[0, 0], [1, -1]], ['a', 'b'], False)
    """

    codes: np.ndarray
    categories: pd.Index
    units: pd.Index
    coders: pd.Index
    ordered: bool

    @property
    def numeric(self) -> bool:
        """True when the categories are numbers (not booleans)."""
        return pd.api.types.is_numeric_dtype(self.categories) and not pd.api.types.is_bool_dtype(
            self.categories)

    @property
    def category_values(self) -> np.ndarray:
        """Values of the categories for interval, ratio and weights: the numbers
        themselves, or positions 1..q for labels."""
        if self.numeric:
            return self.categories.to_numpy(dtype=float)
        return np.arange(1, len(self.categories) + 1, dtype=float)

    def subset(self, coder_positions: Sequence[int]) -> Ratings:
        """The ratings of some coders, given by their positions in :attr:`coders`."""
        chosen = list(coder_positions)
        return Ratings(self.codes[:, chosen], self.categories, self.units, self.coders[chosen],
                       self.ordered)


def _encode(values: pd.Series, categories) -> tuple[np.ndarray, pd.Index, bool]:
    present = values.notna().to_numpy()
    ordered = False
    if categories is not None:
        cats = pd.Index(categories)
        if not cats.is_unique:
            raise ValueError("categories= has repeated values")
        ordered = True
    elif isinstance(values.dtype, pd.CategoricalDtype):
        cats = pd.Index(values.cat.categories)
        ordered = bool(values.cat.ordered)
    else:
        observed = pd.unique(values[present])
        try:
            cats = pd.Index(sorted(observed))
        except TypeError:
            raise TypeError("values mix types that cannot be ordered (e.g. numbers and "
                            "text); pass categories= to fix their order") from None
        ordered = pd.api.types.is_numeric_dtype(cats) and not pd.api.types.is_bool_dtype(cats)
    codes = np.full(len(values), -1, dtype=np.int64)
    where = cats.get_indexer(pd.Index(values[present].to_numpy(dtype=object)))
    if (where < 0).any():
        unknown = pd.unique(values[present][where < 0])[:5]
        raise ValueError(f"values {list(unknown)!r} are not among categories=; add them "
                         "or leave categories unset")
    codes[present] = where
    return codes, cats, ordered


def _all_numbers(values) -> bool:
    return all(isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool)
               for v in values)


def _numeric_matrix(data) -> Optional[np.ndarray]:
    """data as a 2-d float array when it is numeric (NaN for missing), else None."""
    if isinstance(data, pd.DataFrame):
        if not all(pd.api.types.is_numeric_dtype(d) and not pd.api.types.is_bool_dtype(d)
                   for d in data.dtypes):
            return None
        return data.to_numpy(dtype=float, na_value=np.nan)
    array = np.asarray(data) if not isinstance(data, np.ndarray) else data
    if array.dtype.kind in "iuf" and array.ndim == 2:
        return array.astype(float, copy=False)
    return None


#: Most distinct values the coincidence matrix (K x K) may hold.
MAX_CATEGORIES = 4096


def _encode_numeric(matrix: np.ndarray, data, categories) -> Ratings:
    """The fast path for numbers: encoded in C in one hashing pass."""
    codes, cats = _core.agree_encode(np.ascontiguousarray(matrix, dtype=float))
    if categories is not None:
        given = np.asarray(list(categories), dtype=float)
        if len(np.unique(given)) != len(given):
            raise ValueError("categories= has repeated values")
        if (np.diff(given) < 0).any():
            raise ValueError("numeric categories= must be given in ascending order")
        where = np.searchsorted(given, cats)
        found = (where < len(given)) & (given[np.minimum(where, len(given) - 1)] == cats) \
            if len(given) else np.zeros(len(cats), bool)
        if not found.all():
            raise ValueError(f"values {cats[~found][:5].tolist()!r} are not among categories=; "
                             "add them or leave categories unset")
        codes = np.where(codes >= 0, where[np.maximum(codes, 0)], -1)
        cats = given
    if len(cats) > MAX_CATEGORIES:
        raise ValueError(f"the ratings hold {len(cats):,} distinct values; agreement needs a "
                         f"K x K coincidence matrix, so at most {MAX_CATEGORIES:,}: round or bin "
                         "the values first")
    coders: pd.Index
    units: pd.Index
    if isinstance(data, pd.DataFrame):
        coders, units = pd.Index(data.index, name="coder"), pd.Index(data.columns, name="unit")
    else:
        coders = pd.RangeIndex(matrix.shape[0], name="coder")
        units = pd.RangeIndex(matrix.shape[1], name="unit")
    integral = cats.size and np.isfinite(cats).all() and (cats == np.round(cats)).all()
    as_int = integral and np.issubdtype(np.asarray(data).dtype if not isinstance(data, pd.DataFrame)
                                        else np.result_type(*data.dtypes), np.integer)
    cats_index = pd.Index(cats.astype(np.int64) if as_int else cats)
    return Ratings(codes, cats_index, units, coders, True)


def reliability_data(data: Any, *, unit_column: str = "unit", coder_column: str = "coder",
                     value_column: str = "value", categories: Optional[Sequence] = None) -> Ratings:
    """Encode reliability data (either shape, see the module docstring).

    Examples
    --------
    >>> from qdacore.agree import reliability_data
    >>> r = reliability_data([[1, 2, None], [1, 3, 3]])
    >>> r.codes.tolist(), list(r.categories)
    ([[0, 0], [1, 2], [-1, 2]], [1.0, 2.0, 3.0])
    """
    if isinstance(data, Ratings):
        return data
    unit, coder, value = unit_column, coder_column, value_column
    if isinstance(data, pd.DataFrame) and {unit, coder, value} <= set(data.columns):
        long = data[[unit, coder, value]]
        if long.duplicated([unit, coder]).any():
            dup = long[long.duplicated([unit, coder])].iloc[0]
            raise ValueError(f"data has two values for unit {dup[unit]!r} by coder "
                             f"{dup[coder]!r}; each coder rates a unit once")
        unit_codes, units = pd.factorize(long[unit], sort=True)
        coder_codes, coders = pd.factorize(long[coder], sort=True)
        if (unit_codes < 0).any() or (coder_codes < 0).any():
            raise ValueError(f"data has missing {unit!r} or {coder!r} entries")
        codes, cats, ordered = _encode(long[value].reset_index(drop=True), categories)
        matrix = np.full((len(units), len(coders)), -1, dtype=np.int64)
        matrix[unit_codes, coder_codes] = codes
        return Ratings(matrix, cats, pd.Index(units, name="unit"),
                       pd.Index(coders, name="coder"), ordered)
    numeric = _numeric_matrix(data)
    if numeric is not None and (categories is None or _all_numbers(categories)):
        return _encode_numeric(numeric, data, categories)
    if isinstance(data, pd.DataFrame):
        coders, units = pd.Index(data.index, name="coder"), pd.Index(data.columns, name="unit")
        cat_dtypes = {d for d in data.dtypes if isinstance(d, pd.CategoricalDtype)}
        flat = data.T.stack(future_stack=True) if len(cat_dtypes) != 1 else \
            pd.Series(pd.Categorical(data.to_numpy().T.ravel(), dtype=cat_dtypes.pop()))
        values = pd.Series(np.asarray(flat, dtype=object)) if not isinstance(
            flat.dtype, pd.CategoricalDtype) else flat.reset_index(drop=True)
    else:
        array = np.asarray(data, dtype=object)
        if array.ndim != 2:
            raise ValueError(f"data must be coders x units (2-d) or a long DataFrame with "
                             f"columns {unit!r}, {coder!r}, {value!r}; got {array.ndim}-d input")
        coders = pd.RangeIndex(array.shape[0], name="coder")
        units = pd.RangeIndex(array.shape[1], name="unit")
        values = pd.Series(array.T.ravel())
        values = values.infer_objects()
    codes, cats, ordered = _encode(values, categories)
    return Ratings(codes.reshape(len(units), len(coders)), cats, units, coders, ordered)


def weight_matrix(weights: Any, ratings: Ratings, *, weight_by: str = "auto") -> Optional[np.ndarray]:
    """The q x q agreement weights for ``weights=`` (None for identity).

    ``weight_by="value"`` uses numeric category values, ``"position"`` their
    positions 1..q, ``"auto"`` values for numbers and positions for labels.

    Examples
    --------
    >>> from qdacore.agree import reliability_data, weight_matrix
    >>> weight_matrix("linear", reliability_data([[1, 2, 3], [1, 3, 3]]))
    array([[1. , 0.5, 0. ],
           [0.5, 1. , 0.5],
           [0. , 0.5, 1. ]])
    """
    if weights is None or (isinstance(weights, str) and weights == "identity"):
        return None
    q = len(ratings.categories)
    if not isinstance(weights, str):
        w = np.asarray(weights, dtype=float)
        if w.shape != (q, q):
            raise ValueError(f"weights must be a {q} x {q} matrix (one row per category), "
                             f"got shape {w.shape}")
        return w
    if weights not in WEIGHTS:
        raise ValueError(f"weights must be one of {WEIGHTS} or a matrix, got {weights!r}")
    if weight_by not in ("auto", "value", "position"):
        raise ValueError(f"weight_by must be 'auto', 'value' or 'position', got {weight_by!r}")
    if weight_by == "position" or (weight_by == "auto" and not ratings.numeric):
        x = np.arange(1, q + 1, dtype=float)
    else:
        if not ratings.numeric:
            raise ValueError("weight_by='value' needs numeric categories")
        x = ratings.category_values
    span = x.max() - x.min() if q else 0.0
    if q < 2 or span == 0:
        return np.ones((q, q))
    diff = np.abs(x[:, None] - x[None, :])
    if weights == "linear":
        return 1 - diff / span
    if weights == "quadratic":
        return 1 - (diff / span) ** 2
    if weights == "radical":
        return 1 - np.sqrt(diff) / np.sqrt(span)
    if weights == "ordinal":
        steps = np.abs(np.arange(q)[:, None] - np.arange(q)[None, :]) + 1
        m = steps * (steps - 1) / 2
        return 1 - m / m.max()
    if (x <= 0).any():
        raise ValueError("ratio weights need positive category values")
    return 1 - ((x[:, None] - x[None, :]) / (x[:, None] + x[None, :])) ** 2 / \
        ((x.max() - x.min()) / (x.max() + x.min())) ** 2
