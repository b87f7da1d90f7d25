"""Inter-coder agreement, exact and fast, computed in C.

Reliability data
----------------
Every function takes reliability data in one of two shapes:

* a coders x units array (list of lists, numpy array, or a DataFrame with coders
  as rows and units as columns), ``NaN``/``None`` for a missing rating, as the
  ``krippendorff`` package takes it; or
* a long DataFrame with columns ``unit``, ``coder`` and ``value`` (other names
  through ``unit_column=``, ``coder_column=``, ``value_column=``).

Values may be numbers or labels. ``categories=`` fixes the list of categories
and their order (categories nobody used still count for ``q``, the number of
categories, as in Gwet 2014); otherwise it is the sorted set of values used.

Conventions that change a number
--------------------------------
* **Missing ratings** (Gwet 2014, ch. 2-4): percent agreement ``pa`` averages
  over units rated by at least two coders; the category shares ``pi_k`` average
  ``r_uk / r_u`` over units rated by at least one coder; Conger's chance
  agreement uses each coder's marginals over the units that coder rated.
  Units nobody rated are dropped. ``cohen_kappa``, ``scott_pi`` and ``holsti``
  compare two coders on the units both rated.
* **Weights** are agreement weights ``w_kl`` in [0, 1] (1 on the diagonal):
  ``"linear"`` ``1 - |x_k - x_l| / (x_max - x_min)``, ``"quadratic"``
  ``1 - (x_k - x_l)^2 / (x_max - x_min)^2``, ``"ordinal"``, ``"radical"`` and
  ``"ratio"`` as Gwet (2014) defines them, or a q x q matrix. ``x`` are the
  category **values** when the categories are numbers and their positions
  1..q otherwise (Gwet, irrCAC); ``cohen_kappa`` uses **positions** by default,
  as scikit-learn and Cohen (1968) do (``weight_by="value"`` to change it).
* **Krippendorff's alpha** is built from the coincidence matrix with the
  nominal, ordinal (ranks by category order, Krippendorff 2011), interval or
  ratio difference function (``metric=``, the ``krippendorff`` package's
  ``level_of_measurement``); ordinal data must have ordered categories
  (numbers, an ordered pandas Categorical, or ``categories=``).
* **Undefined values**: a coefficient whose denominator is 0 (a single
  category, all ratings identical so that chance agreement is 1, no unit rated
  twice) is ``NaN`` with a ``RuntimeWarning`` saying why, never a finite number.
  Fewer than two coders raises ``ValueError``.
* **Confidence intervals** are percentile intervals of seeded bootstraps:
  Krippendorff's algorithm for alpha (alpha-boot, 2006 rev. 2011: each replicate
  draws the data's number of pairable value pairs from the coincidence matrix
  and keeps D_e), and resampling of units (Efron) for every other coefficient,
  or for alpha with ``bootstrap="units"``.
"""
from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal, Optional, Union, cast

import numpy as np
import pandas as pd

from . import _core
from ._model import CodedProject
from ._progress import track

__all__ = [
    "Ratings", "reliability_data", "percent_agreement", "holsti", "cohen_kappa",
    "scott_pi", "fleiss_kappa", "brennan_prediger", "gwet_ac1", "conger_kappa",
    "krippendorff_alpha", "agreement", "weight_matrix", "project_agreement",
    "coding_comparison", "METHODS", "METRICS", "WEIGHTS", "MAX_CATEGORIES",
]

_Kernel = Literal["percent", "fleiss", "gwet", "brennan_prediger", "conger", "alpha"]
_Metric = Literal["nominal", "ordinal", "interval", "ratio"]

#: Coefficients of :func:`agreement`, by name (C method underneath).
METHODS: dict[str, _Kernel] = {"percent": "percent", "fleiss": "fleiss", "gwet": "gwet", "ac1": "gwet",
           "brennan_prediger": "brennan_prediger", "conger": "conger",
           "krippendorff": "alpha", "alpha": "alpha", "cohen": "conger", "scott": "fleiss",
           "holsti": "percent"}
#: Difference functions of Krippendorff's alpha (``metric=``).
METRICS = ("nominal", "ordinal", "interval", "ratio")
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


