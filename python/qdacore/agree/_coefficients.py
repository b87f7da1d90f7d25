"""The agreement coefficients (percent agreement, Holsti, Cohen, Scott, Fleiss,
Brennan-Prediger, Gwet, Conger, Krippendorff's alpha), :func:`agreement` with
its parts, and the bootstrap confidence interval."""
from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Literal, Optional, Union, cast

import numpy as np
import numpy.typing as npt
import pandas as pd

from .. import _core
from ._ratings import Ratings, reliability_data, weight_matrix

Kernel = Literal["percent", "fleiss", "gwet", "brennan_prediger", "conger", "alpha"]
_Metric = Literal["nominal", "ordinal", "interval", "ratio"]

#: Coefficients of :func:`agreement`, by name (C method underneath).
METHODS: dict[str, Kernel] = {"percent": "percent", "fleiss": "fleiss", "gwet": "gwet", "ac1": "gwet",
           "brennan_prediger": "brennan_prediger", "conger": "conger",
           "krippendorff": "alpha", "alpha": "alpha", "cohen": "conger", "scott": "fleiss",
           "holsti": "percent"}
#: Difference functions of Krippendorff's alpha (``metric=``).
METRICS = ("nominal", "ordinal", "interval", "ratio")


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


def _warn_symmetrised(w: Optional[np.ndarray], r: Ratings, what: str, stacklevel: int) -> None:
    """Warn that an asymmetric weight matrix counts as (W + W^T) / 2 with more
    than two coders (the pairs of a unit then have no a/b order)."""
    n_coders = r.codes.shape[1]
    if w is not None and n_coders > 2 and not np.array_equal(w, w.T):
        warnings.warn(f"weights= is not symmetric; {what} compares {n_coders} coders, whose "
                      "pairs have no a/b order, so it uses (W + W^T) / 2 (pass a symmetric "
                      "matrix to silence this; with two coders W is read in a/b order)",
                      UserWarning, stacklevel=stacklevel + 1)


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
class Result:
    observed: float
    expected: float
    value: float
    tally: dict


def _compute(r: Ratings, method: Kernel, weights=None, metric: str = "nominal") -> Result:
    kind, values = _metric(metric, r) if method == "alpha" else ("nominal", None)
    parts = {"alpha": 1, "conger": 2}.get(method, 0)  # only what the method reads
    tally = _core.agree_tally(r.codes, len(r.categories), weights=weights, parts=parts)
    _check_paired(tally)
    observed, expected, value = _core.agree_coefficient(
        tally, method, weights=weights, metric=kind, category_values=values)
    return Result(observed, expected, value, tally)


def _reason(r: Ratings, result: Result) -> str:
    if len(r.categories) < 2:
        return "only one category"
    return "chance agreement is 1 (every rating falls in one category)"


def _simple(data, method: Kernel, weights, name: str, *, categories=None, weight_by="auto",
            **columns) -> float:
    r = reliability_data(data, categories=categories, **columns)
    _check_coders(r)
    w = weight_matrix(weights, r, weight_by=weight_by)
    _warn_symmetrised(w, r, name, stacklevel=3)  # the caller of the public function
    res = _compute(r, method, w)
    return _warn_nan(res.value, method, _reason(r, res))


def percent_agreement(data, *, weights=None, categories=None, **columns) -> float:
    """Share of agreeing pairs of ratings, averaged over units rated at least twice
    (Gwet 2014's ``pa``; weighted with ``weights``).

    A weight matrix is read in a/b order with two coders (:mod:`qdacore.agree`,
    "Weights").

    Examples
    --------
    >>> from qdacore.agree import percent_agreement
    >>> percent_agreement([["a", "b", "a"], ["a", "b", "b"]])
    0.6666666666666666
    """
    return _simple(data, "percent", weights, "percent_agreement", categories=categories,
                   **columns)


