"""Indices of flows between places: node and network summaries of an
origin-destination matrix (:func:`flow_summary`) and Green's functional
polycentricity."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Optional

import numpy as np
import pandas as pd

from .. import _core
from .. import _validate as check
from ._arguments import matrix, policy


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
    w, rows, cols = matrix(od, "od")
    if w.shape[0] != w.shape[1]:
        raise ValueError(f"od must be square (origins x destinations), got shape {w.shape}")
    if rows is not None and not rows.equals(cols):
        raise ValueError("od: a DataFrame's columns must list the same nodes as its index, in order")
    n = w.shape[0]
    labels = pd.Index(rows if rows is not None else range(n), name="node")
    flags = _core_flags(core, labels, n)
    inflow, outflow, h, network = check.call_kernel(_core.flow_summary, "flow_summary", {"od": ("od", w)}, w,
                                                    core=flags, nan_policy=policy(nan_policy))
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
    w, _, _ = matrix(od, "od")
    if w.shape[0] != w.shape[1]:
        raise ValueError(f"od must be square (origins x destinations), got shape {w.shape}")
    out = check.call_kernel(_core.green_polycentricity, "green_polycentricity", {"od": ("od", w)}, w,
                            degree=degree, nan_policy=policy(nan_policy))
    return pd.Series(out, index=["degree_sd", "degree_sd_max", "evenness", "density",
                                 "valued_density", "polycentricity"], name="green")