def _check_coders(r: Ratings, minimum: int = 2) -> None:
    if r.codes.shape[1] < minimum:
        raise ValueError(f"agreement needs at least {minimum} coders; the data have "
                         f"{r.codes.shape[1]}")
    if len(r.categories) == 0:
        raise ValueError("the data hold no rating at all: there is nothing to compare")


def _check_paired(tally: dict) -> None:
    if tally["paired_units"] == 0:
        raise ValueError("no unit is rated by two coders: there is nothing to compare")


def _warn_nan(value: float, what: str, reason: str) -> float:
    if np.isnan(value):
        warnings.warn(f"{what} is undefined (0/0): {reason}; returning NaN",
                      RuntimeWarning, stacklevel=3)
    return value


def _metric(name: str, r: Ratings) -> tuple[_Metric, Optional[np.ndarray]]:
    if name not in METRICS:
        raise ValueError(f"metric must be one of {METRICS}, got {name!r}")
    metric = cast(_Metric, name)
    if metric == "ordinal" and not r.ordered:
        raise ValueError("metric='ordinal' needs ordered categories: numbers, an ordered "
                         "pandas Categorical, or categories= in their order")
    if metric in ("interval", "ratio"):
        if not r.numeric:
            raise ValueError(f"metric={metric!r} needs numeric values")
        if metric == "ratio" and (r.category_values < 0).any():
            raise ValueError("metric='ratio' needs non-negative values")
        return metric, r.category_values
    return metric, None


@dataclass(frozen=True)
class _Result:
    observed: float
    expected: float
    value: float
    tally: dict


def _compute(r: Ratings, method: _Kernel, weights=None, metric: str = "nominal") -> _Result:
    kind, values = _metric(metric, r) if method == "alpha" else ("nominal", None)
    parts = {"alpha": 1, "conger": 2}.get(method, 0)  # only what the method reads
    tally = _core.agree_tally(r.codes, len(r.categories), weights=weights, parts=parts)
    _check_paired(tally)
    observed, expected, value = _core.agree_coefficient(
        tally, method, weights=weights, metric=kind, category_values=values)
    return _Result(observed, expected, value, tally)


def _reason(r: Ratings, result: _Result) -> str:
    if len(r.categories) < 2:
        return "only one category"
    return "chance agreement is 1 (every rating falls in one category)"


def _simple(data, method: _Kernel, weights=None, *, categories=None, weight_by="auto",
            **columns) -> float:
    r = reliability_data(data, categories=categories, **columns)
    _check_coders(r)
    res = _compute(r, method, weight_matrix(weights, r, weight_by=weight_by))
    return _warn_nan(res.value, method, _reason(r, res))


def percent_agreement(data, *, weights=None, categories=None, **columns) -> float:
    """Share of agreeing pairs of ratings, averaged over units rated at least twice
    (Gwet 2014's ``pa``; weighted with ``weights``).

    Examples
    --------
    >>> from qdacore.agree import percent_agreement
    >>> percent_agreement([["a", "b", "a"], ["a", "b", "b"]])
    0.6666666666666666
    """
    return _simple(data, "percent", weights, categories=categories, **columns)


def fleiss_kappa(data, *, weights=None, categories=None, weight_by="auto", **columns) -> float:
    """Fleiss' kappa for any number of coders, with missing ratings as Gwet (2014)
    handles them; weighted with ``weights``.

    Examples
    --------
    Fleiss (1971): 10 subjects, 14 raters, 5 categories.

    >>> import numpy as np
    >>> from qdacore.agree import fleiss_kappa
    >>> counts = [[0,0,0,0,14],[0,2,6,4,2],[0,0,3,5,6],[0,3,9,2,0],[2,2,8,1,1],
    ...           [7,7,0,0,0],[3,2,6,3,0],[2,5,3,2,2],[6,5,2,1,0],[0,2,2,3,7]]
    >>> data = np.array([np.repeat(np.arange(5), c) for c in counts]).T  # raters x subjects
    >>> round(fleiss_kappa(data), 3)
    0.21
    """
    return _simple(data, "fleiss", weights, categories=categories, weight_by=weight_by, **columns)


