"""What analysis needs from a coded project, below the :class:`~qdacore.Project`
facade: the validated tables as integer arrays, splits by attributes, and
coded spans in document coordinates.

The analysis modules (``cooc``, ``agree``, ``text``) and ``io`` import this
module, never ``qdacore.project``: the facade sits above them and calls them.
Readers in ``io`` still return a Project: the facade registers its class here
(:func:`register_project_class`) when it is imported, and :func:`new_project`
builds one, so no module imports upward.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, Optional, Protocol, Union, runtime_checkable

import numpy as np
import pandas as pd

from . import _validate as check
from .codebook import Codebook

if TYPE_CHECKING:  # pragma: no cover
    from .project import Project

__all__ = ["By", "CodedProject", "CodingArrays", "GroupColumn", "Split", "check_shares", "margins_and_shares",
           "MARGIN", "NORMALIZE", "UNITS", "identical_spans", "runs", "new_project", "register_project_class",
           "validated"]

#: A grouping: a column name, a list of them, or None.
By = Union[None, str, Sequence[str]]
#: Label of the totals that ``margins=True`` adds.
MARGIN = "Total"
#: Choices of ``normalize=``.
NORMALIZE = (None, "row", "column", "total")
#: What ``unit=`` counts in frequencies, code-document tables and cross-tables.
UNITS: tuple[Literal["coding", "item", "document"], ...] = ("coding", "item", "document")


@dataclass(frozen=True)
class Split:
    """A split of a project's codings by ``by=`` (what
    :meth:`CodingArrays.split` returns).

    ``codes`` holds a group position (-1: left out) for every coding in CSR
    order when ``per == "coding"``, or for every item when ``per == "item"``
    (read-only: it is shared with the cache); ``labels`` names the groups (a
    MultiIndex for several columns). Without ``by`` there is one group and
    ``labels`` is None.

    Examples
    --------
    >>> import qdacore as qc
    >>> split = qc.datasets.megaregions().arrays.split("region")
    >>> split.per, split.n_groups, split.labels[:2].tolist()
    ('item', 19, ['Harbin-Changchun', 'Beijing-Tianjin-Hebei'])
    """

    labels: Optional[pd.Index]
    per: str
    codes: Optional[np.ndarray]

    @property
    def n_groups(self) -> int:
        """Number of groups (1 without ``by``)."""
        return 1 if self.labels is None else len(self.labels)

    def kernel_args(self) -> dict:
        """The group arguments of the C kernels (``coding_group`` or
        ``item_group``, and ``n_groups``); empty without ``by``."""
        if self.codes is None:
            return {}
        return {f"{self.per}_group": self.codes, "n_groups": self.n_groups}


def _columns(by: By) -> list:
    return [by] if isinstance(by, str) or not isinstance(by, (list, tuple)) else list(by)


def document_lengths(documents: pd.DataFrame, items: pd.DataFrame) -> pd.Series:
    """Characters of text of every document (float, NaN where unknown), in
    the documents table's order: ``documents.text``, or where that is
    missing, its items' texts together (the study's corpus keeps its text on
    the items)."""
    length = pd.Series(np.nan, index=documents.index)
    if "text" in documents.columns:
        length = documents["text"].str.len().astype(float)
    if "text" in items.columns and length.isna().any():
        per_doc = items["text"].str.len().groupby(items["doc"].to_numpy()).sum(min_count=1)
        length = length.fillna(pd.Series(documents["doc"].map(per_doc).to_numpy(dtype=float), index=documents.index))
    return length


def not_documents_columns(documents: pd.DataFrame, items: pd.DataFrame, codings: pd.DataFrame,
                          by: By) -> list:
    """The ``by`` columns that do not name documents only (per_characters=
    cannot give their groups a text length)."""
    if by is None:
        return []
    return [c for c in _columns(by) if c != "doc" and (c in codings.columns or c in items.columns
                                                      or c not in documents.columns)]


def text_lengths(documents: pd.DataFrame, items: pd.DataFrame, codings: pd.DataFrame, by: By,
                 groups: Optional[pd.Index], dropna: bool) -> np.ndarray:
    """Characters of text of all documents (one value), or of each group's
    documents in the order of ``groups`` (the labels of the split by ``by``,
    which must name documents columns); see :func:`document_lengths`."""
    return group_lengths(documents, document_lengths(documents, items),
                         not_documents_columns(documents, items, codings, by), by, groups, dropna)


def group_lengths(documents: pd.DataFrame, length: pd.Series, elsewhere: list, by: By,
                  groups: Optional[pd.Index], dropna: bool) -> np.ndarray:
    """:func:`text_lengths` from the documents' lengths and the ``by`` columns
    that are not documents columns (``elsewhere``)."""
    if length.isna().any():
        raise ValueError(f"per_characters= needs the text of every document (documents.text, or the items' "
                         f"text); there is none for {check.examples(documents['doc'][length.isna()])}")
    if by is None:
        if not length.sum():
            raise ValueError("per_characters= needs text: every document's text is empty")
        return np.array([float(length.sum())])
    columns = _columns(by)
    if elsewhere:
        raise ValueError(f"per_characters= with by= needs documents columns (each group's text length); "
                         f"{check.examples(elsewhere)} is not one, or is a column of codings or items too")
    assert groups is not None
    sums = length.groupby([documents[c] for c in columns], dropna=dropna, sort=False).sum().reindex(groups)
    empty = sums.index[(sums.fillna(0) == 0).to_numpy()]
    if len(empty):
        raise ValueError(f"per_characters= needs text in every group; the documents of {check.examples(empty)} "
                         "have none (drop those documents, or count without per_characters=)")
    return sums.to_numpy(dtype=float)


def runs(*keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For rows sorted by keys: the first row of each run of equal keys, and the
    CSR offsets of the runs."""
    n = len(keys[0])
    change = np.zeros(n, dtype=bool)
    change[:1] = True
    for k in keys:
        change[1:] |= k[1:] != k[:-1]
    first = np.flatnonzero(change)
    return first, np.append(first, n).astype(np.int64)


