"""Agreement of the coders of a project: presence or absence of each code per
unit (:func:`project_agreement`) and NVivo's character-level Coding Comparison
(:func:`coding_comparison`)."""
from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Optional, Union, cast

import numpy as np
import pandas as pd

from .. import _core
from .._model import CodedProject
from .._progress import track
from ._coefficients import METHODS, Result, interval
from ._ratings import Ratings

if TYPE_CHECKING:  # pragma: no cover
    from ..project import Project

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


def project_agreement(project: Project, level: Optional[str] = None, *,
                      coders: Optional[Sequence[Any]] = None, method: str = "krippendorff",
                      unit: str = "item", per_code: bool = True, ci: Optional[float] = 0.95,
                      n_boot: int = 1000, seed: int = 0, labels: Union[bool, str] = False,
                      progress: Optional[bool] = None) -> pd.DataFrame:
    """Inter-coder agreement per code of a project: the function behind
    :meth:`qdacore.Project.agreement`, whose documentation gives the parameters.

    Parameters
    ----------
    project : Project
        A coded project (any object with a Project's tables, codebook and
        ``arrays``).
    level, coders, method, unit, per_code, ci, n_boot, seed, labels, progress
        As in :meth:`qdacore.Project.agreement`.

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
            low, high = interval(r, Result(observed, expected, value, tally), kernel, None,
                                 "nominal", ci, n_boot, seed, "auto")
        rows.append((int((values == 1).any(axis=1).sum()), int(tally["paired_units"]),
                     observed, expected, value, low, high))
    index = list(project.codebook.targets(level, labels=labels)) if per_code else []
    if total is None:
        raise ValueError(f"level={level!r} has no targets to compare")
    observed, expected, value = _core.agree_coefficient(total, kernel)
    low = high = np.nan
    if ci is not None and kernel == "alpha" and not np.isnan(value):
        low, high = interval(binary, Result(observed, expected, value, total), kernel, None,
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


def coding_comparison(project: Project, level: Optional[str] = None, *,
                      coders: Optional[Sequence[Any]] = None) -> pd.DataFrame:
    """NVivo's Coding Comparison of two coders: the function behind
    :meth:`qdacore.Project.coding_comparison`, whose documentation gives the
    columns.

    Parameters
    ----------
    project : Project
        A coded project with ``documents.text`` (or ``documents.length``),
        ``items.start`` and code-point offsets on the codings.
    level, coders
        As in :meth:`qdacore.Project.coding_comparison`.

    Examples
    --------
    Two coders on one document of ten characters, A coding [0, 4), B [2, 6):
    they agree on 6 characters where (4 x 4 + 6 x 6) / 10 = 5.2 were expected,
    so kappa = (6 - 5.2) / (10 - 5.2).

    >>> import pandas as pd, qdacore as qc
    >>> project = qc.Project(
    ...     pd.DataFrame({"code": ["growth"]}),
    ...     pd.DataFrame({"doc": ["d"], "text": ["abcdefghij"]}),
    ...     pd.DataFrame({"item": ["d:1"], "doc": ["d"], "start": [0], "end": [10]}),
    ...     pd.DataFrame({"item": ["d:1", "d:1"], "code": ["growth", "growth"],
    ...                   "coder": ["A", "B"], "start": [0, 2], "end": [4, 6]}))
    >>> table = project.coding_comparison()
    >>> table[["doc", "code", "size", "kappa", "agreement"]].round(4)
      doc    code  size   kappa  agreement
    0   d  growth    10  0.1667       60.0
    >>> table.attrs["a"], table.attrs["b"]
    ('A', 'B')
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