def brennan_prediger(data, *, weights=None, categories=None, weight_by="auto", **columns) -> float:
    """Brennan and Prediger's coefficient: chance agreement ``T_w / q^2``.

    Examples
    --------
    >>> from qdacore.agree import brennan_prediger
    >>> round(brennan_prediger([["a", "b", "a", "a"], ["a", "b", "b", "a"]]), 3)
    0.5
    """
    return _simple(data, "brennan_prediger", weights, categories=categories,
                   weight_by=weight_by, **columns)


def gwet_ac1(data, *, weights=None, categories=None, weight_by="auto", **columns) -> float:
    """Gwet's AC1 (AC2 with ``weights``).

    Examples
    --------
    >>> from qdacore.agree import gwet_ac1
    >>> round(gwet_ac1([["a", "b", "a", "a"], ["a", "b", "b", "a"]]), 3)
    0.529
    """
    return _simple(data, "gwet", weights, categories=categories, weight_by=weight_by, **columns)


def conger_kappa(data, *, weights=None, categories=None, weight_by="auto", **columns) -> float:
    """Conger's kappa: Cohen's kappa generalised to any number of coders.

    Examples
    --------
    >>> from qdacore.agree import conger_kappa
    >>> round(conger_kappa([["a", "b", "a", "a"], ["a", "b", "b", "a"]]), 3)
    0.5
    """
    return _simple(data, "conger", weights, categories=categories, weight_by=weight_by, **columns)


def _pair(a, b, categories) -> Ratings:
    a, b = list(a), list(b)
    if len(a) != len(b):
        raise ValueError(f"a and b rate the same units: got {len(a)} and {len(b)} ratings")
    r = reliability_data([a, b], categories=categories)
    both = np.flatnonzero((r.codes >= 0).all(axis=1))
    if not len(both):
        raise ValueError("a and b have no unit both rated")
    if categories is None:  # the categories of the compared units, as scikit-learn takes them
        used = np.unique(r.codes[both])
        recode = np.full(len(r.categories), -1, dtype=np.int64)
        recode[used] = np.arange(len(used))
        return Ratings(recode[r.codes[both]], r.categories[used], r.units[both], r.coders,
                       r.ordered)
    return Ratings(r.codes[both], r.categories, r.units[both], r.coders, r.ordered)


def cohen_kappa(a, b, *, weights: Optional[str] = None, categories=None,
                weight_by: str = "position") -> float:
    """Cohen's kappa of two coders over the units both rated; ``weights`` None,
    ``"linear"`` or ``"quadratic"`` (Cohen 1968), by category position as
    scikit-learn does.

    Examples
    --------
    >>> from qdacore.agree import cohen_kappa
    >>> round(cohen_kappa([0, 1, 1, 2, 2], [0, 1, 2, 2, 2]), 4)
    0.6875
    """
    r = _pair(a, b, categories)
    res = _compute(r, "conger", weight_matrix(weights, r, weight_by=weight_by))
    return _warn_nan(res.value, "cohen_kappa", _reason(r, res))


def scott_pi(a, b, *, categories=None) -> float:
    """Scott's pi of two coders over the units both rated (shared marginals).

    Examples
    --------
    >>> from qdacore.agree import scott_pi
    >>> round(scott_pi([0, 1, 1, 2, 2], [0, 1, 2, 2, 2]), 4)
    0.6774
    """
    r = _pair(a, b, categories)
    res = _compute(r, "fleiss")
    return _warn_nan(res.value, "scott_pi", _reason(r, res))


def holsti(data, *, categories=None, **columns) -> float:
    """Holsti's coefficient ``2M / (N1 + N2)`` for two coders (M agreements, N_i the
    units coder i rated); for more coders the mean over pairs.

    Examples
    --------
    >>> from qdacore.agree import holsti
    >>> holsti([["a", "b", None], ["a", "c", "c"]])
    0.4
    """
    r = reliability_data(data, categories=categories, **columns)
    _check_coders(r)
    values = []
    for i in range(r.codes.shape[1]):
        for j in range(i + 1, r.codes.shape[1]):
            x, y = r.codes[:, i], r.codes[:, j]
            n = (x >= 0).sum() + (y >= 0).sum()
            agree = ((x == y) & (x >= 0)).sum()
            values.append(2 * agree / n if n else np.nan)
    return float(np.nanmean(values)) if not np.isnan(values).all() else np.nan