@dataclass(frozen=True)
class _Key:
    """One ``by=`` column factorised where it lives: per coding (CSR order), per
    item or per document; -1 marks rows left out (missing values)."""

    table: str
    codes: np.ndarray
    uniques: pd.Index


@dataclass(frozen=True)
class GroupColumn:
    """One ``by`` column's groups in a project (see
    :meth:`CodingArrays.group_columns`): ``uniques`` as the split numbers them,
    ``position`` where each first appears in table ``table`` (its row, or for
    a categorical ``dtype`` its category's position).

    Examples
    --------
    >>> import qdacore as qc
    >>> column, = qc.datasets.megaregions().arrays.group_columns("region")
    >>> column.table, column.uniques[:2].tolist(), column.position[:2].tolist()
    ('documents', ['Harbin-Changchun', 'Beijing-Tianjin-Hebei'], [0, 1])
    """

    name: Any
    table: str
    uniques: pd.Index
    position: np.ndarray
    dtype: Optional[pd.CategoricalDtype]


class CodingArrays:
    """The integer view of a project's codings that the C kernels read.

    The codings of item ``i`` (position in ``Project.items``) are
    ``code[indptr[i]:indptr[i + 1]]`` (positions in ``Project.codebook.codes``).
    ``order[k]`` is the row of ``Project.codings`` that CSR position ``k`` holds,
    or ``None`` when the codings table is already grouped by item in item order.
    ``item_doc[i]`` is the position of item ``i``'s document.

    Built once by the Project from its validated tables. Splits by attributes
    (:meth:`split`, cached per column) and coded spans (:meth:`spans`) are
    derived from it on demand. The arrays are read-only: results and caches
    share them.

    Examples
    --------
    >>> import qdacore as qc
    >>> arrays = qc.datasets.megaregions().arrays
    >>> len(arrays.indptr) - 1, len(arrays.code)
    (1199, 1578)
    >>> arrays.split("doc").n_groups
    21
    """

    def __init__(self, documents: pd.DataFrame, items: pd.DataFrame, codings: pd.DataFrame,
                 coding_item: np.ndarray, coding_code: np.ndarray, item_doc: np.ndarray) -> None:
        self._documents, self._items, self._codings = documents, items, codings
        n_items = len(items)
        indptr = np.zeros(n_items + 1, dtype=np.int64)
        np.cumsum(np.bincount(coding_item, minlength=n_items), out=indptr[1:])
        if len(coding_item) < 2 or bool(np.all(coding_item[1:] >= coding_item[:-1])):
            order, code = None, coding_code
        else:
            order = np.argsort(coding_item, kind="stable")
            code = coding_code[order]
        for array in (indptr, code, order, item_doc):
            if array is not None:
                array.setflags(write=False)
        self.indptr: np.ndarray = indptr
        self.code: np.ndarray = code
        self.order: Optional[np.ndarray] = order
        self.item_doc: np.ndarray = item_doc
        self._coding_item: Optional[np.ndarray] = None
        self._items_overlap: Optional[bool] = None
        self._keys: dict[tuple, _Key] = {}
        self._group_columns: dict[tuple, GroupColumn] = {}

    @property
    def nbytes(self) -> int:
        """Memory held by the arrays, in bytes."""
        order = 0 if self.order is None else self.order.nbytes
        return self.indptr.nbytes + self.code.nbytes + order + self.item_doc.nbytes

    @property
    def coding_item(self) -> np.ndarray:
        """Item position of every coding in CSR order."""
        if self._coding_item is None:
            counts = np.diff(self.indptr)
            self._coding_item = np.repeat(np.arange(len(counts), dtype=np.int64), counts)
            self._coding_item.setflags(write=False)
        return self._coding_item

    def in_csr_order(self, values: np.ndarray) -> np.ndarray:
        """Values given per row of the codings table, reordered to CSR order."""
        return values if self.order is None else values[self.order]

    # -- splits by attributes -------------------------------------------------------
    def _key(self, column: Any, dropna: bool) -> _Key:
        cache = (column, dropna)
        if cache in self._keys:
            return self._keys[cache]
        tables = (("codings", self._codings), ("items", self._items),
                  ("documents", self._documents))
        # the keys of documents and items split by their own tables, so that a
        # document without items (an item without codings) has its group too
        owner = {"doc": "documents", "item": "items"}.get(column) if isinstance(column, str) else None
        home = next(((n, t) for n, t in tables if n == owner and column in t.columns), None) or \
            next(((n, t) for n, t in tables if column in t.columns), None)
        if home is None:
            raise ValueError(
                f"by={column!r} is not a column of codings, items or documents; columns are "
                + "; ".join(f"{n}: {check.examples(t.columns)}" for n, t in tables)
            )
        table_name, table = home
        values = table[column]
        # First-appearance order keeps documents in registry order, as ATLAS.ti
        # lists them; categoricals keep their category order.
        ordered = isinstance(values.dtype, pd.CategoricalDtype)
        codes, uniques = pd.factorize(values, sort=ordered, use_na_sentinel=dropna)
        codes = codes.astype(np.int64, copy=False)
        if table_name == "codings":
            codes = self.in_csr_order(codes)
        codes.setflags(write=False)
        key = _Key(table_name, codes, pd.Index(uniques, name=column))
        self._keys[cache] = key
        return key

    def _lifted(self, key: _Key, to: str) -> np.ndarray:
        """A key's codes per item (``to="item"``) or per coding in CSR order."""
        codes = key.codes
        if key.table == "documents":
            codes = codes[self.item_doc]
        if key.table != "codings" and to == "coding":
            codes = codes[self.coding_item]
        return codes

    def split(self, by: By, *, dropna: bool = True) -> Split:
        """The split of the codings by ``by=`` (see :class:`Split`).

        ``by`` names columns of the codings, items or documents tables (looked
        up in that order). One column gives its values as groups; several give
        the combinations that occur, sorted, as a MultiIndex.
        """
        if by is None:
            return Split(None, "item", None)
        columns = [by] if isinstance(by, str) or not isinstance(by, (list, tuple)) else list(by)
        if not columns:
            raise ValueError("by=[] names no column; pass None for overall counts")
        keys = [self._key(col, dropna) for col in columns]
        per = "coding" if any(k.table == "codings" for k in keys) else "item"
        if len(keys) == 1:
            return Split(keys[0].uniques, per, self._lifted(keys[0], per))
        # Several columns: combine the codes into one integer per row and keep
        # the combinations that occur.
        lifted = [self._lifted(k, per) for k in keys]
        dims = tuple(max(len(k.uniques), 1) for k in keys)
        present = np.logical_and.reduce([codes >= 0 for codes in lifted])
        combined = np.ravel_multi_index(tuple(c[present] for c in lifted), dims)
        group = np.full(len(present), -1, dtype=np.int64)
        group[present], combos = pd.factorize(combined, sort=True)
        group.setflags(write=False)
        parts = np.unravel_index(np.asarray(combos), dims)
        labels = pd.MultiIndex.from_arrays([k.uniques[p] for k, p in zip(keys, parts)],
                                           names=columns)
        return Split(labels, per, group)

    def group_columns(self, by: By, *, dropna: bool = True) -> list[GroupColumn]:
        """Each ``by`` column's groups (as :meth:`split` numbers them) and where
        each first appears: the row of its table, or for a categorical its
        category's position (missing values after the categories). With these,
        the groups of projects split by document can be put back in the order
        that the whole project gives them."""
        if by is None:
            return []
        return [self._group_column(column, dropna) for column in _columns(by)]

    def _group_column(self, column: Any, dropna: bool) -> GroupColumn:
        # cached as the keys are: finding where each group first appears is
        # a pass over the column's rows, repeated by every call otherwise
        cache = (column, dropna)
        if cache not in self._group_columns:
            self._group_columns[cache] = self._find_group_column(column, dropna)
        return self._group_columns[cache]

    def _find_group_column(self, column: Any, dropna: bool) -> GroupColumn:
        key = self._key(column, dropna)
        values = {"codings": self._codings, "items": self._items,
                  "documents": self._documents}[key.table][column]
        if isinstance(values.dtype, pd.CategoricalDtype):
            categories = values.dtype.categories
            position = categories.get_indexer(key.uniques).astype(np.int64)
            position[position < 0] = len(categories)
            dtype = values.dtype
        else:
            rows = np.arange(len(key.codes), dtype=np.int64)
            if key.table == "codings" and self.order is not None:
                rows = self.order
            present = key.codes >= 0
            position = np.full(len(key.uniques), np.iinfo(np.int64).max, dtype=np.int64)
            np.minimum.at(position, key.codes[present], rows[present])
            dtype = None
        position.setflags(write=False)
        return GroupColumn(column, key.table, key.uniques, position, dtype)

    def units(self, unit: str, split: Split) -> dict:
        """The CSR of codes and the kernel arguments that count ``unit=``
        (:data:`UNITS`) for ``split``: codings and items as the project holds
        them; documents as segments of the codings of one document (and one
        group of the split), counted once each as the kernels count an item."""
        if unit != "document":
            return {"indptr": self.indptr, "code": self.code, "unit": unit, **split.kernel_args()}
        group = self.coding_groups(split)
        g = group if group is not None else np.zeros(len(self.code), np.int64)
        doc = self.item_doc[self.coding_item]
        keep = np.flatnonzero(g >= 0)
        order = keep[np.lexsort((doc[keep], g[keep]))]
        first, indptr = runs(g[order], doc[order])
        args = {"indptr": indptr, "code": self.code[order], "unit": "item"}
        if group is not None:
            args.update(item_group=g[order][first], n_groups=split.n_groups)
        return args

    def coding_groups(self, split: Split) -> Optional[np.ndarray]:
        """The group of every coding in CSR order (None without ``by``)."""
        if split.codes is None:
            return None
        return split.codes if split.per == "coding" else split.codes[self.coding_item]

    # -- positions ------------------------------------------------------------------
    def _offsets(self, table: str) -> tuple[np.ndarray, np.ndarray]:
        """``start``/``end`` of the codings (CSR order) or items as floats, NaN
        where missing or where the table has no offsets."""
        df = self._codings if table == "codings" else self._items
        n = len(df)
        if "start" not in df.columns:
            return np.full(n, np.nan), np.full(n, np.nan)
        start = df["start"].to_numpy(dtype=float, na_value=np.nan)
        end = df["end"].to_numpy(dtype=float, na_value=np.nan)
        if table == "codings":
            return self.in_csr_order(start), self.in_csr_order(end)
        return start, end

    def spans(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Coded spans of every coding in CSR order: ``(placed, space, start, end)``.

        A coding of an item placed in its document (``items.start`` known) is
        in document coordinates (``items.start + codings.start``; a coding
        without offsets spans its whole item) and its ``space`` is the
        document's position; otherwise it is in item coordinates and its space
        is ``n_documents + item`` (each item a space of its own). ``start`` and
        ``end`` are float, NaN where the coding has no offsets and its item is
        not placed.
        """
        start, end = self._offsets("codings")
        item = self.coding_item
        item_start, item_end = (a[item] for a in self._offsets("items"))
        placed = ~np.isnan(item_start)
        whole = placed & np.isnan(start) & np.isnan(end) & ~np.isnan(item_end)
        start = np.where(whole, 0.0, start)
        end = np.where(whole, item_end - item_start, end)
        shift = np.where(placed, item_start, 0.0)
        space = np.where(placed, self.item_doc[item], item + len(self._documents))
        return placed, space, start + shift, end + shift

    def items_overlap(self) -> bool:
        """True when two items of one document share a code point (or are the
        same span): the items are selections made in a QDA package, not a
        division of the documents into units. Computed once: the tables do not change."""
        if self._items_overlap is None:
            self._items_overlap = self._find_overlap()
        return self._items_overlap

    def _find_overlap(self) -> bool:
        if "start" not in self._items.columns:
            return False
        start, end = self._offsets("items")
        known = ~np.isnan(start) & ~np.isnan(end)
        if known.sum() < 2:
            return False
        doc, start, end = self.item_doc[known], start[known], end[known]
        order = np.lexsort((-end, start, doc))
        doc, start, end = doc[order], start[order], end[order]
        # the furthest end reached so far within each document: shifting each
        # document by more than any end lets one running maximum serve them all
        shift = doc * (float(end.max()) + 1.0)
        reach = np.maximum.accumulate(end + shift)[:-1] - shift[1:]
        same_doc = doc[1:] == doc[:-1]
        identical = (start[1:] == start[:-1]) & (end[1:] == end[:-1])
        return bool((same_doc & ((start[1:] < reach) | identical)).any())

    def item_rank_in_document(self) -> np.ndarray:
        """Position of every item within its document, in items-table order."""
        doc = self.item_doc
        order = np.argsort(doc, kind="stable")
        rank = np.empty(len(doc), np.int64)
        starts = np.searchsorted(doc[order], doc[order], side="left")
        rank[order] = np.arange(len(doc)) - starts
        return rank


@runtime_checkable
class CodedProject(Protocol):
    """What the analysis modules read from a project: its tables, its codebook
    and their integer view. :class:`~qdacore.Project` is one (``isinstance``
    checks that the attributes exist)."""

    @property
    def name(self) -> str: ...
    @property
    def codebook(self) -> Codebook: ...
    @property
    def documents(self) -> pd.DataFrame: ...
    @property
    def items(self) -> pd.DataFrame: ...
    @property
    def codings(self) -> pd.DataFrame: ...
    @property
    def arrays(self) -> CodingArrays: ...


def validated(codebook: Union[Codebook, pd.DataFrame], documents: pd.DataFrame,
              items: pd.DataFrame, codings: Optional[pd.DataFrame], *, allow_empty: bool
              ) -> tuple[Codebook, pd.DataFrame, pd.DataFrame, pd.DataFrame, CodingArrays]:
    """The four tables of a Project, checked (ids, references, offsets; see
    :class:`~qdacore.Project` for the rules) and copied, and their integer view."""
    if isinstance(codebook, pd.DataFrame):
        codebook = Codebook(codebook, allow_empty=allow_empty)
    if not isinstance(codebook, Codebook):
        raise TypeError(
            f"codebook must be a qdacore.Codebook or a DataFrame of codes, got {type(codebook).__name__}"
        )
    documents = check.frame(documents, "documents", ["doc"])
    items = check.frame(items, "items", ["item", "doc"])
    if codings is None or (isinstance(codings, pd.DataFrame) and codings.empty and len(codings.columns) == 0):
        codings = pd.DataFrame({"item": pd.Series([], dtype=object), "code": pd.Series([], dtype=object)})
    codings = check.frame(codings, "codings", ["item", "code"])
    if not allow_empty:
        hint = " (allow_empty=True accepts a blank project)"
        check.nonempty(documents, "documents", "a project needs at least one document" + hint)
        check.nonempty(items, "items", "a project needs at least one item (coded unit)" + hint)
    doc_index = check.ids(documents["doc"], "documents.doc")
    item_index = check.ids(items["item"], "items.item")
    item_doc = check.positions(items["doc"], doc_index, "items.doc", "documents.doc")
    coding_item = check.positions(codings["item"], item_index, "codings.item", "items.item")
    coding_code = check.positions(codings["code"], codebook.code_index, "codings.code",
                                  "codebook.code")
    check.offsets(items, "items")
    check.offsets(codings, "codings")
    arrays = CodingArrays(documents, items, codings, coding_item, coding_code, item_doc)
    return codebook, documents, items, codings, arrays


def check_shares(normalize: Optional[str], percent: bool) -> None:
    """Refuses a ``normalize=`` that is not a choice, and ``percent`` without shares."""
    check.choice(normalize, "normalize", NORMALIZE)
    if percent and normalize is None:
        raise ValueError("percent=True needs normalize='row', 'column' or 'total'")


def margins_and_shares(table: pd.DataFrame, margins: bool, normalize: Optional[str],
                       percent: bool) -> pd.DataFrame:
    """A table of counts with ``Total`` margins and/or shares.

    ``margins`` adds totals as pandas.crosstab does: for counts and
    ``"total"`` a total row and column; for ``"row"`` the total row; for
    ``"column"`` the total column. ``normalize`` divides by row, column or
    grand totals (0/0 is NaN); ``percent`` scales shares by 100.
    """
    check_shares(normalize, percent)
    if margins:
        table = table.copy()
        table[MARGIN] = table.sum(axis=1)
        table.loc[MARGIN] = table.sum(axis=0)
    if normalize is None:
        return table
    table = table.astype(float)
    if normalize == "row":
        table = table.div(table.iloc[:, -1] if margins else table.sum(axis=1), axis=0)
        table = table.drop(columns=MARGIN) if margins else table
    elif normalize == "column":
        table = table.div(table.iloc[-1] if margins else table.sum(axis=0), axis=1)
        table = table.drop(index=MARGIN) if margins else table
    else:
        cells = table.to_numpy(dtype=float)
        table = table / (cells[-1, -1] if margins else cells.sum())
    return table * 100.0 if percent else table


# -- building a Project from below the facade ----------------------------------------------
_project_class: Optional[Callable[..., Project]] = None


def register_project_class(cls: Callable[..., Project]) -> None:
    """Make :func:`new_project` build ``cls`` (``qdacore.project`` registers
    :class:`~qdacore.Project` when it is imported)."""
    global _project_class
    _project_class = cls


def new_project(codebook: Codebook, documents: pd.DataFrame, items: pd.DataFrame,
                codings: pd.DataFrame, *, name: str, allow_empty: bool = False) -> Project:
    """A :class:`~qdacore.Project` of four tables, for readers below the facade."""
    if _project_class is None:  # pragma: no cover - qdacore/__init__ imports the facade
        raise RuntimeError("qdacore.project is not imported; import qdacore first")
    return _project_class(codebook, documents, items, codings, name=name,
                          allow_empty=allow_empty)


# -- one unit per span ----------------------------------------------------------------------
def identical_spans(items: pd.DataFrame) -> np.ndarray:
    """The unit of every row of an items table, numbered from 0 in order of
    first appearance.

    Rows of one document (``doc``) with the same known ``start`` and ``end``
    (and the same ``scope``, where the table has that column) are one unit:
    identical selections are one quotation, as the QDA packages show them,
    whoever made them. A row without both offsets is one unit with the rows
    of its document that have its ``item`` id (within one project, where ids
    are unique, it stays alone; across copies of a project, the same item).
    ``merge_coders`` applies this rule across files; the REFI-QDA reader's rule
    within a file is the same.

    Examples
    --------
    >>> import pandas as pd
    >>> items = pd.DataFrame({"item": ["a", "b", "c", "d"], "doc": ["D", "D", "D", "E"],
    ...                       "start": [0, 0, 5, 0], "end": [4, 4, 9, 4]})
    >>> identical_spans(items).tolist()
    [0, 0, 1, 2]
    """
    n = len(items)
    if n == 0:
        return np.zeros(0, dtype=np.int64)

    def offsets(column: str) -> np.ndarray:
        if column not in items.columns:
            return np.full(n, np.nan)
        return pd.to_numeric(items[column], errors="coerce").to_numpy(dtype=float, na_value=np.nan)

    start, end = offsets("start"), offsets("end")
    known = ~np.isnan(start) & ~np.isnan(end)
    ids = items["item"].to_numpy(dtype=object, copy=True)
    ids[known] = None
    key = pd.DataFrame({
        "doc": items["doc"].to_numpy(dtype=object),
        "scope": (items["scope"].astype(object).where(items["scope"].notna(), "").to_numpy(dtype=object)
                  if "scope" in items.columns else np.full(n, "", dtype=object)),
        "start": np.where(known, start, -1.0),
        "end": np.where(known, end, -1.0),
        "id": ids,
    })
    return key.groupby(list(key.columns), sort=False, dropna=False).ngroup().to_numpy(dtype=np.int64)
