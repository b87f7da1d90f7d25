"""Pieces of a project split by document: the bookkeeping every partial
result of a project statistic shares (which documents and piece numbers it
holds, its ``by=`` groups and where each first appeared), and the partial
code counts behind :meth:`~qdacore.Project.frequencies` and
:meth:`~qdacore.Project.code_document_table`.

A piece is a Project of its own: the whole codebook, a documents table (the
whole one, or its own documents), and the items and codings of some
documents. Pieces are numbered (``piece=``) in the order of the whole
project's tables: the whole is their concatenation in that order. Each group
label keeps the position where it first appeared, ``(piece, row)``, so that
the sum orders groups as the whole project does, whatever order the pieces
are added in.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import Any, Optional, Union

import numpy as np
import pandas as pd

from . import _core
from . import _validate as check
from ._model import (
    UNITS,
    By,
    CodedProject,
    GroupColumn,
    document_lengths,
    group_lengths,
    margins_and_shares,
    not_documents_columns,
)
from ._partial import Deferred, Partial
from .codebook import Codebook

__all__ = ["CodeCounts", "Groups", "Scope"]

# position of a label: piece << _ROW_BITS | row within the piece's table
_ROW_BITS = 40
_MAX_PIECE = (1 << (63 - _ROW_BITS)) - 1


def _piece_number(piece: Any) -> int:
    value = check.whole(piece, "piece", minimum=0)
    if value > _MAX_PIECE:
        raise ValueError(f"piece must be at most {_MAX_PIECE}, got {piece!r}")
    return value


class Scope:
    """The documents whose items a piece holds (no two pieces may share one)
    and the piece numbers it sums.

    The documents are found when pieces are added or shipped to another
    process, not before: a single call's counts (a piece that is the whole
    project) never need them, and finding them is a pass over every item."""

    pieces: frozenset

    def __init__(self, docs: Deferred[pd.Index], pieces: frozenset) -> None:
        self._docs = docs
        self.pieces = pieces

    @classmethod
    def of(cls, project: CodedProject, piece: int) -> Scope:
        return cls(Deferred(partial(_documents_with_items, project.arrays.item_doc, project.documents["doc"])),
                   frozenset([_piece_number(piece)]))

    @property
    def docs(self) -> pd.Index:
        return self._docs.get()

    def __add__(self, other: Scope) -> Scope:
        shared = self.docs.intersection(other.docs)
        if len(shared):
            raise ValueError(f"cannot add the pieces: document {shared[0]!r} has items in both; "
                             "partition the items and codings by document (each document's "
                             "items and codings in one piece)")
        both = self.pieces & other.pieces
        if both:
            raise ValueError(f"cannot add the pieces: both are numbered piece={min(both)}; number "
                             "the pieces 0, 1, 2 ... in the order of the whole project's tables")
        return Scope(Deferred.made(self.docs.append(other.docs)), self.pieces | other.pieces)


def _documents_with_items(item_doc: np.ndarray, doc: pd.Series) -> pd.Index:
    # from the items' document positions: one pass over integers, where
    # unique() over the doc column hashes every item's string
    used = np.bincount(item_doc, minlength=len(doc)) > 0
    return pd.Index(doc.to_numpy()[used], name="doc")


def _union(a: pd.Index, b: pd.Index) -> tuple[pd.Index, np.ndarray, np.ndarray]:
    """Labels of a then those of b not in a, and where each went."""
    if not len(b) or a.equals(b):
        return a, np.arange(len(a)), (np.arange(len(b)) if len(b) else np.zeros(0, np.int64))
    if not len(a):
        return b, np.zeros(0, np.int64), np.arange(len(b))
    in_a = a.get_indexer(b)
    union = a.append(b[in_a < 0])
    where_b = in_a.copy()
    where_b[in_a < 0] = len(a) + np.arange(int((in_a < 0).sum()))
    return union, np.arange(len(a)), where_b


@dataclass(frozen=True)
class _Column:
    """A ``by`` column over the pieces added so far."""

    name: Any
    table: str
    labels: pd.Index
    position: np.ndarray  # (piece << _ROW_BITS | row), or category position
    dtype: Optional[pd.CategoricalDtype]

    @classmethod
    def of(cls, column: GroupColumn, piece: int) -> _Column:
        position = column.position
        if column.dtype is None:
            position = (np.int64(piece) << _ROW_BITS) | position
        return cls(column.name, column.table, column.uniques, position, column.dtype)

    def join(self, other: _Column) -> tuple[_Column, np.ndarray, np.ndarray]:
        if (self.dtype is None) != (other.dtype is None) or (
                self.dtype is not None and other.dtype is not None
                and not self.dtype.categories.equals(other.dtype.categories)):
            raise ValueError(f"cannot add the pieces: column {self.name!r} has different dtypes "
                             f"({self.dtype or 'not categorical'} and "
                             f"{other.dtype or 'not categorical'}); give it one dtype in every piece")
        labels, map_a, map_b = _union(self.labels, other.labels)
        position = np.full(len(labels), np.iinfo(np.int64).max, dtype=np.int64)
        np.minimum.at(position, map_a, self.position)
        np.minimum.at(position, map_b, other.position)
        return _Column(self.name, self.table, labels, position, self.dtype), map_a, map_b


@dataclass(frozen=True)
class Groups:
    """The groups of a split by ``by=`` over pieces: one column's labels, or
    the combinations of several columns' labels that occur (``combos``, one
    row of label numbers per group); None: no ``by``, one group."""

    columns: tuple
    combos: Optional[np.ndarray]

    @classmethod
    def of(cls, project: CodedProject, by: By, dropna: bool, piece: int) -> Groups:
        arrays = project.arrays
        columns = tuple(_Column.of(c, piece) for c in arrays.group_columns(by, dropna=dropna))
        if len(columns) < 2:
            return cls(columns, None)
        labels = arrays.split(by, dropna=dropna).labels
        assert isinstance(labels, pd.MultiIndex)
        combos = np.stack([c.labels.get_indexer(labels.get_level_values(i))
                           for i, c in enumerate(columns)], axis=1).astype(np.int64)
        return cls(columns, combos.reshape(len(labels), len(columns)))

    @property
    def n_groups(self) -> int:
        if not self.columns:
            return 1
        return len(self.columns[0].labels) if self.combos is None else len(self.combos)

    def join(self, other: Groups) -> tuple[Groups, np.ndarray, np.ndarray]:
        """The union of the groups, and where the groups of each went."""
        if not self.columns:
            return self, np.zeros(1, np.int64), np.zeros(1, np.int64)
        added = [a.join(b) for a, b in zip(self.columns, other.columns)]
        columns = tuple(c for c, _, _ in added)
        if self.combos is None:
            return Groups(columns, None), added[0][1], added[0][2]
        assert other.combos is not None  # same settings: several columns on both sides
        a = np.stack([m[self.combos[:, i]] for i, (_, m, _) in enumerate(added)], axis=1)
        b = np.stack([m[other.combos[:, i]] for i, (_, _, m) in enumerate(added)], axis=1)
        both = np.concatenate([a, b]).reshape(-1, len(columns))
        combos, inverse = np.unique(both, axis=0, return_inverse=True)
        inverse = inverse.reshape(-1)
        return Groups(columns, combos), inverse[:len(a)], inverse[len(a):]

    def ordered(self) -> tuple[Optional[pd.Index], np.ndarray]:
        """The group labels in the whole project's order, and which group
        each is."""
        if not self.columns:
            return None, np.zeros(1, np.int64)
        if self.combos is None:
            column = self.columns[0]
            order = np.argsort(column.position, kind="stable")
            return column.labels[order], order
        # a column's rank is its labels' order in the whole; the combinations
        # then sort by the ranks of their labels, as the whole project's do
        ranks = [np.argsort(np.argsort(c.position, kind="stable"), kind="stable")
                 for c in self.columns]
        order = np.lexsort(tuple(rank[self.combos[:, i]]
                                 for i, rank in reversed(list(enumerate(ranks)))))
        labels = pd.MultiIndex.from_arrays(
            [c.labels[self.combos[order, i]] for i, c in enumerate(self.columns)],
            names=[c.name for c in self.columns])
        return labels, order


def scatter(values: np.ndarray, where: np.ndarray, n: int) -> np.ndarray:
    """values (groups on the first axis) moved to rows ``where`` of n rows."""
    out = np.zeros((n,) + values.shape[1:], dtype=values.dtype)
    np.add.at(out, where, values)
    return out


class CodeCounts(Partial):
    """Code counts of a piece of a project, to be added to those of other
    pieces (``a + b``) and finished once: the partial result behind
    :meth:`~qdacore.Project.frequencies` and
    :meth:`~qdacore.Project.code_document_table`, for a project counted
    piece by piece (:class:`qdacore.dask.ProjectFrames`).

    A piece is a Project with the whole codebook, a documents table (whole,
    or its own documents) and the items and codings of some documents; no
    two pieces may hold items of one document. Number the pieces
    (``piece=``) in the order of the whole project's tables: groups then come
    in the whole project's order whatever order the pieces are added in.

    Examples
    --------
    >>> import qdacore as qc
    >>> project = qc.datasets.megaregions()
    >>> docs = project.documents
    >>> first, second = docs["doc"].iloc[:10], docs["doc"].iloc[10:]
    >>> def piece(keep):
    ...     items = project.items[project.items["doc"].isin(keep)]
    ...     codings = project.codings[project.codings["item"].isin(items["item"])]
    ...     return qc.Project(project.codebook, docs, items, codings)
    >>> a = qc.CodeCounts.of(piece(first), "theme", by="substitute", piece=0)
    >>> b = qc.CodeCounts.of(piece(second), "theme", by="substitute", piece=1)
    >>> (b + a).result()
    substitute  False  True
    theme
    COE           391    105
    CON           364    120
    COO           437    161
    >>> (a + b).table(normalize="total").equals(
    ...     project.code_document_table("theme", by="substitute", normalize="total"))
    True
    """

    _setting_names = ("level", "by", "unit", "dropna")
    _codebook: Codebook
    _scope: Scope
    _groups: Groups
    _counts: np.ndarray
    _table: Deferred[pd.DataFrame]
    _elsewhere: tuple

    @classmethod
    def _make(cls, settings: tuple, codebook: Codebook, scope: Scope, groups: Groups,
              counts: np.ndarray, table: Deferred[pd.DataFrame], elsewhere: tuple) -> CodeCounts:
        self = cls.__new__(cls)
        self._settings = settings
        self._codebook = codebook
        self._scope = scope
        self._groups = groups
        self._counts = counts  # int64, groups x targets
        self._table = table
        self._elsewhere = elsewhere
        return self

    @property
    def _documents(self) -> pd.DataFrame:
        """doc, the documents columns of by=, and each document's text length
        (NaN: unknown here), for per_characters=. The lengths are a pass over
        every item's text: made when first needed (per_characters=, adding,
        pickling), never for a plain count."""
        return self._table.get()

    @classmethod
    def of(cls, project: CodedProject, level: Optional[str] = None, *, by: By = None,
           unit: str = "coding", dropna: bool = True, piece: int = 0) -> CodeCounts:
        """The code counts of ``project`` (a piece of a project); the
        arguments are those of :meth:`~qdacore.Project.frequencies`, and
        ``piece``, the piece's position in the whole project."""
        unit = check.choice(unit, "unit", UNITS)
        dim = project.codebook.dimension(level)
        arrays = project.arrays
        split = arrays.split(by, dropna=dropna)
        units = arrays.units(unit, split)
        counts = _core.count_codes(units.pop("indptr"), units.pop("code"), dim.indptr, dim.target,
                                   len(dim.targets), **units)
        groups = Groups.of(project, by, dropna, piece)
        documents, items, codings = project.documents, project.items, project.codings
        elsewhere = tuple(not_documents_columns(documents, items, codings, by))
        kept = [c for c in ([] if by is None else ([by] if isinstance(by, str) else list(by)))
                if c in documents.columns and c != "doc" and c not in elsewhere]
        by_key = by if by is None or isinstance(by, str) else tuple(by)
        return cls._make((level, by_key, unit, bool(dropna)), project.codebook,
                         Scope.of(project, piece), groups, counts.astype(np.int64, copy=False),
                         Deferred(partial(_documents_table, documents, items, kept)), elsewhere)

    def _add(self, other: CodeCounts) -> CodeCounts:
        scope = self._scope + other._scope
        if not (self._codebook is other._codebook or self._codebook == other._codebook):
            raise ValueError("cannot add CodeCounts of projects with different codebooks; every "
                             "piece holds the whole codebook")
        groups, map_a, map_b = self._groups.join(other._groups)
        n = groups.n_groups
        counts = scatter(self._counts, map_a, n) + scatter(other._counts, map_b, n)
        return CodeCounts._make(self._settings, self._codebook, scope, groups, counts,
                                Deferred.made(_merge_documents(self._documents, other._documents)),
                                tuple(dict.fromkeys(self._elsewhere + other._elsewhere)))

    def result(self, *, per_characters: Optional[int] = None,
               labels: Union[bool, str] = False) -> Union[pd.Series, pd.DataFrame]:
        """The frequencies: :meth:`~qdacore.Project.frequencies` of the whole
        project, whose arguments these are."""
        level, by, unit, dropna = self._settings
        columns, order = self._groups.ordered()
        counts = self._counts[order]
        index = self._codebook.targets(level, labels=labels)
        if per_characters is not None:
            if check.whole(per_characters, "per_characters", minimum=1) > 10**15:
                raise ValueError("per_characters must be at most 10**15 (a rate per that many characters)")
            documents = self._documents
            lengths = group_lengths(documents, documents["length"], list(self._elsewhere),
                                    None if by is None else list(by) if isinstance(by, tuple) else by,
                                    columns, dropna)
            counts = counts * (per_characters / lengths)[:, None]
        if columns is None:
            return pd.Series(counts[0], index=index, name=f"{unit}s")
        return pd.DataFrame(counts.T, index=index, columns=columns)

    def table(self, *, normalize: Optional[str] = None, margins: bool = False,
              percent: bool = False, labels: Union[bool, str] = False) -> pd.DataFrame:
        """The code-document table:
        :meth:`~qdacore.Project.code_document_table` of the whole project,
        whose arguments these are (the counts must have a ``by``)."""
        if self._settings[1] is None:
            raise ValueError("by=None: a code-document table needs columns; pass by='doc' "
                             "or use frequencies() for overall counts")
        table = self.result(labels=labels)
        assert isinstance(table, pd.DataFrame)  # by= is given
        return margins_and_shares(table, margins, normalize, percent)


def _merge_documents(a: pd.DataFrame, b: pd.DataFrame) -> pd.DataFrame:
    """The documents of two pieces, each once, with the text length known in
    either (a document's items, and so a length taken from them, are in one
    piece only)."""
    if len(a) == len(b) and a["doc"].equals(b["doc"]):
        merged = a.copy()
        merged["length"] = np.fmax(a["length"].to_numpy(), b["length"].to_numpy())
        return merged
    both = pd.concat([a, b], ignore_index=True)
    length = both.groupby("doc", sort=False)["length"].max()
    merged = both.drop_duplicates("doc").reset_index(drop=True)
    merged["length"] = merged["doc"].map(length).to_numpy(dtype=float)
    return merged


def _documents_table(documents: pd.DataFrame, items: pd.DataFrame, kept: list) -> pd.DataFrame:
    """doc, the documents columns of by= (``kept``) and each document's text length."""
    table = documents[["doc"] + kept].reset_index(drop=True)
    table["length"] = document_lengths(documents, items).to_numpy(dtype=float)
    return table