def krippendorff_alpha(data, *, metric: str = "nominal", categories=None, **columns) -> float:
    """Krippendorff's alpha for any number of coders and missing values, with the
    nominal, ordinal, interval or ratio difference function (``metric``: the
    ``krippendorff`` package's ``level_of_measurement``).

    Examples
    --------
    Krippendorff (2011), section C: 4 observers, 12 units, missing values.

    >>> from qdacore.agree import krippendorff_alpha
    >>> nan = float("nan")
    >>> data = [[1, 2, 3, 3, 2, 1, 4, 1, 2, nan, nan, nan],
    ...         [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, nan, nan],
    ...         [nan, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, 3],
    ...         [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, nan]]
    >>> [round(krippendorff_alpha(data, metric=m), 3) for m in
    ...  ("nominal", "ordinal", "interval", "ratio")]
    [0.743, 0.815, 0.849, 0.797]
    """
    r = reliability_data(data, categories=categories, **columns)
    _check_coders(r)
    res = _compute(r, "alpha", metric=metric)
    return _warn_nan(res.value, "krippendorff_alpha", "the data hold a single value "
                     "(no expected disagreement)")


def agreement(data, method: str = "krippendorff", *, metric: str = "nominal", weights=None,
              weight_by: str = "auto", categories=None, ci: Optional[float] = 0.95,
              n_boot: int = 1000, seed: int = 0, bootstrap: str = "auto",
              **columns) -> pd.Series:
    """One coefficient with its parts and a bootstrap confidence interval.

    Parameters
    ----------
    method : str
        ``"krippendorff"`` (alias ``"alpha"``), ``"fleiss"``, ``"gwet"`` (AC1/AC2),
        ``"brennan_prediger"``, ``"conger"``, ``"percent"``.
    metric : {"nominal", "ordinal", "interval", "ratio"}
        Difference function of alpha.
    weights, weight_by, categories
        As in the coefficient functions.
    ci : float or None
        Confidence level of the percentile interval; None skips the bootstrap.
    n_boot, seed : int
        Replicates and seed of the bootstrap.
    bootstrap : {"auto", "krippendorff", "units"}
        ``"auto"``: Krippendorff's algorithm for alpha, units otherwise.

    Returns
    -------
    Series
        ``method``, ``n_units`` (rated at least twice), ``n_coders``, ``observed``
        and ``expected`` (agreement, or disagreement for alpha), ``value``,
        ``ci_low``, ``ci_high``.

    Examples
    --------
    >>> from qdacore.agree import agreement
    >>> nan = float("nan")
    >>> data = [[1, 2, 3, 3, 2, 1, 4, 1, 2, nan, nan, nan],
    ...         [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, nan, nan],
    ...         [nan, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, 3],
    ...         [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, nan]]
    >>> agreement(data, n_boot=2000, seed=1)[["value", "ci_low", "ci_high"]].round(3).tolist()
    [0.743, 0.603, 0.883]
    """
    if method not in METHODS or method in ("cohen", "scott", "holsti"):
        raise ValueError(f"method must be one of krippendorff, fleiss, gwet, brennan_prediger, "
                         f"conger, percent; got {method!r} (use cohen_kappa, scott_pi or holsti "
                         "for two coders)")
    r = reliability_data(data, categories=categories, **columns)
    _check_coders(r)
    kernel = METHODS[method]
    w = None if kernel == "alpha" else weight_matrix(weights, r, weight_by=weight_by)
    res = _compute(r, kernel, w, metric)
    _warn_nan(res.value, method, _reason(r, res))
    low = high = np.nan
    if ci is not None and not np.isnan(res.value):
        low, high = _interval(r, res, kernel, w, metric, ci, n_boot, seed, bootstrap)
    return pd.Series({"method": method, "n_units": int(res.tally["paired_units"]),
                      "n_coders": r.codes.shape[1], "observed": res.observed,
                      "expected": res.expected, "value": res.value, "ci_low": low,
                      "ci_high": high}, name=method)


