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
from .._partial import Partial, merge_counts
from .._pieces import Scope
from .._progress import track
from ..codebook import Codebook
from ._coefficients import METHODS, Result, interval
from ._ratings import Ratings

if TYPE_CHECKING:  # pragma: no cover
    from ..project import Project

_PROJECT_METHODS = ("krippendorff", "fleiss", "gwet", "brennan_prediger", "conger", "cohen",
                    "percent")


def _coder_positions(project: CodedProject, coders, strict: bool = True
                     ) -> tuple[np.ndarray, pd.Index]:
    """Coder index of every coding in CSR order (-1: not compared) and the
    coders (``strict=False``: a coder may have made no codings here, as in
    one piece of a project)."""
    codings = project.codings
    if "coder" not in codings.columns:
        raise ValueError("agreement needs a coder column in the codings table")
    present = pd.Index(pd.unique(codings["coder"].dropna()))
    chosen = present if coders is None else pd.Index(list(coders))
    if strict:
        _check_coders(chosen, present, coders)
    position = chosen.get_indexer(pd.Index(codings["coder"])).astype(np.int64)
    return project.arrays.in_csr_order(position), chosen.rename("coder")


def _check_coders(chosen: pd.Index, present: pd.Index, coders) -> None:
    missing = chosen.difference(present)
    if len(missing):
        raise ValueError(f"coders={list(coders)!r}: {list(missing)[:5]!r} made no codings; "
                         f"coders are {list(present)[:10]!r}")
    if len(chosen) < 2:
        raise ValueError(f"agreement needs at least 2 coders; the project has {list(present)!r}")


def _expanded_targets(project: CodedProject, dim) -> tuple[np.ndarray, np.ndarray]:
    """(coding position, target) for every target each coding reaches."""
    code = project.arrays.code
    fan = np.diff(dim.indptr)[code]
    owner = np.repeat(np.arange(len(code)), fan)
    first = np.repeat(dim.indptr[code], fan)
    step = np.arange(len(owner)) - np.repeat(np.cumsum(fan) - fan, fan)
    return owner, dim.target[first + step]


def _presence(project: CodedProject, level, coders, unit, strict: bool = True):
    """Units x coders scope and the (target, unit, coder) presence triples."""
    if unit not in ("item", "document"):
        raise ValueError(f"unit must be 'item' or 'document', got {unit!r}")
    dim = project.codebook.dimension(level)
    coder_of, coder_index = _coder_positions(project, coders, strict)
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
    tallies = AgreementTallies.of(project, level, coders=coders, unit=unit)
    # the units themselves are needed only by the intervals that resample them
    presence = None
    if per_code and ci is not None and METHODS[method] != "alpha":
        presence = _presence(project, level, coders, unit)
    return tallies._table(method, per_code, ci, n_boot, seed, labels, progress, presence)


# Each unit's ratings of one target, a row of -1 (not rated), 0 or 1 per
# coder, is one integer: digit c (base 3) is coder c's rating + 1; a key is
# target * 3**n_coders + that integer, which must stay below 2**62.


