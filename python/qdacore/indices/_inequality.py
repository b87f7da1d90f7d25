"""Inequality and concentration (Gini, Theil and its decomposition, Atkinson,
HHI, the numbers-equivalent, the coefficient of variation, entropy) and
morphological polycentricity (primacy, the rank-size slope)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Optional, Union

import numpy as np
import pandas as pd

from .. import _core
from .. import _validate as check
from ._arguments import Scalar, grouped, groups, policy, shape, vector


# -- inequality and concentration ------------------------------------------------
def gini(x: Any, *, frequency_weights: Any = None, corrected: bool = False, by: Any = None,
         nan_policy: str = "propagate") -> Scalar:
    r"""Gini coefficient of non-negative values.

    .. math:: G = \frac{\sum_i \sum_j w_i w_j |x_i - x_j|}{2 W^2 \mu},
              \qquad \mu = \frac{\sum_i w_i x_i}{W}

    computed from the values sorted in C (a radix sort, linear time); without weights this
    is :math:`\sum_i (2i - n - 1) x_{(i)} / (n \sum x)`, the form of PySAL
    ``inequality.gini`` and of REAT's ``gini`` (after Doersam 2004).

    Parameters
    ----------
    x : array-like
        Values >= 0 (population, GDP, counts ...).
    corrected : bool
        Multiply by :math:`n/(n-1)` so that one unit holding everything gives 1
        (REAT's ``coefnorm=TRUE``). Undefined (NaN) for one unit; not combined
        with frequency weights.
    frequency_weights : array-like, optional
        Non-negative weight per value (e.g. the size of an income class); a
        weight counts as that many identical units.
    by : array-like, optional
        A label per value: one coefficient per group.
    nan_policy : {"propagate", "omit", "raise"}

    Returns
    -------
    float or Series
        NaN when the values sum to 0 or no value is left.

    Examples
    --------
    Market shares of four car makers (REAT's example after Doersam 2004):

    >>> from qdacore import indices
    >>> round(indices.gini([20, 50, 20, 10]), 12), round(indices.gini([20, 50, 20, 10], corrected=True), 12)
    (0.3, 0.4)
    >>> round(indices.gini([500, 1500, 2500, 4000, 7500, 15000],
    ...                    frequency_weights=[1000, 1200, 1600, 400, 200, 600]), 4)
    0.5278
    >>> indices.gini([1, 1, 4, 0], by=["a", "a", "b", "b"])
    group
    a    0.0
    b    0.5
    Name: gini, dtype: float64
    """
    if corrected and frequency_weights is not None:
        raise ValueError("corrected=True: the n/(n-1) correction is defined for unweighted "
                         "data only; drop frequency_weights or corrected")
    values, _ = vector(x, "x")
    arrays = {"x": ("x", values)}
    w = None
    if frequency_weights is not None:
        w, _ = vector(frequency_weights, "frequency_weights")
        if len(w) != len(values):
            raise ValueError(f"frequency_weights must have one value per x ({len(values)}), "
                             f"got {len(w)}")
        arrays["weight"] = ("frequency_weights", w)
    codes, labels = groups(by, len(values))
    out = check.call_kernel(_core.gini, "gini", arrays, values, group=codes,
                            n_groups=1 if labels is None else len(labels), weight=w,
                            corrected=bool(corrected), nan_policy=policy(nan_policy))
    return shape(out, labels, "gini")


@dataclass(frozen=True)
class TheilDecomposition:
    """Theil index over all units and its split into between- and within-group parts.

    ``total = between + within`` (to rounding). ``by_group`` has one row per group:
    ``n`` (units used), ``share`` (of the total of x for T, of the units for L),
    ``theil`` (the index within the group) and ``contribution`` (its weighted part
    of ``within``).

    Examples
    --------
    Two groups, equal inside: all the inequality lies between them.

    >>> from qdacore import indices
    >>> indices.theil([1, 1, 4, 4], by=["a", "a", "b", "b"]).to_series().round(3)
    total            0.193
    between          0.193
    within           0.000
    between_share    1.000
    Name: theil_T, dtype: float64
    """

    kind: str
    total: float
    between: float
    within: float
    by_group: pd.DataFrame

    def to_series(self) -> pd.Series:
        """``total``, ``between``, ``within`` and ``between_share`` as a Series."""
        share = self.between / self.total if self.total else np.nan
        return pd.Series({"total": self.total, "between": self.between, "within": self.within,
                          "between_share": share}, name=f"theil_{self.kind}")


def theil(x: Any, *, kind: str = "T", by: Any = None,
          nan_policy: str = "propagate") -> Union[float, TheilDecomposition]:
    r"""Theil's T or L index, decomposed over groups when ``by`` is given.

    .. math::
        T = \frac{1}{n}\sum_i \frac{x_i}{\mu}\ln\frac{x_i}{\mu}, \qquad
        L = \frac{1}{n}\sum_i \ln\frac{\mu}{x_i}

    With group shares :math:`s_g` of the total, :math:`n_g` units and means
    :math:`\mu_g`: :math:`T_b = \sum_g s_g \ln(s_g n / n_g)`,
    :math:`T_w = \sum_g s_g T_g`; :math:`L_b = \sum_g (n_g/n)\ln(\mu/\mu_g)`,
    :math:`L_w = \sum_g (n_g/n) L_g` (Shorrocks 1980; T as in PySAL
    ``inequality.theil.TheilD``, L as REAT's ``theil`` after Stoermann 2009).

    Conventions: :math:`0 \ln 0 = 0` in T (PySAL replaces zeros by a tiny number,
    the same limit); a zero makes L of its group and of the whole NaN, since
    :math:`\ln(\mu/0)` diverges. Negative values raise.

    Parameters
    ----------
    x : array-like
        Values >= 0.
    kind : {"T", "L"}
    by : array-like, optional
        A label per value; then a :class:`TheilDecomposition` is returned.
    nan_policy : {"propagate", "omit", "raise"}

    Examples
    --------
    >>> from qdacore import indices
    >>> round(indices.theil([10, 10, 10, 20, 50], kind="L"), 7)  # REAT, after Stoermann
    0.2326302
    >>> d = indices.theil([1, 1, 4, 4], by=["a", "a", "b", "b"])
    >>> round(d.total, 6), round(d.between, 6), d.within
    (0.192745, 0.192745, 0.0)
    >>> d.by_group
           n  share  theil  contribution
    group
    a      2    0.2    0.0           0.0
    b      2    0.8    0.0           0.0
    """
    check.choice(kind, "kind", ("T", "L"))
    (per_group, decomposition, units, totals), labels, _, _ = grouped(
        _core.theil, "theil", x, by, nan_policy, kind=kind)
    if labels is None:
        return float(per_group[0])
    n = units.astype(np.int64)
    parts = totals if kind == "T" else units
    share = parts / parts.sum() if parts.sum() > 0 else np.full(len(labels), np.nan)
    by_group = pd.DataFrame({"n": n, "share": share, "theil": per_group,
                             "contribution": np.where(share > 0, share * per_group, 0.0)},
                            index=labels)
    total, between, within = (float(v) for v in decomposition)
    return TheilDecomposition(kind, total, between, within, by_group)


def atkinson(x: Any, epsilon: float, *, by: Any = None,
             nan_policy: str = "propagate") -> Scalar:
    r"""Atkinson's (1970) index with inequality aversion ``epsilon`` >= 0.

    .. math:: A_\varepsilon = 1 - \frac{1}{\mu}\Big(\frac{1}{n}\sum_i
              x_i^{1-\varepsilon}\Big)^{1/(1-\varepsilon)}, \qquad
              A_1 = 1 - \frac{1}{\mu}\exp\Big(\frac{1}{n}\sum_i \ln x_i\Big)

    Values >= 0; with a zero value and :math:`\varepsilon \ge 1` the equally
    distributed equivalent is 0, so the index is 1 (PySAL's ``atkinson`` refuses
    zeros instead).

    Examples
    --------
    The example of PySAL ``inequality.atkinson``:

    >>> from qdacore import indices
    >>> round(indices.atkinson([10, 20, 30, 40, 50], 0.5), 5)
    0.06315
    >>> round(indices.atkinson([10, 20, 30, 40, 50], 1), 5)
    0.13161
    """
    if isinstance(epsilon, bool) or not isinstance(epsilon, (int, float, np.integer, np.floating)):
        raise TypeError(f"epsilon must be a number >= 0, got {epsilon!r}")
    out, labels, _, _ = grouped(_core.atkinson, "atkinson", x, by, nan_policy, "x", float(epsilon))
    return shape(out, labels, "atkinson")


def _concentration(x, by, nan_policy, public):
    (h, e, count), labels, _, _ = grouped(_core.concentration, public, x, by, nan_policy)
    return h, e, count.astype(float), labels


def hhi(x: Any, *, normalized: bool = False, by: Any = None,
        nan_policy: str = "propagate") -> Scalar:
    r"""Hirschman-Herfindahl index of the shares :math:`p_i = x_i / \sum x`.

    .. math:: H = \sum_i p_i^2, \qquad H^* = \frac{H - 1/n}{1 - 1/n}

    ``normalized=True`` gives :math:`H^*` (0 for equal shares, 1 when one unit
    holds everything; REAT's ``herf(norm=TRUE)``), NaN for one unit. See
    :func:`equivalent_number` for :math:`1/H`.

    Examples
    --------
    REAT's example (after Doersam 2004):

    >>> from qdacore import indices
    >>> round(indices.hhi([20, 50, 20, 10]), 12), round(indices.hhi([20, 50, 20, 10], normalized=True), 2)
    (0.34, 0.12)
    """
    h, _, n, labels = _concentration(x, by, nan_policy, "hhi")
    if normalized:
        with np.errstate(divide="ignore", invalid="ignore"):
            h = np.where(n > 1, (h - 1.0 / n) / (1.0 - 1.0 / np.where(n > 0, n, 1)), np.nan)
    return shape(h, labels, "hhi_normalized" if normalized else "hhi")


def equivalent_number(x: Any, *, by: Any = None, nan_policy: str = "propagate") -> Scalar:
    """The numbers-equivalent :math:`1/H` of the Hirschman-Herfindahl index: how
    many equal units would give the same concentration (Adelman 1969).

    Examples
    --------
    >>> from qdacore import indices
    >>> round(indices.equivalent_number([20, 50, 20, 10]), 4)
    2.9412
    """
    h, _, _, labels = _concentration(x, by, nan_policy, "equivalent_number")
    with np.errstate(divide="ignore"):
        return shape(1.0 / h, labels, "equivalent_number")


def cv(x: Any, *, ddof: float = 1, by: Any = None, nan_policy: str = "propagate") -> Scalar:
    r"""Coefficient of variation :math:`s / \bar x` with
    :math:`s^2 = \sum (x - \bar x)^2 / (n - \text{ddof})`.

    ``ddof=1`` is the sample form (REAT's ``cv`` default), ``ddof=0`` the population
    form (``scipy.stats.variation``). Any sign is accepted; a zero mean or
    :math:`n \le` ddof gives NaN.

    Examples
    --------
    >>> from qdacore import indices
    >>> round(indices.cv([10, 20, 30, 40, 50]), 6), round(indices.cv([10, 20, 30, 40, 50], ddof=0), 6)
    (0.527046, 0.471405)
    """
    if isinstance(ddof, bool) or not isinstance(ddof, (int, float, np.integer, np.floating)):
        raise TypeError(f"ddof must be a number >= 0, got {ddof!r}")
    out, labels, _, _ = grouped(_core.cv, "cv", x, by, nan_policy, "x", float(ddof))
    return shape(out, labels, "cv")


def entropy(x: Any, *, normalized: bool = False, by: Any = None,
            nan_policy: str = "propagate") -> Scalar:
    r"""Shannon entropy of the shares :math:`p_i = x_i / \sum x` (natural log).

    .. math:: E = -\sum_i p_i \ln p_i, \qquad E^* = E / \ln n

    with :math:`0 \ln 0 = 0`; ``normalized=True`` divides by its maximum
    :math:`\ln n` (1 = equal shares), NaN for one unit. Equals
    ``scipy.stats.entropy(x)``.

    Examples
    --------
    >>> from qdacore import indices
    >>> round(indices.entropy([1, 1, 1, 1]), 6), indices.entropy([1, 1, 1, 1], normalized=True)
    (1.386294, 1.0)
    """
    _, e, n, labels = _concentration(x, by, nan_policy, "entropy")
    if normalized:
        with np.errstate(divide="ignore", invalid="ignore"):
            e = np.where(n > 1, e / np.log(np.where(n > 1, n, 2)), np.nan)
    return shape(e, labels, "entropy_normalized" if normalized else "entropy")


# -- morphological polycentricity -------------------------------------------------
def primacy(sizes: Any, *, k: int = 2, by: Any = None, nan_policy: str = "propagate") -> Scalar:
    r"""Primacy of the largest unit: :math:`P_1 / (P_2 + \dots + P_k)`.

    ``k=2`` is the two-city primacy ratio :math:`P_1/P_2`; ``k=4`` the four-city
    index :math:`P_1/(P_2+P_3+P_4)` (Ginsburg 1961). Fewer than ``k`` units or a
    zero denominator: NaN. Sizes >= 0.

    Examples
    --------
    >>> from qdacore import indices
    >>> indices.primacy([25, 100, 50]), indices.primacy([100, 50, 30, 20], k=4)
    (2.0, 1.0)
    """
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 2:
        raise ValueError(f"k must be a whole number >= 2, got {k!r}")
    out, labels, _, _ = grouped(_core.primacy, "primacy", sizes, by, nan_policy, "sizes", int(k))
    return shape(out, labels, f"primacy_{k}")


def rank_size_slope(sizes: Any, *, top: Optional[int] = None, by: Any = None,
                    nan_policy: str = "propagate") -> Scalar:
    r"""Slope of the rank-size regression :math:`\ln P_r = a + b \ln r`.

    Ordinary least squares over the ``top`` largest units (all when None), ranks
    1, 2, ... in descending order of size (tied sizes give the same fit), as Meijers and
    Burger (2010) measure morphological polycentricity over the two, three or four
    largest cities: a slope near 0 is polycentric, a steep negative slope
    monocentric (Zipf's law: -1). Fewer than two units or a zero size among them:
    NaN. Equals ``scipy.stats.linregress(log(rank), log(size)).slope``.

    Examples
    --------
    >>> from qdacore import indices
    >>> round(indices.rank_size_slope([100, 50, 100 / 3, 25]), 12)
    -1.0
    >>> indices.rank_size_slope([9, 3, 1], top=2) == indices.rank_size_slope([9, 3])
    True
    """
    if top is not None and (isinstance(top, bool) or not isinstance(top, (int, np.integer)) or top < 2):
        raise ValueError(f"top must be None or a whole number >= 2, got {top!r}")
    (slope, _), labels, _, _ = grouped(_core.rank_size, "rank_size_slope", sizes, by, nan_policy,
                                       "sizes", top=0 if top is None else int(top))
    return shape(slope, labels, "rank_size_slope")