def _interval(r: Ratings, res: _Result, kernel: _Kernel, weights, metric: str, ci: float,
              n_boot: int, seed: int, bootstrap: str) -> tuple[float, float]:
    if not 0 < ci < 1:
        raise ValueError(f"ci must be a confidence level in (0, 1), got {ci!r}")
    if isinstance(n_boot, bool) or not isinstance(n_boot, (int, np.integer)) or n_boot < 1:
        raise ValueError(f"n_boot must be a whole number >= 1, got {n_boot!r}")
    if bootstrap not in ("auto", "krippendorff", "units"):
        raise ValueError(f"bootstrap must be 'auto', 'krippendorff' or 'units', got {bootstrap!r}")
    if bootstrap == "krippendorff" and kernel != "alpha":
        raise ValueError("bootstrap='krippendorff' applies to alpha only")
    kind, values = _metric(metric, r) if kernel == "alpha" else ("nominal", None)
    if kernel == "alpha" and bootstrap != "units":
        draws = _core.alpha_bootstrap(res.tally, metric=kind, category_values=values,
                                      n_boot=n_boot, seed=seed)
    else:
        draws = _core.agree_bootstrap(r.codes, len(r.categories), kernel, weights=weights,
                                      metric=kind, category_values=values, n_boot=n_boot,
                                      seed=seed)
    draws = draws[~np.isnan(draws)]
    if len(draws) == 0:
        return np.nan, np.nan
    tail = (1 - ci) / 2
    low, high = np.quantile(draws, [tail, 1 - tail])
    return float(low), float(min(high, 1.0))


# -- projects ---------------------------------------------------------------------------

_PROJECT_METHODS = ("krippendorff", "fleiss", "gwet", "brennan_prediger", "conger", "cohen",
                    "percent")


def _coder_positions(project: CodedProject, coders) -> tuple[np.ndarray, pd.Index]:
    """Coder index of every coding in CSR order (-1: not compared) and the coders."""
    codings = project.codings
    if "coder" not in codings.columns:
        raise ValueError("agreement needs a coder column in the codings table")
    present = pd.Index(pd.unique(codings["coder"].dropna()))
    chosen = present if coders is None else pd.Index(list(coders))
    missing = chosen.difference(present)
    if len(missing):
        raise ValueError(f"coders={list(coders)!r}: {list(missing)[:5]!r} made no codings; "
                         f"coders are {list(present)[:10]!r}")
    if len(chosen) < 2:
        raise ValueError(f"agreement needs at least 2 coders; the project has {list(present)!r}")
    position = chosen.get_indexer(pd.Index(codings["coder"])).astype(np.int64)
    return project.arrays.in_csr_order(position), chosen.rename("coder")


def _expanded_targets(project: CodedProject, dim) -> tuple[np.ndarray, np.ndarray]:
    """(coding position, target) for every target each coding reaches."""
    code = project.arrays.code
    fan = np.diff(dim.indptr)[code]
    owner = np.repeat(np.arange(len(code)), fan)
    first = np.repeat(dim.indptr[code], fan)
    step = np.arange(len(owner)) - np.repeat(np.cumsum(fan) - fan, fan)
    return owner, dim.target[first + step]


def _presence(project: CodedProject, level, coders, unit):
    """Units x coders scope and the (target, unit, coder) presence triples."""
    if unit not in ("item", "document"):
        raise ValueError(f"unit must be 'item' or 'document', got {unit!r}")
    dim = project.codebook.dimension(level)
    coder_of, coder_index = _coder_positions(project, coders)
    item_of = project.arrays.coding_item
    item_doc = project.arrays.item_doc
    n_docs, n_coders = len(project.documents), len(coder_index)
    # a coder judges the units of every document in which they coded anything
    active = coder_of >= 0
    scope = np.zeros((n_docs, n_coders), dtype=bool)
    scope[item_doc[item_of[active]], coder_of[active]] = True
    if unit == "item":
        unit_doc = item_doc
        unit_of = item_of
    else:
        unit_doc = np.arange(n_docs)
        unit_of = item_doc[item_of]
    rated = scope[unit_doc]
    owner, target = _expanded_targets(project, dim)
    keep = coder_of[owner] >= 0
    key = np.unique(np.stack([target[keep], unit_of[owner][keep], coder_of[owner][keep]]), axis=1)
    units = np.flatnonzero(rated.any(axis=1))
    return dim, coder_index, rated, units, key