class AgreementTallies(Partial):
    """The agreement tallies of a piece of a project, to be added to those
    of other pieces (``a + b``) and finished once: the partial result behind
    :meth:`~qdacore.Project.agreement`, for a project counted piece by piece
    (:class:`qdacore.dask.ProjectFrames`).

    Per target it holds how many units carry each pattern of ratings (which
    coders rated the unit, which marked the target): integers, so pieces add
    exactly, and the tallies of the coefficients follow from them. Pieces
    are as for :class:`~qdacore.CodeCounts`; a unit (an item, a document)
    lies in one piece. ``coders=None`` takes each piece's coders in order of
    appearance: pass the list when pieces may differ. Intervals (``ci``) of
    a sum of pieces are those of Krippendorff's bootstrap of alpha, which
    needs only the tallies; the other coefficients resample units, which
    only the single call on the whole project holds.

    Examples
    --------
    >>> import qdacore as qc
    >>> from qdacore.agree import AgreementTallies
    >>> project = qc.datasets.megaregions(n_coders=2)
    >>> docs = project.documents
    >>> def piece(keep):
    ...     items = project.items[project.items["doc"].isin(keep)]
    ...     codings = project.codings[project.codings["item"].isin(items["item"])]
    ...     return qc.Project(project.codebook, docs, items, codings)
    >>> a = AgreementTallies.of(piece(docs["doc"].iloc[:10]), "theme",
    ...                         coders=["coder1", "coder2"], piece=0)
    >>> b = AgreementTallies.of(piece(docs["doc"].iloc[10:]), "theme",
    ...                         coders=["coder1", "coder2"], piece=1)
    >>> (a + b).result(n_boot=200).round(3)[["n_units", "krippendorff", "ci_low", "ci_high"]]
           n_units  krippendorff  ci_low  ci_high
    theme
    COE       1199         0.965   0.947    0.979
    CON       1199         0.950   0.931    0.970
    COO       1199         0.931   0.911    0.951
    (all)     3597         0.949   0.938    0.958
    """

    _setting_names = ("level", "coders", "unit")
    _codebook: Codebook
    _scope: Scope
    _key: np.ndarray
    _count: np.ndarray
    _made: np.ndarray
    _coders: pd.Index

    @classmethod
    def _make(cls, settings: tuple, codebook: Codebook, scope: Scope, coders: pd.Index,
              made: np.ndarray, key: np.ndarray, count: np.ndarray) -> AgreementTallies:
        self = cls.__new__(cls)
        self._settings = settings
        self._codebook = codebook
        self._scope = scope
        self._coders = coders
        self._made = made  # per coder: made a coding in some piece
        self._key = key  # target * 3**n_coders + pattern, increasing
        self._count = count  # units with that pattern (int64)
        return self

    @classmethod
    def of(cls, project: CodedProject, level: Optional[str] = None, *,
           coders: Optional[Sequence[Any]] = None, unit: str = "item",
           piece: int = 0) -> AgreementTallies:
        """The agreement tallies of ``project`` (a piece of a project); the
        arguments are those of :meth:`~qdacore.Project.agreement`, and
        ``piece``, the piece's position in the whole project."""
        dim, coder_index, rated, units, key = _presence(project, level, coders, unit, strict=False)
        n_coders, n_targets = len(coder_index), len(dim.targets)
        if n_coders * np.log2(3) + np.log2(max(n_targets, 1)) >= 62:
            raise ValueError(f"agreement tallies take 3**coders x targets < 2**62 patterns; got "
                             f"{n_coders} coders and {n_targets} targets (compare fewer coders)")
        digit = 3 ** np.arange(n_coders, dtype=np.int64)
        base = rated[units].astype(np.int64) @ digit  # rated: 0 -> digit 1; not: 0
        position = np.full(rated.shape[0], -1, dtype=np.int64)
        position[units] = np.arange(len(units))
        on = position[key[1]] >= 0
        t, u, c = key[0][on], position[key[1][on]], key[2][on]
        # the units where a target is present: their pattern gains 1 in the
        # digits of the coders who marked it (0 -> 1 is digit 1 -> 2)
        pair = t * max(len(units), 1) + u
        pairs, first, inverse = np.unique(pair, return_index=True, return_inverse=True)
        gained = np.zeros(len(pairs), dtype=np.int64)
        np.add.at(gained, inverse.reshape(-1), digit[c])
        pair_t, pair_u = t[first], u[first]
        width = np.int64(3) ** n_coders
        patterns, n_units = np.unique(base, return_counts=True)
        targets = np.arange(n_targets, dtype=np.int64)
        keys = np.concatenate([(targets[:, None] * width + patterns[None, :]).reshape(-1),
                               pair_t * width + base[pair_u],
                               pair_t * width + base[pair_u] + gained])
        counts = np.concatenate([np.tile(n_units, n_targets),
                                 np.full(len(pairs), -1, dtype=np.int64),
                                 np.ones(len(pairs), dtype=np.int64)])
        merged, where = np.unique(keys, return_inverse=True)
        summed = np.zeros(len(merged), dtype=np.int64)
        np.add.at(summed, where.reshape(-1), counts)
        keep = summed != 0
        made = np.zeros(n_coders, dtype=bool)
        coder_of, _ = _coder_positions(project, coder_index, strict=False)
        made[coder_of[coder_of >= 0]] = True
        coders_key = None if coders is None else tuple(coders)
        return cls._make((level, coders_key if coders_key is not None else tuple(coder_index),
                          unit), project.codebook, Scope.of(project, piece), coder_index, made,
                         merged[keep], summed[keep])

    def _add(self, other: AgreementTallies) -> AgreementTallies:
        scope = self._scope + other._scope
        if not (self._codebook is other._codebook or self._codebook == other._codebook):
            raise ValueError("cannot add AgreementTallies of projects with different codebooks; "
                             "every piece holds the whole codebook")
        key, count = merge_counts(self._key, self._count, other._key, other._count)
        return AgreementTallies._make(self._settings, self._codebook, scope, self._coders,
                                      self._made | other._made, key, count)

    def result(self, *, method: str = "krippendorff", per_code: bool = True,
               ci: Optional[float] = 0.95, n_boot: int = 1000, seed: int = 0,
               labels: Union[bool, str] = False, progress: Optional[bool] = None) -> pd.DataFrame:
        """The agreement table: :meth:`~qdacore.Project.agreement` of the
        whole project, whose arguments these are; ``ci`` needs
        ``method="krippendorff"`` (or None)."""
        if method not in _PROJECT_METHODS:
            raise ValueError(f"method must be one of {_PROJECT_METHODS}, got {method!r}")
        if ci is not None and method != "krippendorff":
            raise ValueError(f"ci={ci!r} with method={method!r} resamples units, which a sum of "
                             "pieces does not hold; pass ci=None, or method='krippendorff' "
                             "(whose interval needs only the tallies)")
        return self._table(method, per_code, ci, n_boot, seed, labels, progress, None)

    def _table(self, method: str, per_code: bool, ci: Optional[float], n_boot: int, seed: int,
               labels: Union[bool, str], progress: Optional[bool], presence: Any) -> pd.DataFrame:
        """The table; ``presence`` (the whole project's units, from
        :func:`_presence`) gives the intervals that resample units."""
        level, coders, unit = self._settings
        coder_index = self._coders
        _check_coders(coder_index, coder_index[self._made], None if coders is None else list(coders))
        dim = self._codebook.dimension(level)
        if method == "cohen" and len(coder_index) != 2:
            raise ValueError(f"method='cohen' compares two coders; pass coders=[a, b] "
                             f"(the project has {list(coder_index)!r})")
        kernel = METHODS[method]
        n_coders = len(coder_index)
        width = np.int64(3) ** n_coders
        target, pattern = np.divmod(self._key, width)
        ratings = (pattern[:, None] // 3 ** np.arange(n_coders, dtype=np.int64)) % 3 - 1
        bounds = np.searchsorted(target, np.arange(len(dim.targets) + 1))
        rows, total = [], None
        for t in track(range(len(dim.targets)), total=len(dim.targets),
                       desc=f"agreement per {dim.name or 'code'}", progress=progress):
            sel = slice(bounds[t], bounds[t + 1])
            values, multiplicity = ratings[sel], self._count[sel]
            tally = _core.agree_tally(np.ascontiguousarray(values), 2, multiplicity=multiplicity)
            total = tally if total is None else _add_tallies(total, tally)
            if not per_code:
                continue
            observed, expected, value = _core.agree_coefficient(tally, kernel)
            low = high = np.nan
            if ci is not None and not np.isnan(value):
                r = None if kernel == "alpha" else _unit_ratings(presence, t, coder_index)
                low, high = interval(cast(Ratings, r), Result(observed, expected, value, tally),
                                     kernel, None, "nominal", ci, n_boot, seed, "auto")
            rows.append((int(multiplicity[(values == 1).any(axis=1)].sum()),
                         int(tally["paired_units"]), observed, expected, value, low, high))
        index = list(self._codebook.targets(level, labels=labels)) if per_code else []
        if total is None:
            raise ValueError(f"level={level!r} has no targets to compare")
        observed, expected, value = _core.agree_coefficient(total, kernel)
        low = high = np.nan
        if ci is not None and kernel == "alpha" and not np.isnan(value):
            low, high = interval(cast(Ratings, None), Result(observed, expected, value, total),
                                 kernel, None, "nominal", ci, n_boot, seed, "krippendorff")
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
                          RuntimeWarning, stacklevel=4)
        table.attrs.update(method=method, unit=unit, coders=list(coder_index),
                           observed="disagreement" if kernel == "alpha" else "agreement")
        return table


def _unit_ratings(presence: Any, t: int, coder_index: pd.Index) -> Ratings:
    """Target t's ratings of every unit of the whole project, in unit order,
    for the intervals that resample units."""
    _, _, rated, units, key = presence
    base = np.where(rated[units], 0, -1).astype(np.int64)
    position = np.full(rated.shape[0], -1, dtype=np.int64)
    position[units] = np.arange(len(units))
    bounds = np.searchsorted(key[0], [t, t + 1])
    u, g = position[key[1, bounds[0]:bounds[1]]], key[2, bounds[0]:bounds[1]]
    base[u[u >= 0], g[u >= 0]] = 1
    return Ratings(base, pd.Index([0, 1]), pd.Index(units), coder_index, True)


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
