"""Relating codes: co-occurrence, cross-tabulation and code networks.

Contexts of co-occurrence
-------------------------
``context="item"``
    Two targets co-occur in an item that carries both (once per item, however
    many codings). The diagonal counts the items that carry a target
    (ATLAS.ti's groundedness at item level). Equals ``X.T @ X`` for the binary
    item-by-target matrix ``X``.
``context="document"``
    The same with documents as units.
``context="span"``
    Coded spans: a coding's ``start``/``end`` within its item, or its whole
    item where it has none (the item placed by ``items.start``/``end``; a
    coding with neither cannot take part). Codings with the same span form one
    *quotation*. Two quotations co-occur when they share at least one code
    point or one lies within the other (ATLAS.ti's co-occurrence operator: WITHIN,
    ENCLOSES, OVERLAPS, OVERLAPPED BY, and one quotation coded twice); spans
    that only touch (``[0, 5)`` and ``[5, 9)``) do not. A zero-length span
    co-occurs with a span it lies within or on the edge of. Each *event*, a
    pair of co-occurring quotations (or one quotation with two codes), counts
    once for a pair of targets; the diagonal counts quotations. Positions are
    taken in document coordinates (``items.start + codings.start``) when the
    items table has ``start`` offsets, else within each item.
``context=None`` (the default)
    Chosen by the project's shape (:func:`default_context`): ``"span"`` when
    items of a document overlap or repeat one another, as the selections of
    a project coded in ATLAS.ti, NVivo or MAXQDA do (one passage selected
    once per code, or coded in overlapping stretches: those packages' code
    co-occurrence table and coding matrix count overlapping quotations), and
    ``"item"`` otherwise, as for items that divide the documents into units
    (the planning items of the study). The result's ``attrs["context"]``
    names the context used. When no two targets co-occur but at least two
    are coded, a warning names the contexts that do find pairs.
``context="window"``
    Items at most ``window`` positions apart in the same document (the items
    table's order within each document); ``window=0`` is ``context="item"``.
    Each pair of items counts once for a pair of targets; the diagonal counts
    items.

Measures
--------
With ``n_ab`` the co-occurrence count of targets a and b, ``n_a`` and ``n_b``
their diagonal counts and ``N`` the number of units (items or documents, in
the group when ``by`` is given):

- ``count``: ``n_ab``.
- ``c`` (ATLAS.ti's c-coefficient) and ``jaccard``: ``n_ab / (n_a + n_b - n_ab)``,
  0 to 1; the c-coefficient is the Jaccard index of the two sets of units.
- ``cosine`` (Salton): ``n_ab / sqrt(n_a * n_b)``, 0 to 1.
- ``conditional``: ``n_ab / n_row``, the probability of the column target given
  the row target, 0 to 1 (the table is not symmetric).
- ``lift``: ``n_ab * N / (n_a * n_b)``, 1 under independence.
- ``npmi``: ``log(lift) / -log(n_ab / N)``, -1 to 1: -1 when ``n_ab = 0``, 0 under
  independence, 1 when ``n_ab = N``.
- ``expected``: ``n_a * n_b / N``, the count expected under independence.
- ``zscore``: ``(n_ab - expected) / sd`` with the hypergeometric variance
  ``n_a n_b (N - n_a) (N - n_b) / (N^2 (N - 1))``.
- ``pvalue``: P(X >= n_ab) for X hypergeometric(N, n_a, n_b): the one-sided
  test for attraction (Fisher's exact test, alternative "greater").
- ``qvalue``: Benjamini-Hochberg adjusted ``pvalue`` over all T(T-1)/2 pairs of
  distinct targets of a group.

In span and window contexts one quotation or item can meet several others, so
``c``, ``cosine`` and ``conditional`` may exceed 1 (ATLAS.ti flags such a
c-coefficient as "out of range").
A ratio whose denominator is 0 is NaN. ``lift``, ``npmi``, ``expected``,
``zscore``, ``pvalue`` and ``qvalue`` assume that each unit counts once and are
offered for ``context="item"`` and ``"document"`` only; ``pvalue`` and ``qvalue``
use scipy's hypergeometric distribution.
"""
from __future__ import annotations

import os
import warnings
from collections import namedtuple
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Optional, Union

import numpy as np
import pandas as pd

from . import _core
from . import _validate as check
from ._model import UNITS, By, CodedProject, Split, check_shares, margins_and_shares, runs
from ._partial import Partial, merge_counts
from ._pieces import Groups, Scope, scatter
from .codebook import Codebook

if TYPE_CHECKING:  # pragma: no cover
    from .project import Project

__all__ = ["CONTEXTS", "MEASURES", "Chi2Result", "CooccurrenceCounts", "benjamini_hochberg", "cooccurrence",
           "cooccurrence_edges", "crosstab", "default_context", "measure_values", "to_networkx",
           "write_graph"]