def _add_tallies(a: dict, b: dict) -> dict:
    """The tally of the union of two disjoint sets of units (same categories,
    coders and parts): counts add."""
    if a["parts"] != b["parts"]:
        raise ValueError("tallies with different parts cannot be added")
    return {k: (a[k] if k == "parts" else a[k] + b[k]) for k in a}


def project_agreement(project: CodedProject, level: Optional[str] = None, *,
                      coders: Optional[Sequence[Any]] = None, method: str = "krippendorff",
                      unit: str = "item", per_code: bool = True, ci: Optional[float] = 0.95,
                      n_boot: int = 1000, seed: int = 0, labels: Union[bool, str] = False,
                      progress: Optional[bool] = None) -> pd.DataFrame:
    """Inter-coder agreement per code of a project: the function behind
    :meth:`qdacore.Project.agreement`, whose documentation gives the parameters.

    Examples
    --------
    >>> import qdacore as qc
    >>> project = qc.datasets.megaregions(n_coders=2)
    >>> table = qc.agree.project_agreement(project, "theme", method="gwet", ci=None)
    >>> table["gwet"].round(3).tolist()
    [0.968, 0.956, 0.932, 0.952]
    """
    if method not in _PROJECT_METHODS:
        raise ValueError(f"method must be one of {_PROJECT_METHODS}, got {method!r}")
    dim, coder_index, rated, units, key = _presence(project, level, coders, unit)
    if method == "cohen" and len(coder_index) != 2:
        raise ValueError(f"method='cohen' compares two coders; pass coders=[a, b] "
                         f"(the project has {list(coder_index)!r})")
    kernel = METHODS[method]
    base = np.where(rated[units], 0, -1).astype(np.int64)
    position = np.full(rated.shape[0], -1, dtype=np.int64)
    position[units] = np.arange(len(units))
    bounds = np.searchsorted(key[0], np.arange(len(dim.targets) + 1))
    rows, total = [], None
    binary = Ratings(base, pd.Index([0, 1]), pd.Index(units), coder_index, True)
    for t in track(range(len(dim.targets)), total=len(dim.targets),
                   desc=f"agreement per {dim.name or 'code'}", progress=progress):
        values = base.copy()
        sel = slice(bounds[t], bounds[t + 1])
        u, g = position[key[1, sel]], key[2, sel]
        values[u[u >= 0], g[u >= 0]] = 1
        tally = _core.agree_tally(values, 2)
        total = tally if total is None else _add_tallies(total, tally)
        if not per_code:
            continue
        observed, expected, value = _core.agree_coefficient(tally, kernel)
        low = high = np.nan
        if ci is not None and not np.isnan(value):
            r = Ratings(values, binary.categories, binary.units, coder_index, True)
            low, high = _interval(r, _Result(observed, expected, value, tally), kernel, None,
                                  "nominal", ci, n_boot, seed, "auto")
        rows.append((int((values == 1).any(axis=1).sum()), int(tally["paired_units"]),
                     observed, expected, value, low, high))
    index = list(project.codebook.targets(level, labels=labels)) if per_code else []
    if total is None:
        raise ValueError(f"level={level!r} has no targets to compare")
    observed, expected, value = _core.agree_coefficient(total, kernel)
    low = high = np.nan
    if ci is not None and kernel == "alpha" and not np.isnan(value):
        low, high = _interval(binary, _Result(observed, expected, value, total), kernel, None,
                              "nominal", ci, n_boot, seed, "krippendorff")
    rows.append((int(total["paired_units"]), int(total["paired_units"]), observed, expected,
                 value, low, high))
    index.append("(all)")
    name = dim.name or "code"
    table = pd.DataFrame(rows, columns=["n_present", "n_units", "observed", "expected", method,
                                        "ci_low", "ci_high"],
                         index=pd.Index(index, name=name))
    table["n_present"] = table["n_present"].where(table.index != "(all)", np.nan)
    undefined = int(table[method].iloc[:-1].isna().sum())
    if undefined:
        warnings.warn(f"{undefined} of {len(table) - 1} targets have an undefined {method} "
                      "(no variation: applied to every unit or to none); they are NaN",
                      RuntimeWarning, stacklevel=3)
    table.attrs.update(method=method, unit=unit, coders=list(coder_index),
                       observed="disagreement" if kernel == "alpha" else "agreement")
    return table


