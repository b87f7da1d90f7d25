"""The Project: a coded corpus as four tables, and counting over it.

Tables
------
``codebook``
    a :class:`~qdacore.Codebook` (codes with hierarchy, code groups, memberships)
``documents``
    one row per document: ``doc`` (unique id) and free metadata (region, title, ...)
``items``
    one row per coded unit (planning item): ``item`` (unique id such as ``YN:18``),
    ``doc``, and optionally ``text``, ``start``/``end`` offsets in the document
``codings``
    one row per application of a code: ``item``, ``code``, optionally ``coder``
    and ``start``/``end`` (code-point offsets within the item's text)

From these the project derives, once, the integer arrays its C kernels read:
codings grouped by item in CSR form (``indptr``, ``code``) and each item's
document. Treat the tables as read-only; build a new Project to change them.
"""
from __future__ import annotations

import html
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Optional, Sequence, Union

import numpy as np
import pandas as pd

from . import _core
from . import _validate as check
from .codebook import Codebook, CodebookLike

__all__ = ["Project", "CodingArrays"]

By = Union[None, str, Sequence[str]]
UNITS = ("codings", "items")
NORMALIZE = (None, "row", "column", "total")
MARGIN = "Total"


@dataclass(frozen=True)
class CodingArrays:
    """The integer view of a project's codings that the C kernels read.

    The codings of item ``i`` (position in ``Project.items``) are
    ``code[indptr[i]:indptr[i + 1]]`` (positions in ``Project.codebook.codes``).
    ``order[k]`` is the row of ``Project.codings`` that CSR position ``k`` holds,
    or ``None`` when the codings table is already grouped by item in item order.
    ``item_doc[i]`` is the position of item ``i``'s document.
    """

    indptr: np.ndarray
    code: np.ndarray
    order: Optional[np.ndarray]
    item_doc: np.ndarray

    @property
    def nbytes(self) -> int:
        """Memory held by the arrays, in bytes."""
        order = 0 if self.order is None else self.order.nbytes
        return self.indptr.nbytes + self.code.nbytes + order + self.item_doc.nbytes


@dataclass(frozen=True)
class _Key:
    """One ``by=`` column factorised where it lives: per coding (CSR order), per
    item or per document; -1 marks rows left out (missing values)."""

    table: str
    codes: np.ndarray
    uniques: pd.Index