def fleiss_kappa(data, *, weights=None, categories=None, weight_by="auto", **columns) -> float:
    """Fleiss' kappa for any number of coders, with missing ratings as Gwet (2014)
    handles them; weighted with ``weights`` (with two coders who rate every unit, Scott's pi).

    A weight matrix is read in a/b order with two coders (:mod:`qdacore.agree`,
    "Weights").

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
    return _simple(data, "fleiss", weights, "fleiss_kappa", categories=categories,
                   weight_by=weight_by, **columns)


def brennan_prediger(data, *, weights=None, categories=None, weight_by="auto", **columns) -> float:
    """Brennan and Prediger's coefficient: chance agreement ``T_w / q^2``.

    A weight matrix is read in a/b order with two coders (:mod:`qdacore.agree`,
    "Weights").

    Examples
    --------
    >>> from qdacore.agree import brennan_prediger
    >>> round(brennan_prediger([["a", "b", "a", "a"], ["a", "b", "b", "a"]]), 3)
    0.5
    """
    return _simple(data, "brennan_prediger", weights, "brennan_prediger",
                   categories=categories, weight_by=weight_by, **columns)


def gwet_ac1(data, *, weights=None, categories=None, weight_by="auto", **columns) -> float:
    """Gwet's AC1 (AC2 with ``weights``).

    A weight matrix is read in a/b order with two coders (:mod:`qdacore.agree`,
    "Weights").

    Examples
    --------
    >>> from qdacore.agree import gwet_ac1
    >>> round(gwet_ac1([["a", "b", "a", "a"], ["a", "b", "b", "a"]]), 3)
    0.529
    """
    return _simple(data, "gwet", weights, "gwet_ac1", categories=categories,
                   weight_by=weight_by, **columns)


def conger_kappa(data, *, weights=None, categories=None, weight_by="auto", **columns) -> float:
    """Conger's kappa: Cohen's kappa generalised to any number of coders (with
    two coders who rate every unit, Cohen's kappa).

    A weight matrix is read in a/b order with two coders (:mod:`qdacore.agree`,
    "Weights").

    Examples
    --------
    >>> from qdacore.agree import conger_kappa
    >>> round(conger_kappa([["a", "b", "a", "a"], ["a", "b", "b", "a"]]), 3)
    0.5
    """
    return _simple(data, "conger", weights, "conger_kappa", categories=categories,
                   weight_by=weight_by, **columns)


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


def cohen_kappa(a, b, *, weights: Union[str, npt.ArrayLike, None] = None, categories=None,
                weight_by: str = "position") -> float:
    """Cohen's kappa of two coders over the units both rated, weighted as in
    Cohen (1968).

    Parameters
    ----------
    a, b : sequence
        The ratings of coder a and of coder b, one per unit (``None``/``NaN`` for
        a missing rating).
    weights : str or array-like, optional
        Agreement weights: None (identity), a name in ``WEIGHTS`` (``"linear"``,
        ``"quadratic"`` ...; symmetric), or a q x q matrix in **a/b order**:
        ``w[k, l]`` weighs the units where coder a said category ``k`` and coder
        b said ``l`` (rows are a's categories, columns b's, in the order of
        ``categories``), as in Cohen (1968) and irrCAC's two-rater tables. An
        asymmetric matrix makes the order of ``a`` and ``b`` matter:
        ``cohen_kappa(b, a, weights=W) == cohen_kappa(a, b, weights=W.T)``.
    categories : sequence, optional
        The categories and their order (the matrix's rows and columns); by
        default the sorted values of the units both rated.
    weight_by : {"position", "value", "auto"}
        Where named weights take category distances from: positions 1..q by
        default, as scikit-learn does.

    Returns
    -------
    float
        ``(p_o - p_e) / (1 - p_e)`` with ``p_o = sum w_kl p_kl`` and
        ``p_e = sum w_kl p_k. p_.l``; NaN (with a ``RuntimeWarning``) when
        undefined.

    Examples
    --------
    >>> from qdacore.agree import cohen_kappa
    >>> round(cohen_kappa([0, 1, 1, 2, 2], [0, 1, 2, 2, 2]), 4)
    0.6875

    Half credit when coder b says the category after coder a's (cyclically):

    >>> w = [[1, 0.5, 0], [0, 1, 0.5], [0.5, 0, 1]]
    >>> a, b = [0, 0, 1, 1, 2, 2, 0, 1], [0, 1, 1, 2, 2, 0, 0, 1]
    >>> round(cohen_kappa(a, b, weights=w), 4), round(cohen_kappa(b, a, weights=w), 4)
    (0.619, 0.2381)
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
        As in the coefficient functions. With two coders a weight matrix is read
        in a/b order (``w[k, l]``: the first coder said ``k``, the second ``l``);
        with more, as ``(W + W^T) / 2``, with a ``UserWarning``.
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
    _warn_symmetrised(w, r, f"agreement(method={method!r})", stacklevel=2)
    res = _compute(r, kernel, w, metric)
    _warn_nan(res.value, method, _reason(r, res))
    low = high = np.nan
    if ci is not None and not np.isnan(res.value):
        low, high = interval(r, res, kernel, w, metric, ci, n_boot, seed, bootstrap)
    return pd.Series({"method": method, "n_units": int(res.tally["paired_units"]),
                      "n_coders": r.codes.shape[1], "observed": res.observed,
                      "expected": res.expected, "value": res.value, "ci_low": low,
                      "ci_high": high}, name=method)


def interval(r: Ratings, res: Result, kernel: Kernel, weights, metric: str, ci: float,
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