def coding_comparison(project: CodedProject, level: Optional[str] = None, *,
                      coders: Optional[Sequence[Any]] = None) -> pd.DataFrame:
    """NVivo's Coding Comparison of two coders: the function behind
    :meth:`qdacore.Project.coding_comparison`, whose documentation gives the
    columns.

    Examples
    --------
    >>> import pandas as pd, qdacore as qc
    >>> project = qc.Project(
    ...     pd.DataFrame({"code": ["growth"]}),
    ...     pd.DataFrame({"doc": ["d"], "length": [10]}),
    ...     pd.DataFrame({"item": ["d:1"], "doc": ["d"], "start": [0], "end": [10]}),
    ...     pd.DataFrame({"item": ["d:1", "d:1"], "code": ["growth", "growth"],
    ...                   "coder": ["A", "B"], "start": [0, 0], "end": [4, 4]}))
    >>> table = qc.agree.coding_comparison(project)
    >>> table.attrs["a"], table.attrs["b"], table["kappa"].tolist()
    ('A', 'B', [1.0])
    """
    documents = project.documents
    if "text" in documents.columns:
        size = documents["text"].fillna("").str.len().to_numpy()
    elif "length" in documents.columns:
        size = documents["length"].to_numpy(dtype=float)
    else:
        raise ValueError("coding_comparison counts characters: it needs documents.text or "
                         "documents.length")
    if not {"start", "end"} <= set(project.codings.columns) or "start" not in project.items.columns:
        raise ValueError("coding_comparison needs codings.start/end and items.start (the "
                         "items' offsets in their documents)")
    dim = project.codebook.dimension(level)
    coder_of, coder_index = _coder_positions(project, coders)
    if len(coder_index) != 2:
        raise ValueError(f"coding_comparison compares two coders (users A and B); pass "
                         f"coders=[a, b] (the project has {list(coder_index)!r})")
    placed, _, start, end = project.arrays.spans()
    start, end = np.where(placed, start, np.nan), np.where(placed, end, np.nan)
    item_of = project.arrays.coding_item
    owner, target = _expanded_targets(project, dim)
    keep = (coder_of[owner] >= 0) & ~np.isnan(start[owner]) & ~np.isnan(end[owner])
    frame = pd.DataFrame({"doc": project.arrays.item_doc[item_of][owner][keep],
                          "target": target[keep], "coder": coder_of[owner][keep],
                          "start": start[owner][keep].astype(np.int64),
                          "end": end[owner][keep].astype(np.int64)})
    records = []
    for key, spans in frame.groupby(["doc", "target"], sort=True):
        doc, t = cast(tuple[int, int], key)
        n = int(size[doc])
        cover = np.zeros((2, n + 1), dtype=np.int64)
        np.add.at(cover, (spans["coder"], np.clip(spans["start"], 0, n)), 1)
        np.add.at(cover, (spans["coder"], np.clip(spans["end"], 0, n)), -1)
        a, b = (np.cumsum(cover, axis=1)[:, :n] > 0)
        both, neither = int((a & b).sum()), int((~a & ~b).sum())
        a_only, b_only = int((a & ~b).sum()), int((~a & b).sum())
        expected = (a.sum() * b.sum() + (n - a.sum()) * (n - b.sum())) / n if n else np.nan
        agreeing = both + neither
        kappa = 1.0 if agreeing == n else (agreeing - expected) / (n - expected)
        records.append((documents["doc"].iloc[doc], dim.targets[t], n, kappa,
                        100 * agreeing / n, 100 * both / n, 100 * neither / n,
                        100 * (a_only + b_only) / n, 100 * a_only / n, 100 * b_only / n))
    table = pd.DataFrame(records, columns=["doc", dim.name or "code", "size", "kappa",
                                           "agreement", "a_and_b", "not_a_and_not_b",
                                           "disagreement", "a_not_b", "b_not_a"])
    table.attrs.update(a=coder_index[0], b=coder_index[1])
    return table