#: Choices of ``context=``.
CONTEXTS = ("item", "document", "span", "window")
#: Choices of ``measure=``.
MEASURES = ("count", "c", "jaccard", "cosine", "conditional", "lift", "npmi",
            "expected", "zscore", "pvalue", "qvalue")
_PROBABILISTIC = {"lift", "npmi", "expected", "zscore", "pvalue", "qvalue"}
# Results of more cells than this are counted in a hash table of the pairs that
# occur instead of a dense array.
_DENSE_CELLS = 1 << 22

Chi2Result = namedtuple("Chi2Result", ["statistic", "pvalue", "dof", "expected"])
Chi2Result.__doc__ = """Pearson's chi-square test of independence of a cross-table
(scipy.stats.chi2_contingency without Yates' correction), computed on the rows and
columns whose totals are not 0.

Examples
--------
>>> import qdacore as qc
>>> table, test = qc.datasets.megaregions().crosstab("subtheme", "mismatch", chi2=True)
>>> round(test.statistic, 1), test.dof
(1671.9, 14)
"""


# -- segments ------------------------------------------------------------------------

def _segments(project: CodedProject, context: str, window: Optional[int], split: Split,
              quiet: bool = False) -> dict:
    """Kernel arguments (indptr, code, near, space/start/end, group) for a context.

    Segments are items, documents, (item, group) pairs when the split is per
    coding, or distinct coded spans; see the module docstring.
    """
    arrays = project.arrays
    group_of_coding = arrays.coding_groups(split)
    if context == "item" and split.per == "item":
        args = {"indptr": arrays.indptr, "code": arrays.code, "near": "self"}
        if split.codes is not None:
            args.update(group=split.codes, n_groups=split.n_groups)
        return args

    coding_item = arrays.coding_item
    g = group_of_coding if group_of_coding is not None else np.zeros(len(coding_item), np.int64)
    if context == "span":
        space, start, end, placed = _span_positions(project, quiet)
        g = np.where(placed, g, -1)  # a coding without a span takes no part
        keep = np.flatnonzero(g >= 0)
        order = keep[np.lexsort((g[keep], end[keep], start[keep], space[keep]))]
        first, indptr = runs(space[order], start[order], end[order], g[order])
        args = {"near": "span", "space": space[order][first], "start": start[order][first],
                "end": end[order][first]}
    else:
        owner = arrays.item_doc[coding_item] if context == "document" else coding_item
        keep = np.flatnonzero(g >= 0)
        if context == "window":
            # items in document order within each (group, document)
            doc = arrays.item_doc[coding_item]
            order = keep[np.lexsort((owner[keep], doc[keep], g[keep]))]
            first, indptr = runs(g[order], owner[order])
            seg_owner = owner[order][first]
            _, space_runs = runs(g[order][first], doc[order][first])
            space = np.repeat(np.arange(len(space_runs) - 1), np.diff(space_runs))
            args = {"near": "window", "window": int(window or 0), "space": space,
                    "start": arrays.item_rank_in_document()[seg_owner]}
        else:
            order = keep[np.lexsort((owner[keep], g[keep]))]
            first, indptr = runs(g[order], owner[order])
            args = {"near": "self"}
    args.update(indptr=indptr, code=arrays.code[order])
    if group_of_coding is not None:
        args.update(group=g[order][first], n_groups=split.n_groups)
    return args


