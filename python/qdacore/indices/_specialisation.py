"""Specialisation and complementarity of places: location quotients, Krugman's
and Hoover's indices, trade complementarity and Duranton and Puga's functional
specialisation."""
from __future__ import annotations

from typing import Any, Optional

import numpy as np
import pandas as pd

from .. import _core
from .. import _validate as check
from ._arguments import matrix, policy, vector


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
    nan_policy = policy(nan_policy)
    given = [v is not None for v in (e_j, e_i, e)]
    if any(given) and not all(given):
        raise ValueError("location_quotient: give e_j, e_i and e together (REAT form) or a "
                         "regions x sectors matrix alone")
    if not any(given):
        m, rows, cols = matrix(e_ij, "e_ij")
        sums = np.nansum if nan_policy == "omit" else np.sum
        r, c = m.shape
        parts = [m.ravel(), np.repeat(sums(m, axis=1), c), np.tile(sums(m, axis=0), r),
                 np.full(r * c, sums(m))]
        out = check.call_kernel(_core.location_quotient, "location_quotient",
                                {"e_ij": ("e_ij", m)}, *parts, nested=True,
                                nan_policy=nan_policy).reshape(r, c)
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
                            {k: (k, v) for k, v in zip(names, flat)}, *flat, nested=True, nan_policy=nan_policy)
    return float(out[0]) if scalar else out.reshape(arrays[0].shape)


def _profiles(a: Any, b: Any, name_a: str, name_b: str):
    """Two profiles as matching 2-d float arrays (rows: regions), and labels."""
    a_arr = np.asarray(a.to_numpy(dtype=float, na_value=np.nan) if isinstance(a, (pd.Series, pd.DataFrame)) else a)
    one_d = a_arr.ndim == 1
    rows = a.index if isinstance(a, pd.DataFrame) else None
    if one_d:
        a2, _ = vector(a, name_a)
        b2, _ = vector(b, name_b)
        a2, b2 = a2[None, :], b2[None, :]
    else:
        a2, _, _ = matrix(a, name_a)
        b2, _, _ = matrix(b, name_b)
    if a2.shape != b2.shape:
        raise ValueError(f"{name_a} and {name_b} must have the same shape, got "
                         f"{a2.shape[1:] if one_d else a2.shape} and {b2.shape[1:] if one_d else b2.shape}")
    return a2, b2, one_d, rows


def _distance(a: Any, b: Any, name_a: str, name_b: str, public: str, nan_policy: str):
    a2, b2, one_d, rows = _profiles(a, b, name_a, name_b)
    d = check.call_kernel(_core.share_distance, public, {"a": (name_a, a2), "b": (name_b, b2)}, a2, b2,
                          nan_policy=policy(nan_policy))
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
        m, rows, _ = matrix(a, "a")
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
    m, labels = vector(managers, "managers")
    p, _ = vector(production, "production")
    if len(m) != len(p):
        raise ValueError(f"managers and production must have one length, got {len(m)} and {len(p)}")
    nan_policy = policy(nan_policy)
    sums = np.nansum if nan_policy == "omit" else np.sum
    with np.errstate(divide="ignore", invalid="ignore"):
        out = check.call_kernel(_core.location_quotient, "duranton_puga",
                                {"e_ij": ("managers", m), "e_j": ("production", p)},
                                m, p, np.full(len(m), sums(m)), np.full(len(m), sums(p)),
                                nested=False, nan_policy=nan_policy)
        zero_p = p == 0
        out = np.where(zero_p, np.where(m > 0, np.inf, np.nan), out) - 1.0
    return pd.Series(out, index=labels, name="duranton_puga") if labels is not None else out
