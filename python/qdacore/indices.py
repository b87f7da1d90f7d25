"""Indices of spatial structure: inequality, concentration, polycentricity,
flows, specialisation and complementarity, computed in C.

Conventions shared by every function here:

* Inputs are array-likes or pandas objects of real numbers (sizes such as
  population must be >= 0 where the index says so). A pandas Series keeps its
  index labels in outputs that run over units.
* ``by=`` (where offered) is one label per unit; the index is computed for
  every group in one pass and returned as a Series indexed by the group labels
  (in order of first appearance; category order for categoricals). A missing
  group label leaves the unit out.
* ``nan_policy`` follows scipy: ``"propagate"`` (a NaN makes the result it
  touches NaN), ``"omit"`` (the unit is left out; in a matrix, a NaN cell counts
  as no flow / is left out of its row) or ``"raise"`` (ValueError).
* A result that is mathematically undefined (0/0, an empty group, fewer units
  than the index needs) is NaN, never an exception; bad input (a negative size,
  a non-square OD matrix, an unknown option) is an exception naming the argument.

Formulas, conventions and sources: each docstring and ``docs/conventions.md``.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Optional, Union

import numpy as np
import pandas as pd

from . import _core
from . import _validate as check

__all__ = [
    "gini", "theil", "TheilDecomposition", "atkinson", "hhi", "equivalent_number", "cv",
    "entropy", "primacy", "rank_size_slope", "flow_summary", "FlowSummary",
    "green_polycentricity", "location_quotient", "krugman", "hoover", "duranton_puga",
    "complementarity",
]

_Scalar = Union[float, pd.Series]


# -- argument handling ----------------------------------------------------------
def _vector(values: Any, name: str) -> tuple[np.ndarray, Optional[pd.Index]]:
    """float64 values of a 1-d input and its labels when it is a Series."""
    labels = values.index if isinstance(values, pd.Series) else None
    if isinstance(values, (pd.Series, pd.Index)):
        if not (pd.api.types.is_numeric_dtype(values.dtype) and not pd.api.types.is_bool_dtype(values.dtype)):
            raise TypeError(f"{name} must hold real numbers, got dtype {values.dtype}")
        values = values.to_numpy(dtype=float, na_value=np.nan)
    array = np.asarray(values)
    if array.dtype.kind not in "iuf":
        raise TypeError(f"{name} must hold real numbers, got dtype {array.dtype}")
    if array.ndim != 1:
        raise ValueError(f"{name} must be 1-dimensional, got {array.ndim} dimensions")
    return array.astype(np.float64, copy=False), labels


def _matrix(values: Any, name: str) -> tuple[np.ndarray, Optional[pd.Index], Optional[pd.Index]]:
    """float64 values of a 2-d input and its row and column labels (DataFrame)."""
    rows = cols = None
    if isinstance(values, pd.DataFrame):
        rows, cols = values.index, values.columns
        if not all(pd.api.types.is_numeric_dtype(t) and not pd.api.types.is_bool_dtype(t)
                   for t in values.dtypes):
            raise TypeError(f"{name} must hold real numbers in every column")
        values = values.to_numpy(dtype=float, na_value=np.nan)
    array = np.asarray(values)
    if array.dtype.kind not in "iuf":
        raise TypeError(f"{name} must hold real numbers, got dtype {array.dtype}")
    if array.ndim != 2:
        raise ValueError(f"{name} must be 2-dimensional, got {array.ndim} dimensions")
    return np.ascontiguousarray(array, dtype=np.float64), rows, cols


def _groups(by: Any, n: int) -> tuple[Optional[np.ndarray], Optional[pd.Index]]:
    """Integer codes (-1 for a missing label) and the labels, in first-appearance order."""
    if by is None:
        return None, None
    name = getattr(by, "name", None)
    if not isinstance(by, (pd.Series, pd.Index, pd.Categorical, np.ndarray)):
        by = np.asarray(by, dtype=object)
    if len(by) != n:
        raise ValueError(f"by must have one label per value ({n}), got {len(by)}")
    codes, uniques = pd.factorize(by, sort=False)
    uniques = pd.Index(uniques, name=name if name is not None else "group")
    return codes.astype(np.int64, copy=False), uniques


def _policy(nan_policy: str) -> str:
    return check.choice(nan_policy, "nan_policy", check.NAN_POLICIES)


def _grouped(kernel: Callable, public: str, x: Any, by: Any, nan_policy: str,
             name: str = "x", *args, **kwargs):
    """Runs a grouped kernel; returns (raw outputs, group labels or None, the
    float64 values and the group codes)."""
    values, _ = _vector(x, name)
    codes, labels = _groups(by, len(values))
    policy = _policy(nan_policy)
    n_groups = 1 if labels is None else len(labels)
    result = check.call_kernel(kernel, public, {"x": (name, values)}, values, *args, group=codes,
                               n_groups=n_groups, nan_policy=policy, **kwargs)
    return result, labels, values, codes


def _shape(values: np.ndarray, labels: Optional[pd.Index], name: str) -> _Scalar:
    """A float for an ungrouped call, else a Series over the group labels."""
    if labels is None:
        return float(values[0])
    return pd.Series(values, index=labels, name=name)


# -- inequality and concentration ------------------------------------------------
def gini(x: Any, *, frequency_weights: Any = None, corrected: bool = False, by: Any = None,
         nan_policy: str = "propagate") -> _Scalar:
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
    values, _ = _vector(x, "x")
    arrays = {"x": ("x", values)}
    w = None
    if frequency_weights is not None:
        w, _ = _vector(frequency_weights, "frequency_weights")
        if len(w) != len(values):
            raise ValueError(f"frequency_weights must have one value per x ({len(values)}), "
                             f"got {len(w)}")
        arrays["weight"] = ("frequency_weights", w)
    codes, labels = _groups(by, len(values))
    out = check.call_kernel(_core.gini, "gini", arrays, values, group=codes,
                            n_groups=1 if labels is None else len(labels), weight=w,
                            corrected=bool(corrected), nan_policy=_policy(nan_policy))
    return _shape(out, labels, "gini")


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
    (per_group, decomposition), labels, values, codes = _grouped(_core.theil, "theil", x, by,
                                                                 nan_policy, kind=kind)
    if labels is None:
        return float(per_group[0])
    ok = (codes >= 0) & ~np.isnan(values)
    n = np.bincount(codes[ok], minlength=len(labels))
    if kind == "T":
        totals = np.bincount(codes[ok], weights=values[ok], minlength=len(labels))
        share = totals / totals.sum() if totals.sum() > 0 else np.full(len(labels), np.nan)
    else:
        share = n / n.sum() if n.sum() > 0 else np.full(len(labels), np.nan)
    by_group = pd.DataFrame({"n": n, "share": share, "theil": per_group,
                             "contribution": np.where(share > 0, share * per_group, 0.0)},
                            index=labels)
    total, between, within = (float(v) for v in decomposition)
    return TheilDecomposition(kind, total, between, within, by_group)


def atkinson(x: Any, epsilon: float, *, by: Any = None,
             nan_policy: str = "propagate") -> _Scalar:
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
    out, labels, _, _ = _grouped(_core.atkinson, "atkinson", x, by, nan_policy, "x", float(epsilon))
    return _shape(out, labels, "atkinson")


def _concentration(x, by, nan_policy, public):
    (h, e, count), labels, _, _ = _grouped(_core.concentration, public, x, by, nan_policy)
    return h, e, count.astype(float), labels


def hhi(x: Any, *, normalized: bool = False, by: Any = None,
        nan_policy: str = "propagate") -> _Scalar:
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
    return _shape(h, labels, "hhi_normalized" if normalized else "hhi")


def equivalent_number(x: Any, *, by: Any = None, nan_policy: str = "propagate") -> _Scalar:
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
        return _shape(1.0 / h, labels, "equivalent_number")


def cv(x: Any, *, ddof: float = 1, by: Any = None, nan_policy: str = "propagate") -> _Scalar:
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
    out, labels, _, _ = _grouped(_core.cv, "cv", x, by, nan_policy, "x", float(ddof))
    return _shape(out, labels, "cv")


def entropy(x: Any, *, normalized: bool = False, by: Any = None,
            nan_policy: str = "propagate") -> _Scalar:
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
    return _shape(e, labels, "entropy_normalized" if normalized else "entropy")


# -- morphological polycentricity -------------------------------------------------
def primacy(sizes: Any, *, k: int = 2, by: Any = None, nan_policy: str = "propagate") -> _Scalar:
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
    out, labels, _, _ = _grouped(_core.primacy, "primacy", sizes, by, nan_policy, "sizes", int(k))
    return _shape(out, labels, f"primacy_{k}")


def rank_size_slope(sizes: Any, *, top: Optional[int] = None, by: Any = None,
                    nan_policy: str = "propagate") -> _Scalar:
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
    (slope, _), labels, _, _ = _grouped(_core.rank_size, "rank_size_slope", sizes, by, nan_policy,
                                  "sizes", top=0 if top is None else int(top))
    return _shape(slope, labels, "rank_size_slope")


# -- flows ----------------------------------------------------------------------
@dataclass(frozen=True)
class FlowSummary:
    """Node and network summaries of an origin-destination matrix.

    ``nodes`` has one row per node: ``outflow``, ``inflow``, ``net`` (inflow -
    outflow), ``net_ratio`` ((in - out) / (in + out), -1 pure sender, +1 pure
    receiver), ``outflow_entropy`` and ``outflow_entropy_normalized`` (over the
    n - 1 possible destinations) and ``core``. ``network`` holds ``total``,
    ``symmetry`` (weighted reciprocity), ``core_dominance`` (share of all flows
    that end in a core node), ``core_outflow_share`` and ``secondary_share``
    (share between two non-core nodes).

    Examples
    --------
    >>> from qdacore import indices
    >>> summary = indices.flow_summary([[0, 3], [1, 0]])
    >>> summary.nodes[["outflow", "inflow", "net"]]
          outflow  inflow  net
    node
    0         3.0     1.0 -2.0
    1         1.0     3.0  2.0
    >>> float(summary.network["symmetry"])
    0.5
    """

    nodes: pd.DataFrame
    network: pd.Series


def _core_flags(core: Any, labels: pd.Index, n: int) -> Optional[np.ndarray]:
    if core is None:
        return None
    arr = np.asarray(core)
    if arr.dtype == bool and arr.shape == (n,):
        return arr.astype(np.int64)
    members = pd.Index(list(core) if not isinstance(core, (str, bytes)) else [core])
    unknown = members.difference(labels)
    if len(unknown):
        raise ValueError(f"core names {len(unknown)} node(s) not in the OD matrix: "
                         f"{check.examples(unknown.tolist())}; pass node labels or a boolean mask")
    return labels.isin(members).astype(np.int64)


def flow_summary(od: Any, *, core: Any = None, nan_policy: str = "propagate") -> FlowSummary:
    r"""In-, out- and net flows, symmetry and core dominance of an OD matrix.

    ``od[i, j]`` is the flow from node i to node j (>= 0); the diagonal (flows
    within a node) is ignored. Observed matrices (commuting, migration, rail
    timetables, firm networks) and modelled ones
    (:func:`qdacore.spatial.gravity_flows`) go in the same way.

    * symmetry (weighted reciprocity, Squartini et al. 2013):
      :math:`\sum_{i \ne j} \min(w_{ij}, w_{ji}) / \sum_{i \ne j} w_{ij}`, 1 when
      every flow is returned in full, 0 when all flows are one-way;
    * core dominance: share of all flows that end in a core node; secondary
      share: share of flows between two non-core nodes;
    * outflow entropy of node i: :math:`-\sum_j p_{ij} \ln p_{ij}`,
      :math:`p_{ij} = w_{ij} / \sum_j w_{ij}` (multi-directionality of what it
      sends); normalised by :math:`\ln(n-1)`.

    Parameters
    ----------
    od : 2-d array-like or DataFrame
        Square matrix, origins as rows; a DataFrame's index labels the nodes.
    core : labels or boolean mask, optional
        The core nodes.
    nan_policy : {"propagate", "omit", "raise"}
        ``"omit"`` counts a NaN cell as no flow.

    Examples
    --------
    >>> import pandas as pd
    >>> from qdacore import indices
    >>> od = pd.DataFrame([[0, 6, 4], [2, 0, 1], [4, 0, 0]],
    ...                   index=["core", "a", "b"], columns=["core", "a", "b"])
    >>> s = indices.flow_summary(od, core=["core"])
    >>> s.nodes[["outflow", "inflow", "net"]]
          outflow  inflow  net
    node
    core     10.0     6.0 -4.0
    a         3.0     6.0  3.0
    b         4.0     5.0  1.0
    >>> s.network.round(4).to_dict()
    {'total': 17.0, 'symmetry': 0.7059, 'core_dominance': 0.3529, 'core_outflow_share': 0.5882, 'secondary_share': 0.0588}
    """
    w, rows, cols = _matrix(od, "od")
    if w.shape[0] != w.shape[1]:
        raise ValueError(f"od must be square (origins x destinations), got shape {w.shape}")
    if rows is not None and not rows.equals(cols):
        raise ValueError("od: a DataFrame's columns must list the same nodes as its index, in order")
    n = w.shape[0]
    labels = pd.Index(rows if rows is not None else range(n), name="node")
    flags = _core_flags(core, labels, n)
    inflow, outflow, h, network = check.call_kernel(_core.flow_summary, "flow_summary", {"od": ("od", w)}, w,
                                                    core=flags, nan_policy=_policy(nan_policy))
    with np.errstate(divide="ignore", invalid="ignore"):
        through = inflow + outflow
        nodes = pd.DataFrame({
            "outflow": outflow, "inflow": inflow, "net": inflow - outflow,
            "net_ratio": np.where(through > 0, (inflow - outflow) / np.where(through > 0, through, 1), np.nan),
            "outflow_entropy": h,
            "outflow_entropy_normalized": h / np.log(n - 1) if n > 2 else np.full(n, np.nan),
            "core": np.zeros(n, bool) if flags is None else flags.astype(bool),
        }, index=labels)
    names = ["total", "symmetry", "core_dominance", "core_outflow_share", "secondary_share"]
    return FlowSummary(nodes, pd.Series(network, index=names, name="flows"))


def green_polycentricity(od: Any, *, degree: str = "in", nan_policy: str = "propagate") -> pd.Series:
    r"""Green's (2007) functional polycentricity of a flow network.

    .. math:: P_F = \Big(1 - \frac{\sigma_d}{\sigma_{d,\max}}\Big)\,\Delta

    :math:`\sigma_d` is the (population) standard deviation of the valued nodal
    degrees (sum of incoming flows for ``degree="in"``, outgoing for ``"out"``,
    both for ``"total"``); :math:`\sigma_{d,\max}` that of a two-node network
    whose degrees are 0 and the largest observed degree, i.e. half the largest
    degree, the most uneven spread the observed maximum allows; :math:`\Delta`
    the density, the share of the :math:`n(n-1)` ordered pairs with a flow. The
    valued density (total flow / (n(n-1) x largest flow)) is reported too. 1 is
    a fully connected network of equally strong nodes; near 0 a network that
    focuses on one node. Fewer than two nodes or no flow: NaN.

    Returns
    -------
    Series
        ``degree_sd``, ``degree_sd_max``, ``evenness`` (the bracket),
        ``density``, ``valued_density``, ``polycentricity``.

    Examples
    --------
    >>> from qdacore import indices
    >>> float(indices.green_polycentricity([[0, 1, 1], [1, 0, 1], [1, 1, 0]])["polycentricity"])
    1.0
    >>> star = [[0, 0, 0], [1, 0, 0], [1, 0, 0]]     # everything flows to node 0
    >>> round(float(indices.green_polycentricity(star)["polycentricity"]), 4)
    0.0191
    """
    check.choice(degree, "degree", ("in", "out", "total"))
    w, _, _ = _matrix(od, "od")
    if w.shape[0] != w.shape[1]:
        raise ValueError(f"od must be square (origins x destinations), got shape {w.shape}")
    out = check.call_kernel(_core.green_polycentricity, "green_polycentricity", {"od": ("od", w)}, w,
                            degree=degree, nan_policy=_policy(nan_policy))
    return pd.Series(out, index=["degree_sd", "degree_sd_max", "evenness", "density",
                                 "valued_density", "polycentricity"], name="green")


# -- specialisation and complementarity --------------------------------------------
def location_quotient(e_ij: Any, e_j: Any = None, e_i: Any = None, e: Any = None, *,
                      nan_policy: str = "propagate") -> Any:
    r"""Location quotients :math:`LQ_{ij} = (e_{ij}/e_j) / (e_i/e)`.

    Two forms:

    * ``location_quotient(matrix)``: regions as rows, sectors (or themes,
      functions) as columns; :math:`e_j`, :math:`e_i` and :math:`e` are the row,
      column and grand totals. Returns a matrix (a DataFrame for a DataFrame).
    * ``location_quotient(e_ij, e_j, e_i, e)``: REAT's form (Farhauer/Kroell
      2013), scalars or equal-length vectors of the employment of sector i in
      region j, region j's total, sector i's total and the grand total; parts
      larger than their totals raise.

    Above 1 the sector is over-represented in the region. A zero total gives NaN.

    Examples
    --------
    >>> from qdacore import indices
    >>> round(indices.location_quotient(1714, 79006, 879213, 15593224), 7)  # REAT
    0.3847623
    >>> indices.location_quotient([[1, 3], [1, 1]]).round(3).tolist()
    [[0.75, 1.125], [1.5, 0.75]]
    """
    policy = _policy(nan_policy)
    given = [v is not None for v in (e_j, e_i, e)]
    if any(given) and not all(given):
        raise ValueError("location_quotient: give e_j, e_i and e together (REAT form) or a "
                         "regions x sectors matrix alone")
    if not any(given):
        m, rows, cols = _matrix(e_ij, "e_ij")
        sums = np.nansum if policy == "omit" else np.sum
        r, c = m.shape
        parts = [m.ravel(), np.repeat(sums(m, axis=1), c), np.tile(sums(m, axis=0), r),
                 np.full(r * c, sums(m))]
        out = check.call_kernel(_core.location_quotient, "location_quotient",
                                {"e_ij": ("e_ij", m)}, *parts, nested=True,
                                nan_policy=policy).reshape(r, c)
        return pd.DataFrame(out, index=rows, columns=cols) if rows is not None else out
    vectors = [np.atleast_1d(np.asarray(v, dtype=float)) for v in (e_ij, e_j, e_i, e)]
    scalar = all(np.ndim(v) == 0 for v in (e_ij, e_j, e_i, e))
    try:
        arrays = np.broadcast_arrays(*vectors)
    except ValueError:
        raise ValueError("location_quotient: e_ij, e_j, e_i and e must have one length "
                         "(or be scalars)") from None
    flat = [np.ascontiguousarray(a.ravel()) for a in arrays]
    names = ("e_ij", "e_j", "e_i", "e")
    out = check.call_kernel(_core.location_quotient, "location_quotient",
                            {k: (k, v) for k, v in zip(names, flat)}, *flat, nested=True, nan_policy=policy)
    return float(out[0]) if scalar else out.reshape(arrays[0].shape)


def _profiles(a: Any, b: Any, name_a: str, name_b: str):
    """Two profiles as matching 2-d float arrays (rows: regions), and labels."""
    a_arr = np.asarray(a.to_numpy(dtype=float, na_value=np.nan) if isinstance(a, (pd.Series, pd.DataFrame)) else a)
    one_d = a_arr.ndim == 1
    rows = a.index if isinstance(a, pd.DataFrame) else None
    if one_d:
        a2, _ = _vector(a, name_a)
        b2, _ = _vector(b, name_b)
        a2, b2 = a2[None, :], b2[None, :]
    else:
        a2, _, _ = _matrix(a, name_a)
        b2, _, _ = _matrix(b, name_b)
    if a2.shape != b2.shape:
        raise ValueError(f"{name_a} and {name_b} must have the same shape, got "
                         f"{a2.shape[1:] if one_d else a2.shape} and {b2.shape[1:] if one_d else b2.shape}")
    return a2, b2, one_d, rows


def _distance(a: Any, b: Any, name_a: str, name_b: str, public: str, nan_policy: str):
    a2, b2, one_d, rows = _profiles(a, b, name_a, name_b)
    d = check.call_kernel(_core.share_distance, public, {"a": (name_a, a2), "b": (name_b, b2)}, a2, b2,
                          nan_policy=_policy(nan_policy))
    return d, one_d, rows


def _per_row(values: np.ndarray, one_d: bool, rows: Optional[pd.Index], name: str):
    if one_d:
        return float(values[0])
    return pd.Series(values, index=rows, name=name) if rows is not None else values


def krugman(a: Any, b: Any = None, *, nan_policy: str = "propagate") -> Any:
    r"""Krugman's (1991) index of the difference between two sector profiles.

    .. math:: K = \sum_i \Big|\frac{a_i}{\sum a} - \frac{b_i}{\sum b}\Big|

    0 for identical structures, 2 when no sector is shared (REAT's
    ``krugman.spec``, after Farhauer/Kroell 2013).

    * ``krugman(a, b)`` with two profiles (vectors, or two matrices compared row
      by row): the dissimilarity index.
    * ``krugman(matrix)`` with regions as rows: each region's specialisation
      index against the rest of the system (all other rows summed).

    Examples
    --------
    >>> from qdacore import indices
    >>> indices.krugman([20, 10, 70, 0, 0], [0, 0, 0, 60, 40])    # REAT's example
    2.0
    >>> indices.krugman([[1, 0], [0, 1], [1, 1]]).round(3).tolist()
    [1.333, 1.333, 0.0]
    """
    if b is None:
        m, rows, _ = _matrix(a, "a")
        total = np.nansum(m, axis=0) if nan_policy == "omit" else m.sum(axis=0)
        rest = total[None, :] - np.where(np.isnan(m), 0.0, m) if nan_policy == "omit" else total[None, :] - m
        d, _, _ = _distance(m, np.ascontiguousarray(rest), "a", "rest of a", "krugman", nan_policy)
        return _per_row(d, False, rows, "krugman_specialisation")
    d, one_d, rows = _distance(a, b, "a", "b", "krugman", nan_policy)
    return _per_row(d, one_d, rows, "krugman")


def hoover(a: Any, b: Any, *, nan_policy: str = "propagate") -> Any:
    r"""Hoover's coefficient between two distributions over the same units.

    .. math:: H = \frac{1}{2}\sum_i \Big|\frac{a_i}{\sum a} - \frac{b_i}{\sum b}\Big|

    the share of ``a`` that would have to move for it to be distributed like
    ``b`` (e.g. GDP against population over regions: REAT's ``hoover(x,
    weighting)``, Huang/Leung 2009). 0 equal, 1 disjoint.

    Examples
    --------
    >>> from qdacore import indices
    >>> indices.hoover([50, 50, 0], [0, 50, 50])
    0.5
    """
    d, one_d, rows = _distance(a, b, "a", "b", "hoover", nan_policy)
    return _per_row(d / 2.0, one_d, rows, "hoover")


def complementarity(exports: Any, imports: Any, *, nan_policy: str = "propagate") -> Any:
    r"""Trade complementarity index between what one place offers and another needs.

    .. math:: C = 100\Big(1 - \frac{1}{2}\sum_i |m_i - x_i|\Big)

    with :math:`x_i` the share of good (function, sector) i in the first place's
    exports and :math:`m_i` its share in the second place's imports (Michaely
    1996; the World Bank's WITS form, on a 0-100 scale). 100 when the export
    profile matches the import profile exactly, 0 when they share nothing; equal
    to :math:`100 (1 - \text{hoover})`.

    Examples
    --------
    >>> from qdacore import indices
    >>> indices.complementarity([10, 30, 60], [10, 30, 60]), indices.complementarity([1, 0], [0, 1])
    (100.0, 0.0)
    """
    d, one_d, rows = _distance(exports, imports, "exports", "imports", "complementarity", nan_policy)
    return _per_row(100.0 * (1.0 - d / 2.0), one_d, rows, "complementarity")


def duranton_puga(managers: Any, production: Any, *, nan_policy: str = "propagate") -> Any:
    r"""Duranton and Puga's (2005) functional specialisation of cities.

    .. math:: FS_j = \frac{M_j / P_j}{\sum_k M_k / \sum_k P_k} - 1

    managers (head-office, business-service) over production workers in city j
    against the same ratio for all cities together, as a relative deviation
    (0 = average; Duranton and Puga plot it in percent). Totals are taken over
    the cities given. A city with no production workers gives inf (NaN if it has
    no managers either).

    Examples
    --------
    >>> from qdacore import indices
    >>> indices.duranton_puga([30, 10], [50, 50]).round(12).tolist()
    [0.5, -0.5]
    """
    m, labels = _vector(managers, "managers")
    p, _ = _vector(production, "production")
    if len(m) != len(p):
        raise ValueError(f"managers and production must have one length, got {len(m)} and {len(p)}")
    policy = _policy(nan_policy)
    sums = np.nansum if policy == "omit" else np.sum
    with np.errstate(divide="ignore", invalid="ignore"):
        out = check.call_kernel(_core.location_quotient, "duranton_puga",
                                {"e_ij": ("managers", m), "e_j": ("production", p)},
                                m, p, np.full(len(m), sums(m)), np.full(len(m), sums(p)),
                                nested=False, nan_policy=policy)
        zero_p = p == 0
        out = np.where(zero_p, np.where(m > 0, np.inf, np.nan), out) - 1.0
    return pd.Series(out, index=labels, name="duranton_puga") if labels is not None else out