def _span_positions(project: CodedProject, quiet: bool = False
                    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(space, start, end, placed) of every coding in CSR order, integers (see
    :meth:`qdacore.CodingArrays.spans`); a coding without a span (a selection
    outside its text, an item without offsets) is not placed, with a warning
    (``quiet``: none, the caller reports them)."""
    _, space, start, end = project.arrays.spans()
    placed = ~(np.isnan(start) | np.isnan(end))
    if not quiet:
        _report_unplaced(len(placed), int((~placed).sum()))
    return (space.astype(np.int64), np.where(placed, start, 0).astype(np.int64),
            np.where(placed, end, 0).astype(np.int64), placed)


def _report_unplaced(n_codings: int, n_unplaced: int) -> None:
    if n_codings and n_unplaced == n_codings:
        raise ValueError("context='span' needs spans, and no coding has one: neither codings.start/end nor "
                         "items.start/end place them; give the items (or codings) offsets, or use context='item'")
    if n_unplaced:
        check.warn(f"context='span': {n_unplaced} coding(s) have no span (neither codings.start/end "
                   "nor items.start/end place them) and take no part; give their items offsets to count them")


def _n_units(project: CodedProject, context: str, split: Split) -> np.ndarray:
    """Units per group (N of the measures): items or documents in the group's scope."""
    n_groups = split.n_groups
    if context not in ("item", "document"):
        return np.full(n_groups, np.nan)
    if split.codes is not None and split.per == "item":
        g = split.codes
        if context == "document":
            # a document belongs to a group through its items
            pairs = np.unique(np.stack([g, project.arrays.item_doc]), axis=1)
            g = pairs[0]
        return np.bincount(g[g >= 0], minlength=n_groups).astype(float)
    total = len(project.items) if context == "item" else len(project.documents)
    return np.full(n_groups, float(total))


def _check_window(context: str, window: Optional[int]) -> None:
    check.choice(context, "context", CONTEXTS)
    if context == "window":
        if window is None or isinstance(window, bool) or not isinstance(window, (int, np.integer)) or window < 0:
            raise ValueError(f"context='window' needs window= a whole number >= 0, got {window!r}")
    elif window is not None:
        raise ValueError(f"window={window!r} applies to context='window' only; got "
                         f"context={context!r}")


def _counts(project: CodedProject, level: Optional[str], context: str, window: Optional[int],
            by: By, dropna: bool, sparse: Optional[bool], quiet: bool = False):
    _check_window(context, window)
    dim = project.codebook.dimension(level)
    split = project.arrays.split(by, dropna=dropna)
    args = _segments(project, context, window, split, quiet)
    t = len(dim.targets)
    if sparse is None:
        sparse = split.n_groups * t * t > _DENSE_CELLS
    result = _core.cooccurrence(
        args.pop("indptr"), args.pop("code"), dim.indptr, dim.target, t, sparse=sparse, **args
    )
    return dim, split, result, _n_units(project, context, split)


# -- measures --------------------------------------------------------------------------

def _ratio(num, den):
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.divide(num, den, dtype=float)
    return np.where(den == 0, np.nan, out)


def measure_values(measure: str, n_ab, n_a, n_b, n_units) -> np.ndarray:
    """A co-occurrence measure from counts (arrays broadcast together).

    ``n_a`` is the row (source) target's count, ``n_b`` the column's, ``n_units``
    the number of units N. See the module docstring for the formulas.

    Examples
    --------
    ATLAS.ti's c-coefficient of two codes on 73 shared of 460 and 452 items:

    >>> from qdacore.cooc import measure_values
    >>> float(measure_values("c", 73, 460, 452, 1199).round(4))
    0.087
    """
    n_ab, n_a, n_b = (np.asarray(x, dtype=float) for x in (n_ab, n_a, n_b))
    n = np.asarray(n_units, dtype=float)
    if measure == "count":
        return n_ab
    if measure in ("c", "jaccard"):
        return _ratio(n_ab, n_a + n_b - n_ab)
    if measure == "cosine":
        return _ratio(n_ab, np.sqrt(n_a * n_b))
    if measure == "conditional":
        return _ratio(n_ab, n_a)
    if measure == "lift":
        return _ratio(n_ab * n, n_a * n_b)
    if measure == "expected":
        return _ratio(n_a * n_b, n)
    if measure == "npmi":
        with np.errstate(divide="ignore", invalid="ignore"):
            p_ab = n_ab / n
            pmi = np.log(n_ab * n / (n_a * n_b))
            value = pmi / -np.log(p_ab)
        value = np.where(n_ab == 0, -1.0, value)
        value = np.where((n_ab > 0) & (n_ab == n), 1.0, value)
        return np.where((n_a == 0) | (n_b == 0) | (n == 0), np.nan, value)
    if measure == "zscore":
        expected = _ratio(n_a * n_b, n)
        variance = _ratio(n_a * n_b * (n - n_a) * (n - n_b), n * n * (n - 1))
        return _ratio(n_ab - expected, np.sqrt(variance))
    if measure == "pvalue":
        from scipy.stats import hypergeom

        with np.errstate(invalid="ignore"):
            p = hypergeom.sf(n_ab - 1, n, n_a, n_b)
        return np.where((n == 0) | np.isnan(n), np.nan, p)
    raise ValueError(f"measure={measure!r} is not one of {check.examples(MEASURES)}")


def benjamini_hochberg(p: np.ndarray, n_tests: int) -> np.ndarray:
    """BH-adjusted p-values for p, the listed ones among n_tests tests whose other
    p-values are 1 (they rank last and never lower a listed q-value).

    Examples
    --------
    >>> from qdacore.cooc import benjamini_hochberg
    >>> benjamini_hochberg([0.01, 0.04, 0.03], 3).round(3).tolist()
    [0.03, 0.04, 0.04]
    """
    p = np.asarray(p, dtype=float)
    if len(p) == 0:
        return p.copy()
    order = np.argsort(p, kind="stable")
    ranked = p[order] * n_tests / np.arange(1, len(p) + 1)
    adjusted = np.minimum.accumulate(ranked[::-1])[::-1]
    q = np.empty_like(p)
    q[order] = np.minimum(adjusted, 1.0)
    return q


def default_context(project: CodedProject) -> str:
    """The context that ``context=None`` chooses for ``project``: ``"span"``
    when two items of a document overlap or repeat a span (selections made in
    a QDA package), else ``"item"``. See the module docstring.

    Examples
    --------
    >>> import qdacore as qc
    >>> qc.cooc.default_context(qc.datasets.megaregions())
    'item'
    """
    if not isinstance(project, CodedProject):
        raise TypeError(f"project must be a qdacore.Project, got {type(project).__name__}")
    return "span" if project.arrays.items_overlap() else "item"


def _context(project: CodedProject, context: Optional[str]) -> str:
    return default_context(project) if context is None else check.choice(context, "context", CONTEXTS)


def _warn_if_no_pairs(project: CodedProject, level: Optional[str], context: str,
                      diag: np.ndarray, n_pairs: int) -> None:
    """Warn when at least two targets are coded but none co-occur, naming the
    contexts that do find pairs."""
    if n_pairs or np.count_nonzero(diag) < 2:
        return
    found = []
    for other in ("span", "item", "document"):
        if other != context:
            try:
                with warnings.catch_warnings():  # said once, for the context asked for
                    warnings.simplefilter("ignore")
                    _, _, (group, a, b, count), _ = _counts(project, level, other, None, None, True, sparse=True)
            except ValueError:
                continue
            pairs = int(np.count_nonzero((a != b) & (count > 0)))
            if pairs:
                found.append(f"context={other!r} finds {pairs} pair(s)")
    check.warn(f"no two targets of level={level!r} co-occur with context={context!r}"
               + (f"; {', '.join(found)}" if found else "; no other context finds any either"))


def _check_measures(measures: Sequence[str], context: str, chosen: bool = False) -> None:
    for m in measures:
        check.choice(m, "measure", MEASURES)
        if m in _PROBABILISTIC and context not in ("item", "document"):
            which = (f"context=None chose {context!r}, as the items overlap, and it" if chosen
                     else f"context={context!r}")
            raise ValueError(
                f"measure={m!r} assumes each unit counts once; use context='item' or "
                f"'document' ({which} counts events), or a measure among count, c, "
                "jaccard, cosine, conditional"
            )


def _dense_matrices(result, sparse: bool, n_groups: int, t: int) -> np.ndarray:
    """Full symmetric (n_groups, T, T) counts from either kernel output."""
    if sparse:
        group, a, b, count = result
        full = np.zeros((n_groups, t, t), dtype=np.int64)
        full[group, a, b] = count
    else:
        full = result
    lower = np.transpose(full, (0, 2, 1)).copy()
    idx = np.arange(t)
    lower[:, idx, idx] = 0
    return full + lower


def _matrix_measure(counts: np.ndarray, n_units: float, measure: str) -> np.ndarray:
    diag = np.diagonal(counts).astype(float)
    if measure == "qvalue":
        p = measure_values("pvalue", counts, diag[:, None], diag[None, :], n_units)
        t = counts.shape[0]
        iu = np.triu_indices(t, k=1)
        q = np.full_like(p, np.nan)
        q[iu] = benjamini_hochberg(p[iu], len(iu[0]))
        q[(iu[1], iu[0])] = q[iu]
        return q
    return measure_values(measure, counts, diag[:, None], diag[None, :], n_units)


# -- the functions behind the Project's methods ----------------------------------------

def cooccurrence(project: Project, level: Optional[str] = None, *, context: Optional[str] = None,
                 measure: str = "count", window: Optional[int] = None, by: By = None,
                 dropna: bool = True, labels: Union[bool, str] = False,
                 as_dict: bool = False) -> Union[pd.DataFrame, dict]:
    """Co-occurrence of the targets of a codebook dimension, as a square table:
    the function behind :meth:`qdacore.Project.cooccurrence`, whose
    documentation gives the parameters.

    Parameters
    ----------
    project : Project
        A coded project (any object with a Project's tables, codebook and
        ``arrays``).
    level, context, measure, window, by, dropna, labels, as_dict
        As in :meth:`qdacore.Project.cooccurrence`.

    Examples
    --------
    >>> import qdacore as qc
    >>> project = qc.datasets.megaregions()
    >>> qc.cooc.cooccurrence(project, "theme", context="document").loc["COE", "CON"]
    np.int64(21)
    """
    counts = CooccurrenceCounts.of(project, level, context=context, window=window, by=by,
                                   dropna=dropna)
    _check_measures([measure], counts._settings[1], context is None)
    counts._report()
    full, n_units, groups = counts._matrices()
    diag = np.diagonal(full, axis1=1, axis2=2).sum(axis=0)
    _warn_if_no_pairs(project, level, counts._settings[1], diag,
                      int(np.count_nonzero(full.sum(axis=0) - np.diag(diag))))
    return counts._tables(full, n_units, groups, measure, labels, as_dict)


class CooccurrenceCounts(Partial):
    """Co-occurrence counts of a piece of a project, to be added to those of
    other pieces (``a + b``) and finished once: the partial result behind
    :meth:`~qdacore.Project.cooccurrence`, for a project counted piece by
    piece (:class:`qdacore.dask.ProjectFrames`).

    Pieces are as for :class:`~qdacore.CodeCounts`: the whole codebook, a
    documents table, the items and codings of some documents, numbered
    (``piece=``) in the order of the whole project's tables. Every context
    adds exactly, as each unit (an item, a document, a span or a window of
    items) lies within one document. ``context=None`` is chosen per piece
    (:func:`default_context`): pieces that choose differently are not added,
    so pass the context when the pieces may differ.

    Examples
    --------
    >>> import qdacore as qc
    >>> from qdacore.cooc import CooccurrenceCounts
    >>> project = qc.datasets.megaregions()
    >>> docs = project.documents
    >>> def piece(keep):
    ...     items = project.items[project.items["doc"].isin(keep)]
    ...     codings = project.codings[project.codings["item"].isin(items["item"])]
    ...     return qc.Project(project.codebook, docs, items, codings)
    >>> a = CooccurrenceCounts.of(piece(docs["doc"].iloc[:10]), "theme", context="item", piece=0)
    >>> b = CooccurrenceCounts.of(piece(docs["doc"].iloc[10:]), "theme", context="item", piece=1)
    >>> (b + a).result()
    theme  COE  CON  COO
    theme
    COE    460   73   93
    CON     73  452   88
    COO     93   88  541
    """

    _setting_names = ("level", "context", "window", "by", "dropna")
    _codebook: Codebook
    _scope: Scope
    _groups: Groups
    _key: np.ndarray
    _count: np.ndarray
    _group_units: Optional[np.ndarray]
    _n_items: int
    _doc_ids: pd.Index
    _unplaced: tuple

    @classmethod
    def _make(cls, settings: tuple, codebook: Codebook, scope: Scope, groups: Groups,
              key: np.ndarray, count: np.ndarray, group_units: Optional[np.ndarray],
              n_items: int, doc_ids: pd.Index, unplaced: tuple) -> CooccurrenceCounts:
        self = cls.__new__(cls)
        self._settings = settings
        self._codebook = codebook
        self._scope = scope
        self._groups = groups
        self._key = key  # (group * T + a) * T + b, a <= b, increasing
        self._count = count  # int64
        # units per group (N of the measures) where groups are of items; else
        # None, and N is the items (or documents) of the whole project
        self._group_units = group_units
        self._n_items = n_items
        self._doc_ids = doc_ids
        self._unplaced = unplaced  # (codings, codings without a span) for context="span"
        return self

    @classmethod
    def of(cls, project: CodedProject, level: Optional[str] = None, *,
           context: Optional[str] = None, window: Optional[int] = None, by: By = None,
           dropna: bool = True, piece: int = 0) -> CooccurrenceCounts:
        """The co-occurrence counts of ``project`` (a piece of a project);
        the arguments are those of :meth:`~qdacore.Project.cooccurrence`,
        and ``piece``, the piece's position in the whole project."""
        if not isinstance(project, CodedProject):
            raise TypeError(f"project must be a qdacore.Project, got {type(project).__name__}")
        context = _context(project, context)
        dim, split, result, n_units = _counts(project, level, context, window, by, dropna,
                                               sparse=None, quiet=True)
        t = len(dim.targets)
        if isinstance(result, np.ndarray):
            # the dense kernel (few cells: faster than sorting triplets); its
            # flat index of cell (group, a, b) is the key, so the keys of the
            # upper triangle's nonzero cells come out increasing
            upper = np.triu(np.ones((t, t), dtype=bool))
            key = np.flatnonzero((result != 0) & upper[None, :, :])
            count = result.reshape(-1)[key]
        else:
            group, a, b, count = result
            key = (group.astype(np.int64) * t + a) * t + b
            order = np.argsort(key, kind="stable")
            key, count = key[order], count[order]
        unplaced = (0, 0)
        if context == "span":
            _, _, start, end = project.arrays.spans()
            unplaced = (len(start), int((np.isnan(start) | np.isnan(end)).sum()))
        per_item = split.codes is not None and split.per == "item" and context in ("item", "document")
        by_key = by if by is None or isinstance(by, str) else tuple(by)
        return cls._make((level, context, window, by_key, bool(dropna)), project.codebook,
                         Scope.of(project, piece), Groups.of(project, by, dropna, piece),
                         key, count.astype(np.int64), n_units if per_item else None,
                         len(project.items), pd.Index(project.documents["doc"]), unplaced)

    def _add(self, other: CooccurrenceCounts) -> CooccurrenceCounts:
        scope = self._scope + other._scope
        if not (self._codebook is other._codebook or self._codebook == other._codebook):
            raise ValueError("cannot add CooccurrenceCounts of projects with different codebooks; "
                             "every piece holds the whole codebook")
        groups, map_a, map_b = self._groups.join(other._groups)
        t = len(self._codebook.dimension(self._settings[0]).targets)
        key_a, key_b = _regroup(self._key, map_a, t), _regroup(other._key, map_b, t)
        order_a, order_b = np.argsort(key_a, kind="stable"), np.argsort(key_b, kind="stable")
        key, count = merge_counts(key_a[order_a], self._count[order_a], key_b[order_b],
                                  other._count[order_b])
        group_units = None
        if self._group_units is not None and other._group_units is not None:
            group_units = (scatter(self._group_units, map_a, groups.n_groups)
                           + scatter(other._group_units, map_b, groups.n_groups))
        doc_ids = self._doc_ids if self._doc_ids.equals(other._doc_ids) else \
            self._doc_ids.append(other._doc_ids.difference(self._doc_ids, sort=False))
        unplaced = (self._unplaced[0] + other._unplaced[0], self._unplaced[1] + other._unplaced[1])
        return CooccurrenceCounts._make(self._settings, self._codebook, scope, groups, key, count,
                                        group_units, self._n_items + other._n_items, doc_ids,
                                        unplaced)

    def _report(self) -> None:
        if self._settings[1] == "span":
            _report_unplaced(*self._unplaced)

    def _matrices(self) -> tuple[np.ndarray, np.ndarray, Optional[pd.Index]]:
        """The symmetric counts (groups in the whole's order, T x T), N per
        group, and the group labels."""
        level, context = self._settings[:2]
        t = len(self._codebook.dimension(level).targets)
        labels, order = self._groups.ordered()
        n_groups = len(order)
        rank = np.empty(n_groups, dtype=np.int64)
        rank[order] = np.arange(n_groups)
        group, pair = np.divmod(self._key, t * t)
        a, b = np.divmod(pair, t)
        full = _dense_matrices((rank[group], a, b, self._count), True, n_groups, t)
        if context not in ("item", "document"):
            n_units = np.full(n_groups, np.nan)
        elif self._group_units is not None:
            n_units = self._group_units[order]
        else:
            n_units = np.full(n_groups, float(self._n_items if context == "item"
                                              else len(self._doc_ids)))
        return full, n_units, labels

    def result(self, *, measure: str = "count", labels: Union[bool, str] = False,
               as_dict: bool = False) -> Union[pd.DataFrame, dict]:
        """The co-occurrence table: :meth:`~qdacore.Project.cooccurrence` of
        the whole project, whose arguments these are."""
        _check_measures([measure], self._settings[1])
        self._report()
        return self._tables(*self._matrices(), measure, labels, as_dict)

    def _tables(self, full: np.ndarray, n_units: np.ndarray, split_labels: Optional[pd.Index],
                measure: str, labels: Union[bool, str], as_dict: bool) -> Union[pd.DataFrame, dict]:
        level, context = self._settings[:2]
        t, n_groups = full.shape[1], full.shape[0]
        index = self._codebook.targets(level, labels=labels)
        values = [_matrix_measure(full[g], n_units[g], measure) for g in range(n_groups)]
        if measure == "count":
            values = [v.astype(np.int64) for v in values]
        if split_labels is None:
            return _noted(pd.DataFrame(values[0], index=index, columns=index), level, context)
        frames = {key: _noted(pd.DataFrame(v, index=index, columns=index), level, context)
                  for key, v in zip(split_labels, values)}
        if as_dict:
            return frames
        # long form: every (group, source, target) cell, targets in codebook order
        # no group at all (a by= column with no values) is an empty long table
        cells = np.stack(values).reshape(-1) if values else \
            np.zeros(0, dtype=np.int64 if measure == "count" else float)
        group_of_cell = np.repeat(np.arange(n_groups), t * t)
        long = pd.DataFrame({"source": np.tile(np.repeat(index.to_numpy(), t), n_groups),
                             "target": np.tile(index.to_numpy(), t * n_groups),
                             measure: cells})
        for i, name in enumerate(split_labels.names):
            long.insert(i, name, split_labels.get_level_values(i).to_numpy()[group_of_cell])
        return _noted(long, level, context)


def _regroup(key: np.ndarray, where: np.ndarray, t: int) -> np.ndarray:
    """Keys (group * T + a) * T + b with their groups moved to ``where``."""
    group, pair = np.divmod(key, t * t)
    return where[group] * (t * t) + pair


def _noted(table: pd.DataFrame, level: Optional[str], context: str) -> pd.DataFrame:
    table.attrs.update(level=level, context=context)
    return table


def cooccurrence_edges(project: Project, level: Optional[str] = None, *,
                       context: Optional[str] = None, measures: Union[str, Sequence[str]] = ("count", "c"),
                       window: Optional[int] = None, by: By = None, min_count: int = 1,
                       top_k: Optional[int] = None, dropna: bool = True,
                       labels: Union[bool, str] = False) -> pd.DataFrame:
    """Co-occurrence as a long edge table: the function behind
    :meth:`qdacore.Project.cooccurrence_edges`, whose documentation gives the
    parameters.

    Parameters
    ----------
    project : Project
        A coded project (any object with a Project's tables, codebook and
        ``arrays``).
    level, context, measures, window, by, min_count, top_k, dropna, labels
        As in :meth:`qdacore.Project.cooccurrence_edges`.

    Examples
    --------
    >>> import qdacore as qc
    >>> edges = qc.cooc.cooccurrence_edges(qc.datasets.megaregions(), "theme")
    >>> edges[["source", "target", "count"]]
      source target  count
    0    COE    CON     73
    1    COE    COO     93
    2    CON    COO     88
    """
    measures = [measures] if isinstance(measures, str) else list(measures)
    chosen, context = context is None, _context(project, context)
    _check_measures(measures, context, chosen)
    if isinstance(min_count, bool) or not isinstance(min_count, (int, np.integer)) or min_count < 0:
        raise ValueError(f"min_count must be a whole number >= 0, got {min_count!r}")
    if top_k is not None and (isinstance(top_k, bool) or not isinstance(top_k, (int, np.integer))
                              or top_k < 1):
        raise ValueError(f"top_k must be None or a whole number >= 1, got {top_k!r}")
    dim, split, result, n_units = _counts(project, level, context, window, by, dropna,
                                           sparse=True)
    group, a, b, count = result
    t, n_groups = len(dim.targets), split.n_groups
    diag = np.zeros((n_groups, t), dtype=np.int64)
    on_diag = a == b
    diag[group[on_diag], a[on_diag]] = count[on_diag]
    off = ~on_diag
    _warn_if_no_pairs(project, level, context, diag.sum(axis=0), int(np.count_nonzero(count[off])))
    group, a, b, count = group[off], a[off], b[off], count[off]
    n_a, n_b, n = diag[group, a], diag[group, b], n_units[group]
    columns: dict[str, Any] = {}
    for m in measures:
        if m == "qvalue":
            p = measure_values("pvalue", count, n_a, n_b, n)
            q = np.empty_like(p)
            for g in range(n_groups):  # one family of tests per group
                in_g = group == g
                q[in_g] = benjamini_hochberg(p[in_g], t * (t - 1) // 2)
            columns[m] = q
        else:
            columns[m] = measure_values(m, count, n_a, n_b, n)
    names = project.codebook.targets(level, labels=labels)
    edges = pd.DataFrame({"source": names.to_numpy()[a], "target": names.to_numpy()[b],
                          "count": count, **{m: v for m, v in columns.items() if m != "count"}})
    keep = count >= min_count
    keys: list = []
    if split.labels is not None:
        keys = list(split.labels.names)
        for i, name in enumerate(keys):
            edges.insert(i, name, split.labels.get_level_values(i).to_numpy()[group])
    edges = edges[keep].reset_index(drop=True)
    if top_k is not None:
        edges = _top_k(edges, top_k, measures[0], keys)
    edges.attrs.update(level=dim.name, context=context, node_frequency=dict(
        zip(names, diag.sum(axis=0).tolist())))
    return edges


def _top_k(edges: pd.DataFrame, k: int, measure: str, keys: list) -> pd.DataFrame:
    """Edges among the k strongest (by measure) of at least one of their two nodes."""
    if edges.empty:
        return edges
    both = pd.concat([edges.assign(_node=edges["source"], _row=edges.index),
                      edges.assign(_node=edges["target"], _row=edges.index)])
    ranked = both.sort_values(measure, ascending=False, kind="stable")
    kept = ranked.groupby([*keys, "_node"], sort=False, dropna=False).head(k)["_row"].unique()
    return edges.loc[np.sort(kept)].reset_index(drop=True)


def crosstab(project: Project, row_level: Optional[str], column_level: Optional[str], *,
             unit: str = "coding", by: By = None, margins: bool = False,
             normalize: Optional[str] = None, percent: bool = False, chi2: bool = False,
             dropna: bool = True, labels: Union[bool, str] = False) -> Any:
    """Cross-tabulation of two codebook dimensions: the function behind
    :meth:`qdacore.Project.crosstab`, whose documentation gives the parameters.

    Parameters
    ----------
    project : Project
        A coded project (any object with a Project's tables, codebook and
        ``arrays``).
    row_level, column_level, unit, by, margins, normalize, percent, chi2, dropna, labels
        As in :meth:`qdacore.Project.crosstab`.

    Examples
    --------
    >>> import qdacore as qc
    >>> qc.cooc.crosstab(qc.datasets.megaregions(), "theme", "vision", unit="item")
    vision  V-MP  V-FM  V-FC
    theme
    COE      460    73    93
    CON       73   452    88
    COO       93    88   541
    """
    unit = check.choice(unit, "unit", UNITS)
    check_shares(normalize, percent)
    dim_a = project.codebook.dimension(row_level)
    dim_b = project.codebook.dimension(column_level)
    split = project.arrays.split(by, dropna=dropna)
    arrays = project.arrays
    units = arrays.units(unit, split)
    counts = _core.crosstab(units.pop("indptr"), units.pop("code"), dim_a.indptr, dim_a.target,
                            len(dim_a.targets), dim_b.indptr, dim_b.target, len(dim_b.targets), **units)
    rows = project.codebook.targets(row_level, labels=labels)
    cols = project.codebook.targets(column_level, labels=labels)
    if rows.name == cols.name:  # a dimension against itself
        rows, cols = rows.rename(f"{rows.name} (rows)"), cols.rename(f"{cols.name} (columns)")
    tables = [pd.DataFrame(c, index=rows, columns=cols) for c in counts]
    tests = [_chi2(tb) for tb in tables] if chi2 else None
    tables = [margins_and_shares(tb, margins, normalize, percent) for tb in tables]
    if split.labels is None:
        return (tables[0], tests[0]) if tests is not None else tables[0]
    table: pd.DataFrame = pd.concat(dict(zip(split.labels, tables)),
                                    names=[*split.labels.names, rows.name])
    return (table, dict(zip(split.labels, tests))) if tests is not None else table


def _chi2(table: pd.DataFrame) -> Chi2Result:
    from scipy.stats import chi2_contingency

    used = table.loc[table.sum(axis=1) > 0, table.sum(axis=0) > 0]
    if used.shape[0] < 2 or used.shape[1] < 2:
        raise ValueError(
            f"chi2=True needs at least 2 rows and 2 columns with counts; the table has "
            f"{used.shape[0]} x {used.shape[1]}"
        )
    res = chi2_contingency(used.to_numpy(), correction=False)
    expected = pd.DataFrame(res.expected_freq, index=used.index, columns=used.columns)
    return Chi2Result(float(res.statistic), float(res.pvalue), int(res.dof), expected)


# -- graphs ----------------------------------------------------------------------------

def to_networkx(edges: pd.DataFrame, *, weight: str = "count") -> Any:
    """A networkx Graph from :meth:`~qdacore.Project.cooccurrence_edges` output.

    Nodes carry ``frequency`` (their diagonal count) when the edges table knows it;
    edges carry every numeric column, and ``weight`` is copied to the ``weight``
    attribute that networkx algorithms read. Split tables (``by=``) must be
    filtered to one group first.

    Examples
    --------
    >>> import qdacore as qc
    >>> edges = qc.datasets.megaregions().cooccurrence_edges("subtheme")
    >>> graph = qc.cooc.to_networkx(edges)
    >>> graph.number_of_nodes(), graph.number_of_edges() == len(edges)
    (11, True)
    """
    import networkx as nx

    if not {"source", "target", weight} <= set(edges.columns):
        raise ValueError(f"edges needs columns source, target and {weight!r}; it has "
                         f"{check.examples(edges.columns)}")
    extra = [c for c in edges.columns if c not in ("source", "target")
             and not pd.api.types.is_numeric_dtype(edges[c])]
    if extra or edges.duplicated(["source", "target"]).any():
        raise ValueError("edges holds several groups (by=); select one group before "
                         "building a graph, e.g. edges[edges['region'] == 'Central-Yunnan']")
    graph = nx.from_pandas_edgelist(edges.assign(weight=edges[weight]), "source", "target",
                                    edge_attr=True)
    graph.graph.update(level=edges.attrs.get("level"), context=edges.attrs.get("context"))
    for node, freq in edges.attrs.get("node_frequency", {}).items():
        graph.add_node(node, frequency=int(freq))
    return graph


def write_graph(edges: pd.DataFrame, path: Union[str, os.PathLike], *, format: str = "graphml",
                weight: str = "count") -> Union[str, os.PathLike]:
    """Write the edges as GraphML or GEXF through networkx; returns the path.

    Examples
    --------
    >>> import tempfile, networkx as nx, qdacore as qc
    >>> edges = qc.datasets.megaregions().cooccurrence_edges("theme")
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     graph = nx.read_graphml(qc.cooc.write_graph(edges, f"{tmp}/themes.graphml"))
    >>> graph.number_of_edges()
    3
    """
    import networkx as nx

    check.choice(format, "format", ("graphml", "gexf"))
    graph = to_networkx(edges, weight=weight)
    graph.graph = {k: v for k, v in graph.graph.items() if v is not None}
    (nx.write_graphml if format == "graphml" else nx.write_gexf)(graph, path)
    return path