class Project:
    """A coded corpus: codebook, documents, items and codings.

    Parameters
    ----------
    codebook : Codebook or DataFrame
        A :class:`~qdacore.Codebook`, or a codes table from which one is built
        (no group sets).
    documents, items, codings : DataFrame
        The tables described in the module docstring. Any extra column is kept
        and can be used in ``by=``. A required column may also be given as the
        index (``items.set_index("item")``).
    name : str, optional
        A name for display and export.

    Raises
    ------
    TypeError
        A table is not a DataFrame, or ``start``/``end`` are not numeric.
    ValueError
        Missing required columns; missing or duplicate ids; an item in an
        unknown document; a coding of an unknown item or code; an empty
        codebook, documents or items table; bad offsets. The message names the
        table and column. (An empty codings table is allowed: a corpus may be
        imported before it is coded.)

    Examples
    --------
    >>> import pandas as pd
    >>> import qdacore as qc
    >>> codebook = pd.DataFrame({"code": ["COE", "COE-1", "COE-2"],
    ...                          "parent": [None, "COE", "COE"],
    ...                          "level": ["theme", "subtheme", "subtheme"]})
    >>> documents = pd.DataFrame({"doc": ["YN", "GZ"], "region": ["Central-Yunnan", "Central-Guizhou"]})
    >>> items = pd.DataFrame({"item": ["YN:18", "GZ:9", "GZ:10"], "doc": ["YN", "GZ", "GZ"]})
    >>> codings = pd.DataFrame({"item": ["YN:18", "GZ:9", "GZ:10", "GZ:10"],
    ...                         "code": ["COE-1", "COE-2", "COE-2", "COE-1"]})
    >>> project = qc.Project(codebook, documents, items, codings)
    >>> project
    <Project 'project': 2 documents, 3 items, 4 codings, 3 codes>
    >>> project.frequencies("subtheme")
    subtheme
    COE-1    2
    COE-2    2
    Name: codings, dtype: int64
    """

    def __init__(
        self,
        codebook: CodebookLike,
        documents: pd.DataFrame,
        items: pd.DataFrame,
        codings: pd.DataFrame,
        *,
        name: str = "project",
    ) -> None:
        if isinstance(codebook, pd.DataFrame):
            codebook = Codebook(codebook)
        if not isinstance(codebook, Codebook):
            raise TypeError(
                f"codebook must be a qdacore.Codebook or a DataFrame of codes, got {type(codebook).__name__}"
            )
        documents = check.frame(documents, "documents", ["doc"])
        items = check.frame(items, "items", ["item", "doc"])
        codings = check.frame(codings, "codings", ["item", "code"])
        check.nonempty(documents, "documents", "a project needs at least one document")
        check.nonempty(items, "items", "a project needs at least one item (coded unit)")
        doc_index = check.ids(documents["doc"], "documents.doc")
        item_index = check.ids(items["item"], "items.item")
        item_doc = check.positions(items["doc"], doc_index, "items.doc", "documents.doc")
        coding_item = check.positions(codings["item"], item_index, "codings.item", "items.item")
        coding_code = check.positions(
            codings["code"], codebook.code_index, "codings.code", "codebook.code"
        )
        check.offsets(items, "items")
        check.offsets(codings, "codings")

        self._name = str(name)
        self._codebook = codebook
        self._documents = documents
        self._items = items
        self._codings = codings
        self._doc_index = doc_index
        self._item_index = item_index
        self._arrays = self._csr(coding_item, coding_code, item_doc, len(items))
        self._keys: dict[tuple, _Key] = {}
        self._coding_items: Optional[np.ndarray] = None

    @staticmethod
    def _csr(coding_item: np.ndarray, coding_code: np.ndarray, item_doc: np.ndarray,
             n_items: int) -> CodingArrays:
        indptr = np.zeros(n_items + 1, dtype=np.int64)
        np.cumsum(np.bincount(coding_item, minlength=n_items), out=indptr[1:])
        if len(coding_item) < 2 or bool(np.all(coding_item[1:] >= coding_item[:-1])):
            return CodingArrays(indptr, coding_code, None, item_doc)
        order = np.argsort(coding_item, kind="stable")
        return CodingArrays(indptr, coding_code[order], order, item_doc)

    # -- tables -----------------------------------------------------------------
    @property
    def name(self) -> str:
        return self._name

    @property
    def codebook(self) -> Codebook:
        """The :class:`~qdacore.Codebook`."""
        return self._codebook

    @property
    def documents(self) -> pd.DataFrame:
        """One row per document (treat as read-only)."""
        return self._documents

    @property
    def items(self) -> pd.DataFrame:
        """One row per coded unit (treat as read-only)."""
        return self._items

    @property
    def codings(self) -> pd.DataFrame:
        """One row per coding (treat as read-only)."""
        return self._codings

    @property
    def arrays(self) -> CodingArrays:
        """The integer arrays the C kernels read (see :class:`CodingArrays`)."""
        return self._arrays

    @property
    def sizes(self) -> pd.Series:
        """Numbers of documents, items, codings, codes, groups and coders."""
        coders = self._codings["coder"].nunique() if "coder" in self._codings.columns else 0
        return pd.Series(
            {"documents": len(self._documents), "items": len(self._items),
             "codings": len(self._codings), "codes": len(self._codebook.codes),
             "groups": len(self._codebook.groups), "coders": coders},
            name=self._name,
        )

    def __repr__(self) -> str:
        s = self.sizes
        return (f"<Project {self._name!r}: {s['documents']} documents, {s['items']} items, "
                f"{s['codings']} codings, {s['codes']} codes>")

    def _repr_html_(self) -> str:
        s = self.sizes
        rows = "".join(f"<tr><th>{k}</th><td>{v:,}</td></tr>" for k, v in s.items())
        levels = ", ".join(html.escape(str(v)) for v in self._codebook.levels)
        sets = ", ".join(html.escape(str(v)) for v in self._codebook.sets) or "none"
        return (f"<div><strong>qdacore Project {html.escape(self._name)}</strong>"
                f"<table>{rows}</table><p>levels: {levels}; group sets: {sets}</p></div>")

    def equals(self, other: "Project") -> bool:
        """True when both projects hold equal tables (values and dtypes)."""
        return (
            isinstance(other, Project)
            and self._codebook == other._codebook
            and self._documents.equals(other._documents)
            and self._items.equals(other._items)
            and self._codings.equals(other._codings)
        )

    # -- input/output -------------------------------------------------------------
    @classmethod
    def from_csv(cls, folder: Union[str, Path]) -> "Project":
        """Read a project written by :meth:`to_csv` (see :mod:`qdacore.io.csv`)."""
        from .io.csv import read_csv_folder

        return read_csv_folder(folder)

    def to_csv(self, folder: Union[str, Path]) -> Path:
        """Write the project as CSV files plus a ``project.json`` schema that lets
        :meth:`from_csv` restore every column with its dtype. Returns the folder."""
        from .io.csv import write_csv_folder

        return write_csv_folder(self, folder)

    # -- splitting by attributes ----------------------------------------------------
    def _coding_item_positions(self) -> np.ndarray:
        """Item position of every coding in CSR order (built on first use)."""
        if self._coding_items is None:
            counts = np.diff(self._arrays.indptr)
            self._coding_items = np.repeat(np.arange(len(self._items), dtype=np.int64), counts)
        return self._coding_items

    def _key(self, column: Any, dropna: bool) -> _Key:
        cache = (column, dropna)
        if cache in self._keys:
            return self._keys[cache]
        for table_name, table in (("codings", self._codings), ("items", self._items),
                                  ("documents", self._documents)):
            if column in table.columns:
                break
        else:
            raise ValueError(
                f"by={column!r} is not a column of codings, items or documents; "
                f"columns are codings: {check.examples(self._codings.columns)}; "
                f"items: {check.examples(self._items.columns)}; "
                f"documents: {check.examples(self._documents.columns)}"
            )
        values = table[column]
        # First-appearance order keeps documents in registry order, as ATLAS.ti
        # lists them; categoricals keep their category order.
        ordered = isinstance(values.dtype, pd.CategoricalDtype)
        codes, uniques = pd.factorize(values, sort=ordered, use_na_sentinel=dropna)
        codes = codes.astype(np.int64, copy=False)
        if table_name == "codings" and self._arrays.order is not None:
            codes = codes[self._arrays.order]
        key = _Key(table_name, codes, pd.Index(uniques, name=column))
        self._keys[cache] = key
        return key

    def _split(self, by: By, dropna: bool) -> tuple[Optional[pd.Index], dict]:
        """Column labels and kernel arguments (item_group or coding_group) for by=."""
        if by is None:
            return None, {}
        columns = [by] if isinstance(by, str) or not isinstance(by, (list, tuple)) else list(by)
        if not columns:
            raise ValueError("by=[] names no column; pass None for overall counts")
        keys = [self._key(col, dropna) for col in columns]
        if len(keys) == 1:
            key = keys[0]
            codes = key.codes
            if key.table == "documents":
                codes = codes[self._arrays.item_doc]
            arg = "coding_group" if key.table == "codings" else "item_group"
            return key.uniques, {arg: codes, "n_groups": len(key.uniques)}
        # Several columns: lift each to the finest table used, combine the codes
        # into one integer per row and keep the combinations that occur.
        finest = "codings" if any(k.table == "codings" for k in keys) else "items"
        lifted = []
        for key in keys:
            codes = key.codes
            if key.table == "documents":
                codes = codes[self._arrays.item_doc]
            if key.table != "codings" and finest == "codings":
                codes = codes[self._coding_item_positions()]
            lifted.append(codes)
        dims = tuple(max(len(k.uniques), 1) for k in keys)
        missing = np.zeros(len(lifted[0]), dtype=bool)
        for codes in lifted:
            missing |= codes < 0
        present = ~missing
        combined = np.ravel_multi_index(tuple(c[present] for c in lifted), dims)
        group = np.full(len(missing), -1, dtype=np.int64)
        group[present], combos = pd.factorize(combined, sort=True)
        parts = np.unravel_index(np.asarray(combos), dims)
        labels = pd.MultiIndex.from_arrays(
            [k.uniques[p] for k, p in zip(keys, parts)], names=columns
        )
        arg = "coding_group" if finest == "codings" else "item_group"
        return labels, {arg: group, "n_groups": len(labels)}

    # -- counting -------------------------------------------------------------------
    def _count(self, level: Optional[str], by: By, unit: str, dropna: bool):
        check.choice(unit, "unit", UNITS)
        dim = self._codebook.dimension(level)
        columns, split = self._split(by, dropna)
        counts = _core.count_codes(
            self._arrays.indptr, self._arrays.code, dim.indptr, dim.target,
            len(dim.targets), unit=unit, **split,
        )
        return dim, columns, counts

    def _relabel(self, index: pd.Index, level: Optional[str], labels: Union[bool, str]) -> pd.Index:
        if labels is False:
            return index
        column = "label" if labels is True else labels
        return pd.Index(self._codebook.labels(level, column).to_numpy(), name=index.name)

    def frequencies(
        self,
        level: Optional[str] = None,
        by: By = None,
        unit: str = "codings",
        *,
        dropna: bool = True,
        labels: Union[bool, str] = False,
    ) -> Union[pd.Series, pd.DataFrame]:
        """Code frequencies at any codebook dimension, overall or split by attributes.

        Parameters
        ----------
        level : str or None
            A hierarchy level (``"theme"``), a group set (``"vision"``) or None for
            the codes as coded. See :mod:`qdacore.codebook` for how codings roll up.
        by : str or list of str, optional
            Column(s) of codings, items or documents to split by (looked up in that
            order), e.g. ``"coder"``, ``"doc"``, ``"region"``, ``["region", "coder"]``.
        unit : {"codings", "items"}
            ``"codings"`` counts every coding that reaches a target (a coding whose
            code is in two groups counts for both); ``"items"`` counts distinct items
            carrying the target (ATLAS.ti's groundedness when the targets are codes).
        dropna : bool
            Leave out codings whose ``by`` value is missing (as pandas groupby does);
            with False they form a group of their own.
        labels : bool or str
            Index the result by labels (``True`` for the ``label`` column, or a column
            name such as ``"label_zh"``) instead of ids.

        Returns
        -------
        Series or DataFrame
            Without ``by``: a Series indexed by the dimension's targets (all of them,
            zeros included), named after ``unit``. With ``by``: a DataFrame with the
            targets as rows and the ``by`` values (every value present in its table,
            used or not) as columns.

        Examples
        --------
        >>> import qdacore as qc
        >>> project = qc.datasets.megaregions()
        >>> project.frequencies("vision")
        vision
        V-MP    496
        V-FM    484
        V-FC    598
        Name: codings, dtype: int64
        >>> project.frequencies("theme", by="substitute")
        substitute  False  True
        theme
        COE           391    105
        CON           364    120
        COO           437    161
        >>> project.frequencies("theme", by="region", labels="label_zh").iloc[:, :3]
        region  Harbin-Changchun  Beijing-Tianjin-Hebei  Central-Shanxi
        theme
        共存                    20                     84              36
        连通                    26                     92              26
        合作                    26                    133              39
        """
        dim, columns, counts = self._count(level, by, unit, dropna)
        index = self._relabel(dim.targets, level, labels)
        if columns is None:
            return pd.Series(counts[0], index=index, name=unit)
        return pd.DataFrame(counts.T, index=index, columns=columns)

    def code_document_table(
        self,
        level: Optional[str] = None,
        by: By = "doc",
        normalize: Optional[str] = None,
        unit: str = "codings",
        *,
        margins: bool = False,
        percent: bool = False,
        dropna: bool = True,
        labels: Union[bool, str] = False,
    ) -> pd.DataFrame:
        """ATLAS.ti's Code-Document Table: codes (at any dimension) by documents or
        document attributes.

        Cell (code c, document d) counts the codings in d that reach c
        (``unit="codings"``), or the items in d that carry c (``unit="items"``, the
        ATLAS.ti count of quotations when each item is one quotation). Every target
        and every document appears, zeros included.

        Parameters
        ----------
        level, by, unit, dropna, labels
            As in :meth:`frequencies`; ``by`` defaults to ``"doc"`` and may be any
            column, e.g. ``"region"`` for document groups.
        normalize : {None, "row", "column", "total"}
            None gives counts. ``"row"`` divides each cell by its row total
            (ATLAS.ti's row-relative frequencies: how a code spreads across
            documents), ``"column"`` by its column total (column-relative: the code
            profile of one document), ``"total"`` by the grand total
            (table-relative). A row or column whose total is 0 gives NaN (0/0 is not
            a share).
        margins : bool
            Add totals named ``"Total"`` as pandas.crosstab does: for counts and
            ``"total"`` a total row and column; for ``"row"`` the total row (the
            overall distribution over documents); for ``"column"`` the total column.
            A coding that reaches two targets of a group set counts in both rows,
            so totals are sums of the cells.
        percent : bool
            Scale shares to percentages.

        Returns
        -------
        DataFrame
            Rows named after the dimension, columns after ``by``.

        Examples
        --------
        >>> import qdacore as qc
        >>> project = qc.datasets.megaregions()
        >>> project.code_document_table("theme", by="substitute", margins=True)
        substitute  False  True  Total
        theme
        COE           391   105    496
        CON           364   120    484
        COO           437   161    598
        Total        1192   386   1578
        >>> project.code_document_table("theme", by="substitute", normalize="column",
        ...                             margins=True).round(3)
        substitute  False   True  Total
        theme
        COE         0.328  0.272  0.314
        CON         0.305  0.311  0.307
        COO         0.367  0.417  0.379
        """
        check.choice(normalize, "normalize", NORMALIZE)
        if by is None:
            raise ValueError("by=None: a code-document table needs columns; pass by='doc' "
                             "or use frequencies() for overall counts")
        table = self.frequencies(level, by=by, unit=unit, dropna=dropna, labels=labels)
        if margins:
            table = table.copy()
            table[MARGIN] = table.sum(axis=1)
            table.loc[MARGIN] = table.sum(axis=0)
        if normalize is not None:
            table = table.astype(float)
            if normalize == "row":
                table = table.div(table.iloc[:, -1] if margins else table.sum(axis=1), axis=0)
                if margins:
                    table = table.drop(columns=MARGIN)
            elif normalize == "column":
                table = table.div(table.iloc[-1] if margins else table.sum(axis=0), axis=1)
                if margins:
                    table = table.drop(index=MARGIN)
            else:
                table = table / (table.iloc[-1, -1] if margins else table.to_numpy().sum())
            if percent:
                table = table * 100.0
        elif percent:
            raise ValueError("percent=True needs normalize='row', 'column' or 'total'")
        return table

    # -- text ---------------------------------------------------------------------
    def autocode(
        self,
        keywords: Any = None,
        level: Optional[str] = "subtheme",
        scope: str = "match",
        coder: str = "dictionary",
        *,
        language: str = "zh",
        fold_case: bool = False,
    ) -> "Project":
        """Dictionary coding of the items' ``text``: a new coder whose codings sit
        beside the human ones (so agreement between them can be measured).

        Keywords are matched leftmost-longest (a keyword inside a longer one is
        not counted again) by :class:`qdacore.text.Matcher`.

        Parameters
        ----------
        keywords : DataFrame, dict or None
            ``code`` and ``keyword`` columns, or ``{code: [keywords]}``. None takes
            the codebook's ``keywords_<language>`` (or ``keywords``) column, ``|``
            separated, of the codes at ``level``.
        level : str or None
            The hierarchy level whose keyword lists are used when ``keywords`` is
            None (None: every code with keywords).
        scope : {"match", "sentence", "item"}
            The span each coding covers: the keyword itself, the sentence around
            it (ended by 。！？；!?; or a line break), or the whole item (one coding
            per item and code).
        coder : str
            The name in the ``coder`` column of the new codings.
        language : str
            Suffix of the keyword column.
        fold_case : bool
            Match Latin letters case-insensitively.

        Returns
        -------
        Project
            The same tables with the new codings (``item``, ``code``, ``coder``,
            ``start``, ``end`` in code points of the item text) appended.

        Examples
        --------
        >>> import qdacore as qc
        >>> project = qc.datasets.megaregions()
        >>> coded = project.autocode(scope="item")
        >>> coded.frequencies("theme", by="coder")
        coder  coder1  dictionary
        theme
        COE       496         477
        CON       484         464
        COO       598         567
        """
        from .text import autocode

        return autocode(self, keywords, level, scope, coder, language=language, fold_case=fold_case)

