"""Spatial relations of mega-regions: morphology from city sizes, and modelled flows.

:func:`morphology` computes the morphological-polycentricity family of
:mod:`qdacore.indices` for every mega-region (or any grouping) of a city table in
one pass per index. :func:`gravity_flows` builds a *modelled* origin-destination
matrix from masses and distances so that the flow indices
(:func:`qdacore.indices.flow_summary`, :func:`qdacore.indices.green_polycentricity`)
can be shown where no observed flows are at hand; observed matrices go into the
same functions.
"""
from __future__ import annotations

from typing import Optional

import numpy as np
import pandas as pd

from . import _core
from . import _validate as check

__all__ = ["morphology", "gravity_flows", "EARTH_RADIUS_KM"]

#: Mean Earth radius in km (IUGG), for haversine distances.
EARTH_RADIUS_KM = 6371.0088


def morphology(cities: pd.DataFrame, *, size_column: str = "popu_2020", by: str = "megaregion",
               role_column: Optional[str] = "role", name_column: str = "city",
               top: Optional[int] = None, nan_policy: str = "omit") -> pd.DataFrame:
    """Morphological polycentricity of every group of cities, one row per group.

    Parameters
    ----------
    cities : DataFrame
        One row per city: a size column, a group column and, optionally, a role
        column (``"core"`` / ``"secondary"``) and a name column; e.g.
        :func:`qdacore.datasets.load_census` on the mega-region cities.
    size_column : str
        Column of sizes (>= 0): population, GDP, jobs ...
    by : str
        Column of group labels (rows with a missing label are left out).
    role_column : str or None
        Column marking core cities with ``"core"``; None skips the core columns.
    name_column : str
        Column naming the cities (for ``largest``); ignored when absent.
    top : int, optional
        Cities entering the rank-size regression (largest first); None: all.
    nan_policy : {"omit", "propagate", "raise"}
        Missing sizes; by default a city without a size is left out and counted
        in ``n_missing``.

    Returns
    -------
    DataFrame
        Indexed by group, in order of first appearance: ``n`` (cities with a
        size), ``n_missing``, ``total``, ``largest`` (name), ``primacy_2``
        (P1/P2), ``primacy_4`` (P1/(P2+P3+P4)), ``rank_size_slope`` and
        ``rank_size_r2`` (ln size on ln rank, Meijers and Burger 2010; closer to
        0 is more polycentric), ``gini``, ``theil_t``, ``hhi_normalized``,
        ``entropy_normalized``, ``cv``, and with ``role_column``: ``n_core`` and
        ``core_share`` (share of the total in core cities). Definitions: see
        :mod:`qdacore.indices`.

    Examples
    --------
    Two invented regions (synthetic sizes):

    >>> import pandas as pd
    >>> from qdacore import spatial
    >>> cities = pd.DataFrame({
    ...     "region": ["A", "A", "A", "B", "B", "B"],
    ...     "city": ["a1", "a2", "a3", "b1", "b2", "b3"],
    ...     "pop": [900, 50, 50, 400, 350, 250],
    ...     "role": ["core", "secondary", "secondary", "core", "secondary", "secondary"]})
    >>> m = spatial.morphology(cities, size_column="pop", by="region")
    >>> m[["n", "largest", "primacy_2", "core_share"]]
            n largest  primacy_2  core_share
    region
    A       3      a1  18.000000         0.9
    B       3      b1   1.142857         0.4
    """
    size, role, name = size_column, role_column, name_column
    df = check.frame(cities, "cities", [c for c in (size, by) if c is not None])
    if role is not None and role not in df.columns:
        raise ValueError(f"role_column={role!r} is not a column of cities; pass role_column=None "
                         "to skip core shares")
    values = df[size]
    if not (pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values)):
        raise TypeError(f"cities.{size} must be numeric, got dtype {values.dtype}")
    x = values.to_numpy(dtype=float, na_value=np.nan)
    groups = df[by]
    codes, labels = pd.factorize(groups, sort=False)
    labels = pd.Index(labels, name=by)
    n_groups = len(labels)
    codes = codes.astype(np.int64)
    policy = check.choice(nan_policy, "nan_policy", check.NAN_POLICIES)
    kw = dict(group=codes, n_groups=n_groups, nan_policy=policy)
    arrays = {"x": (f"cities.{size}", x)}

    def run(kernel, *args, **extra):
        return check.call_kernel(kernel, "morphology", arrays, x, *args, **kw, **extra)

    known = (codes >= 0) & ~np.isnan(x)
    n = np.bincount(codes[known], minlength=n_groups)
    n_missing = np.bincount(codes[(codes >= 0) & np.isnan(x)], minlength=n_groups)
    total = np.bincount(codes[known], weights=x[known], minlength=n_groups)
    slope, r2 = run(_core.rank_size, top=0 if top is None else int(top))
    h, e, count = run(_core.concentration)
    count = count.astype(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        hhi_norm = np.where(count > 1, (h - 1.0 / count) / (1.0 - 1.0 / count), np.nan)
        entropy_norm = np.where(count > 1, e / np.log(np.where(count > 1, count, 2)), np.nan)
    out = pd.DataFrame({
        "n": n, "n_missing": n_missing, "total": total,
        "largest": _largest(df, name, x, codes, known, n_groups),
        "primacy_2": run(_core.primacy, 2), "primacy_4": run(_core.primacy, 4),
        "rank_size_slope": slope, "rank_size_r2": r2,
        "gini": run(_core.gini), "theil_t": run(_core.theil, kind="T")[0],
        "hhi_normalized": hhi_norm, "entropy_normalized": entropy_norm,
        "cv": run(_core.cv, 1.0),
    }, index=labels)
    if role is not None:
        core = (df[role] == "core").to_numpy() & known
        out["n_core"] = np.bincount(codes[core], minlength=n_groups)
        core_total = np.bincount(codes[core], weights=x[core], minlength=n_groups)
        with np.errstate(divide="ignore", invalid="ignore"):
            out["core_share"] = np.where(total > 0, core_total / np.where(total > 0, total, 1), np.nan)
    return out


def _largest(df: pd.DataFrame, name: str, x: np.ndarray, codes: np.ndarray, known: np.ndarray,
             n_groups: int) -> np.ndarray:
    """Name (or row label) of the largest city of every group."""
    result = np.full(n_groups, None, dtype=object)
    rows = np.flatnonzero(known & (codes >= 0))
    if len(rows) == 0:
        return result
    order = rows[np.lexsort((-x[rows], codes[rows]))]
    first = order[np.r_[True, codes[order][1:] != codes[order][:-1]]]
    names = df[name].to_numpy(dtype=object) if name in df.columns else df.index.to_numpy(dtype=object)
    result[codes[first]] = names[first]
    return result


def gravity_flows(cities: pd.DataFrame, *, mass_column: str = "popu_2020",
                  lon_column: str = "lon", lat_column: str = "lat", id_column: str = "city",
                  beta: float = 2.0, constant: float = 1.0,
                  min_distance_km: float = 1.0) -> pd.DataFrame:
    r"""A **modelled** origin-destination matrix from a gravity model, not observed flows.

    .. math:: F_{ij} = c \frac{m_i m_j}{d_{ij}^{\beta}}, \qquad i \ne j

    with :math:`c` the ``constant``, :math:`m` the masses (``mass_column``, e.g. population) and
    :math:`d_{ij}` the great-circle (haversine) distance in km between the
    cities' coordinates, floored at ``min_distance_km``; the diagonal is 0. The
    matrix is symmetric by construction, so it shows what the flow indices do
    with size and distance alone: it carries no evidence about actual flows of
    people, goods or information. Use observed matrices (commuting, migration,
    rail or flight timetables, firm networks) for that; they go into
    :func:`qdacore.indices.flow_summary` the same way.

    The result says so itself: ``attrs["modelled"]`` is True and
    ``attrs["model"]`` states the model and its parameters.

    Parameters
    ----------
    cities : DataFrame
        One row per city with the mass, longitude and latitude columns and an id
        column (unique) naming the nodes.
    mass_column, lon_column, lat_column, id_column : str
        Column names.
    beta : float
        Distance decay exponent (> 0).
    constant : float
        Constant factor (> 0).
    min_distance_km : float
        Floor of the distance, so that two cities at one point give a finite
        flow (> 0).

    Returns
    -------
    DataFrame
        Square, origins as the index (``origin``), destinations as columns
        (``destination``), in the order of ``cities``. Cities with a missing
        mass or coordinate get NaN rows and columns.

    Examples
    --------
    Three invented cities on the equator (synthetic):

    >>> import pandas as pd
    >>> from qdacore import spatial
    >>> towns = pd.DataFrame({"city": ["a", "b", "c"], "pop": [100.0, 100.0, 50.0],
    ...                       "lon": [0.0, 1.0, 2.0], "lat": [0.0, 0.0, 0.0]})
    >>> od = spatial.gravity_flows(towns, mass_column="pop", beta=1.0)
    >>> od.attrs["modelled"], od.round(2)
    (True, destination      a      b      c
    origin
    a             0.00  89.93  22.48
    b            89.93   0.00  44.97
    c            22.48  44.97   0.00)
    """
    mass, lon, lat, k = mass_column, lon_column, lat_column, constant
    df = check.frame(cities, "cities", [mass, lon, lat, id_column])
    names = check.ids(df[id_column], f"cities.{id_column}")
    for col in (mass, lon, lat):
        if not (pd.api.types.is_numeric_dtype(df[col]) and not pd.api.types.is_bool_dtype(df[col])):
            raise TypeError(f"cities.{col} must be numeric, got dtype {df[col].dtype}")
    for label, value in (("beta", beta), ("constant", k), ("min_distance_km", min_distance_km)):
        if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)) \
                or not np.isfinite(value) or value <= 0:
            raise ValueError(f"{label} must be a finite number > 0, got {value!r}")
    m = df[mass].to_numpy(dtype=float, na_value=np.nan)
    if (m < 0).any():
        bad = np.flatnonzero(m < 0)
        raise ValueError(f"cities.{mass} must be >= 0; negative at rows {check.examples(bad.tolist())}")
    lo = np.radians(df[lon].to_numpy(dtype=float, na_value=np.nan))
    la = np.radians(df[lat].to_numpy(dtype=float, na_value=np.nan))
    if (np.abs(la) > np.pi / 2).any():
        raise ValueError(f"cities.{lat} must lie within [-90, 90] degrees")
    half = np.sin((la[:, None] - la[None, :]) / 2.0) ** 2 + \
        np.cos(la[:, None]) * np.cos(la[None, :]) * np.sin((lo[:, None] - lo[None, :]) / 2.0) ** 2
    distance = 2.0 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(half, 0.0, 1.0)))
    distance = np.maximum(distance, float(min_distance_km))
    flows = float(k) * m[:, None] * m[None, :] / distance ** float(beta)
    np.fill_diagonal(flows, 0.0)
    od = pd.DataFrame(flows, index=pd.Index(names, name="origin"),
                      columns=pd.Index(names, name="destination"))
    od.attrs["modelled"] = True
    od.attrs["model"] = (f"gravity model F_ij = c m_i m_j / d_ij^beta with m = {mass}, "
                         f"beta = {beta}, c = {k}, haversine distance in km (floor "
                         f"{min_distance_km}); modelled, not observed")
    return od
