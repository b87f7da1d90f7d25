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
from collections.abc import Sequence
from typing import Any, Optional, Union

import pandas as pd

from . import _model, agree, cooc, plot
from ._model import By, CodingArrays
from ._pieces import CodeCounts
from ._project_ops import ProjectOperations
from .codebook import Codebook

__all__ = ["Project"]

class Project(ProjectOperations):
    """A coded corpus: codebook, documents, items and codings.

    Parameters
    ----------
    codebook : Codebook or DataFrame
        A :class:`~qdacore.Codebook`, or a codes table from which one is built
        (no group sets).
    documents, items, codings : DataFrame
        The tables described in the module docstring. Any extra column is kept
        and can be used in ``by=``. A required column may also be given as the
        index (``items.set_index("item")``). Without ``codings`` (or with an
        empty DataFrame) the project has no codings yet, as a corpus read
        before it is coded.
    name : str, optional
        A name for display and export.
    allow_empty : bool
        Accept empty codebook, documents and items tables, as a QDA package
        exports a blank project (the REFI-QDA reader sets it); off by default so
        that an empty table is caught as a mistake.

    Raises
    ------
    TypeError
        A table is not a DataFrame, or ``start``/``end`` are not numeric.
    ValueError
        Missing required columns; missing or duplicate ids; an item in an
        unknown document; a coding of an unknown item or code; an empty
        codebook, documents or items table (unless ``allow_empty``); bad
        offsets. The message names the table and column. An empty codings
        table is always allowed: a corpus may be imported before it is coded.

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
        codebook: Union[Codebook, pd.DataFrame],
        documents: pd.DataFrame,
        items: pd.DataFrame,
        codings: Optional[pd.DataFrame] = None,
        *,
        name: str = "project",
        allow_empty: bool = False,
    ) -> None:
        self._name = str(name)
        (self._codebook, self._documents, self._items, self._codings,
         self._arrays) = _model.validated(codebook, documents, items, codings,
                                          allow_empty=allow_empty)

    # -- tables -----------------------------------------------------------------
    @property
    def name(self) -> str:
        """The project's name, for display and export."""
        return self._name

    @property
    def codebook(self) -> Codebook:
        """The :class:`~qdacore.Codebook`."""
        return self._codebook

    @property
    def documents(self) -> pd.DataFrame:
        """One row per document (a shallow copy: with pandas' copy-on-write (pandas 3) editing it leaves the project, and what it derived, as they are; build a new Project to change a table)."""
        return self._documents.copy(deep=False)

    @property
    def items(self) -> pd.DataFrame:
        """One row per coded unit (a shallow copy, as :attr:`documents`)."""
        return self._items.copy(deep=False)

    @property
    def codings(self) -> pd.DataFrame:
        """One row per coding (a shallow copy, as :attr:`documents`)."""
        return self._codings.copy(deep=False)

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

    def equals(self, other: Project) -> bool:
        """True when both projects hold equal tables (values and dtypes)."""
        return (
            isinstance(other, Project)
            and self._codebook == other._codebook
            and self._documents.equals(other._documents)
            and self._items.equals(other._items)
            and self._codings.equals(other._codings)
        )

    # -- counting -------------------------------------------------------------------
    def frequencies(
        self,
        level: Optional[str] = None,
        *,
        by: By = None,
        unit: str = "coding",
        per_characters: Optional[int] = None,
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
        unit : {"coding", "item", "document"}
            ``"coding"`` counts every coding that reaches a target (a coding whose
            code is in two groups counts for both); ``"item"`` counts distinct items
            carrying the target (ATLAS.ti's groundedness when the targets are codes);
            ``"document"`` counts distinct documents carrying it.
        per_characters : int, optional
            Counts per that many characters of text (``10_000``: per 10,000
            characters), the text of all documents, or of each group's documents
            with ``by`` (which must then name documents columns); a document's
            length is that of ``documents.text``, else of its items' texts.
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
            zeros included), named ``codings``, ``items`` or ``documents``. With
            ``by``: a DataFrame with the targets as rows and, as columns, the values
            of one ``by`` column (every value present in its table, used or not) or
            the combinations of several that occur among the items (or codings).

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
        >>> project.frequencies("theme", unit="document")
        theme
        COE    21
        CON    21
        COO    21
        Name: documents, dtype: int64
        >>> project.frequencies("theme", by="region", labels="label_zh").iloc[:, :3]
        region  Harbin-Changchun  Beijing-Tianjin-Hebei  Central-Shanxi
        theme
        共存                    20                     84              36
        连通                    26                     92              26
        合作                    26                    133              39
        """
        return CodeCounts.of(self, level, by=by, unit=unit, dropna=dropna).result(
            per_characters=per_characters, labels=labels)

    def code_document_table(
        self,
        level: Optional[str] = None,
        *,
        by: By = "doc",
        unit: str = "coding",
        normalize: Optional[str] = None,
        margins: bool = False,
        percent: bool = False,
        dropna: bool = True,
        labels: Union[bool, str] = False,
    ) -> pd.DataFrame:
        """ATLAS.ti's Code-Document Table: codes (at any dimension) by documents or
        document attributes.

        Cell (code c, document d) counts the codings in d that reach c
        (``unit="coding"``), or the items in d that carry c (``unit="item"``, the
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
        if by is None:
            raise ValueError("by=None: a code-document table needs columns; pass by='doc' "
                             "or use frequencies() for overall counts")
        return CodeCounts.of(self, level, by=by, unit=unit, dropna=dropna).table(
            normalize=normalize, margins=margins, percent=percent, labels=labels)

    # -- relating codes ---------------------------------------------------------------
    def cooccurrence(
        self,
        level: Optional[str] = None,
        *,
        context: Optional[str] = None,
        measure: str = "count",
        window: Optional[int] = None,
        by: By = None,
        dropna: bool = True,
        labels: Union[bool, str] = False,
        as_dict: bool = False,
    ) -> Union[pd.DataFrame, dict]:
        """Co-occurrence of the targets of a codebook dimension, as a square table.

        Parameters
        ----------
        level : str or None
            Hierarchy level, group set, or None for the codes as coded.
        context : {None, "item", "document", "span", "window"}
            What two targets must share to co-occur: an item, a document,
            overlapping coded spans (ATLAS.ti's rule, counted as events), or items at
            most ``window`` apart in a document. None (the default) chooses by the
            project's shape (:func:`qdacore.cooc.default_context`): ``"span"`` when
            items overlap, as the selections of a project coded in a QDA package do,
            else ``"item"``; the result's ``attrs["context"]`` names it. Exact rules
            and a worked example: :mod:`qdacore.cooc` and the user guide.
        measure : str
            ``count``, ``c`` (ATLAS.ti's c-coefficient), ``jaccard``, ``cosine``,
            ``conditional`` (P(column | row)), ``lift``, ``npmi``, ``expected``,
            ``zscore``, ``pvalue`` (hypergeometric, one-sided) or ``qvalue``
            (Benjamini-Hochberg); formulas and ranges in :mod:`qdacore.cooc`.
        window : int, optional
            Reach of ``context="window"``, in items: items at most ``window``
            positions apart co-occur (0: the same item).
        by : str or list of str, optional
            One matrix per value of a codings, items or documents column. Returns a
            long DataFrame (by columns, ``source``, ``target``, measure; every cell,
            targets in codebook order), or with ``as_dict=True`` a dict of square
            DataFrames with one code order.
        dropna, labels
            As in :meth:`frequencies`.
        as_dict : bool
            With ``by``: a dict of square tables instead of one long table.

        Returns
        -------
        DataFrame or dict
            Without ``by``: targets x targets, symmetric except for ``conditional``;
            the diagonal holds each target's unit count.

        Examples
        --------
        >>> import qdacore as qc
        >>> project = qc.datasets.megaregions()
        >>> project.cooccurrence("theme")
        theme  COE  CON  COO
        theme
        COE    460   73   93
        CON     73  452   88
        COO     93   88  541
        >>> project.cooccurrence("theme", measure="c").round(3)
        theme    COE    CON    COO
        theme
        COE    1.000  0.087  0.102
        CON    0.087  1.000  0.097
        COO    0.102  0.097  1.000
        """
        return cooc.cooccurrence(self, level, context=context, measure=measure, window=window,
                                 by=by, dropna=dropna, labels=labels, as_dict=as_dict)

    def cooccurrence_edges(
        self,
        level: Optional[str] = None,
        *,
        context: Optional[str] = None,
        measures: Union[str, Sequence[str]] = ("count", "c"),
        window: Optional[int] = None,
        by: By = None,
        min_count: int = 1,
        top_k: Optional[int] = None,
        dropna: bool = True,
        labels: Union[bool, str] = False,
    ) -> pd.DataFrame:
        """Co-occurrence as a long edge table: one row per pair of distinct targets
        that co-occur.

        Columns: the ``by`` columns if any, ``source``, ``target`` (``source`` first
        in codebook order), ``count`` and one column per further measure. Counting
        uses memory proportional to the pairs that occur, so it scales to codebooks
        of any size.

        Parameters
        ----------
        level, context, window, by, dropna, labels
            As in :meth:`cooccurrence`.
        measures : str or list of str
            Measures to add as columns (``count`` is always present).
        min_count : int
            Drop edges with fewer co-occurrences.
        top_k : int, optional
            Keep an edge only if it is among the ``top_k`` strongest edges (by the
            first measure) of its source or of its target, per ``by`` group.

        Returns
        -------
        DataFrame
            ``attrs`` holds the level, the context and each node's frequency (its
            diagonal count), which :func:`qdacore.cooc.to_networkx` uses;
            :func:`qdacore.cooc.write_graph` writes GraphML or GEXF.

        Examples
        --------
        >>> import qdacore as qc
        >>> edges = qc.datasets.megaregions().cooccurrence_edges("subtheme", top_k=1)
        >>> edges.sort_values("count", ascending=False).head(3).round(3)
          source target  count      c
        8  CON-1  COO-3     29  0.052
        0  COE-1  CON-1     23  0.053
        6  CON-1  COO-1     16  0.038
        """
        return cooc.cooccurrence_edges(self, level, context=context, measures=measures,
                                       window=window, by=by, min_count=min_count, top_k=top_k,
                                       dropna=dropna, labels=labels)

    def crosstab(
        self,
        row_level: Optional[str],
        column_level: Optional[str],
        *,
        unit: str = "coding",
        by: By = None,
        margins: bool = False,
        normalize: Optional[str] = None,
        percent: bool = False,
        chi2: bool = False,
        dropna: bool = True,
        labels: Union[bool, str] = False,
    ) -> Any:
        """Cross-tabulate two codebook dimensions, e.g. theme x vision or
        sub-theme x mismatch.

        Parameters
        ----------
        row_level, column_level : str or None
            Row and column dimensions (levels, group sets, or None for codes).
        unit : {"coding", "item"}
            ``"coding"``: each coding adds one to every (a, b) its code reaches in
            both dimensions. ``"item"``: each item adds one to every (a, b) such that
            the item carries a and carries b (through the same coding or two).
        by : str or list of str, optional
            One table per group, stacked with the group as the outer row level.
        margins, normalize, percent
            As in :meth:`code_document_table` (``"row"`` gives row percentages with
            ``percent=True``).
        chi2 : bool
            Also return Pearson's chi-square test of independence
            (:class:`qdacore.cooc.Chi2Result`, from scipy) on the counts, over rows
            and columns with non-zero totals: the result is ``(table, test)``, with a
            dict of tests per group when ``by`` is given.
        dropna, labels
            As in :meth:`frequencies`.

        Examples
        --------
        >>> import qdacore as qc
        >>> project = qc.datasets.megaregions()
        >>> project.crosstab("theme", "vision", margins=True)
        vision  V-MP  V-FM  V-FC  Total
        theme
        COE      496     0     0    496
        CON        0   484     0    484
        COO        0     0   598    598
        Total    496   484   598   1578
        """
        return cooc.crosstab(self, row_level, column_level, unit=unit, by=by, margins=margins,
                             normalize=normalize, percent=percent, chi2=chi2, dropna=dropna,
                             labels=labels)

    # -- agreement ----------------------------------------------------------------------
    def agreement(
        self,
        level: Optional[str] = None,
        *,
        coders: Optional[Sequence[Any]] = None,
        method: str = "krippendorff",
        unit: str = "item",
        per_code: bool = True,
        ci: Optional[float] = 0.95,
        n_boot: int = 1000,
        seed: int = 0,
        labels: Union[bool, str] = False,
        progress: Optional[bool] = None,
    ) -> pd.DataFrame:
        """Inter-coder agreement per code: presence or absence of each target of a
        codebook dimension on each unit, by each coder, and over all codes.

        A coder judges every unit (item or document) of the documents in which that
        coder made at least one coding; there a unit is 1 for a target when one of the
        coder's codings on it reaches the target, else 0. Units outside a coder's
        documents are missing for that coder. The ``(all)`` row pools every
        (unit, target) pair; its tally is the sum of the per-code tallies.

        Parameters
        ----------
        level : str or None
            Hierarchy level, group set, or None for the codes as coded.
        coders : list, optional
            Coders to compare (default: all, in order of appearance).
        method : str
            ``krippendorff`` (nominal alpha), ``fleiss``, ``gwet`` (AC1),
            ``brennan_prediger``, ``conger``, ``cohen`` (two coders) or ``percent``;
            conventions in :mod:`qdacore.agree`.
        unit : {"item", "document"}
            What a coder rates.
        per_code : bool
            False keeps only the ``(all)`` row.
        ci, n_boot, seed
            Percentile bootstrap interval per code (Krippendorff's algorithm for alpha,
            units otherwise); for ``(all)`` only alpha has an interval.
        labels : bool or str
            As in :meth:`frequencies`.
        progress : bool, optional
            A progress bar over the codes; by default shown in terminals and
            notebooks only (``QDACORE_PROGRESS=0`` silences it).

        Returns
        -------
        DataFrame
            Per target: ``n_present`` (units some coder marked), ``n_units`` (units
            judged by at least two coders), ``observed`` and ``expected`` (agreement,
            or disagreement for alpha), the coefficient, ``ci_low``, ``ci_high``.
            Targets no coder varied on (all 0 or all 1) are NaN with one warning.

        Examples
        --------
        >>> import qdacore as qc
        >>> project = qc.datasets.megaregions(n_coders=2)
        >>> table = project.agreement("theme", n_boot=200)
        >>> table.round(3)[["n_units", "krippendorff", "ci_low", "ci_high"]]
               n_units  krippendorff  ci_low  ci_high
        theme
        COE       1199         0.965   0.947    0.979
        CON       1199         0.950   0.931    0.970
        COO       1199         0.931   0.911    0.951
        (all)     3597         0.949   0.938    0.958
        """
        return agree.project_agreement(self, level, coders=coders, method=method, unit=unit,
                                       per_code=per_code, ci=ci, n_boot=n_boot, seed=seed,
                                       labels=labels, progress=progress)

    def agreement_report(
        self,
        level: Optional[str] = None,
        *,
        coders: Optional[Sequence[Any]] = None,
        method: str = "krippendorff",
        unit: str = "item",
        ci: Optional[float] = 0.95,
        n_boot: int = 1000,
        seed: int = 0,
        labels: Union[bool, str] = False,
        progress: Optional[bool] = None,
    ) -> plot.AgreementReport:
        """:meth:`agreement` as a table and a dot plot with intervals (and
        Krippendorff's 0.667 / 0.8 guidelines for alpha), shown together in Jupyter.

        Parameters are those of :meth:`agreement`.

        Returns
        -------
        qdacore.plot.AgreementReport
            ``.table`` (as :meth:`agreement` returns it) and ``.figure``
            (:func:`qdacore.plot.agreement`).
        """
        table = self.agreement(level, coders=coders, method=method, unit=unit, ci=ci,
                               n_boot=n_boot, seed=seed, labels=labels, progress=progress)
        return plot.AgreementReport(table, plot.agreement(table))

    def coding_comparison(self, level: Optional[str] = None, *,
                          coders: Optional[Sequence[Any]] = None) -> pd.DataFrame:
        """NVivo's Coding Comparison: character-level agreement of two coders per
        target and document, uncoded text included.

        For each document and target that either coder coded: ``size`` (characters),
        ``kappa``, ``agreement`` (% of characters both coded or both left uncoded),
        ``a_and_b``, ``not_a_and_not_b``, ``disagreement``, ``a_not_b``, ``b_not_a``
        (percentages). Kappa is NVivo's: expected agreement
        ``(n_A n_B + (N - n_A)(N - n_B)) / N`` characters, ``kappa = (agree - expected)
        / (N - expected)``, and 1 when the coders agree on every character (as NVivo
        reports it). Needs ``documents.text`` (or ``documents.length``), code-point
        offsets on codings and ``items.start``.

        Examples
        --------
        See :func:`qdacore.agree.coding_comparison` for a worked example.
        """
        return agree.coding_comparison(self, level, coders=coders)


_model.register_project_class(Project)
