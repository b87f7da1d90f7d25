"""The :class:`~qdacore.Project` methods that read and write files and derive
new projects from one (a subset, a dictionary coder's codings): a mixin, so
that ``project.py`` holds the tables and the analyses. Each method is a thin
call into the module that does the work, whose docstring has the details."""
from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Optional, Union, cast

import pandas as pd

if TYPE_CHECKING:  # pragma: no cover
    from .codebook import Codebook
    from .project import Project


class ProjectOperations:
    """Files in and out, subsets and dictionary coding (see :class:`~qdacore.Project`)."""

    _name: str
    _codebook: Codebook
    _documents: pd.DataFrame
    _items: pd.DataFrame
    _codings: pd.DataFrame

    def _project(self) -> Project:
        """This object as the Project it is (Project is the one class that mixes this in)."""
        return cast("Project", self)

    # -- input/output (the functions of qdacore.io, whose docstrings have examples) ----
    @classmethod
    def from_csv(cls, folder: Union[str, Path]) -> Project:
        """Read a project written by :meth:`to_csv` (:func:`qdacore.io.read_csv_folder`)."""
        from .io.csv import read_csv_folder

        return read_csv_folder(folder)

    @classmethod
    def from_documents(
        cls,
        documents: Union[pd.DataFrame, str, Path, Sequence[Union[str, Path]]],
        codebook: Any = None,
        *,
        rule: Union[str, re.Pattern[str]] = "paragraph",
        keep_headings: bool = False,
        name: str = "project",
    ) -> Project:
        r"""A project from documents, not yet coded: each document split into
        items (:func:`qdacore.text.split_items`) with the outline over them.

        Parameters
        ----------
        documents : DataFrame, or path(s)
            The table :func:`qdacore.io.read_documents` returns (rows with
            ``status="failed"`` are left out; the structure columns
            ``headings`` and ``page_starts`` become item columns), or any
            table with ``doc`` and ``text`` columns; or a folder or files,
            read with :func:`~qdacore.io.read_documents` first. Other columns
            (``region`` ...) stay document columns, usable in ``by=``.
        codebook : Codebook or DataFrame, optional
            The codes to code with (their keywords for :meth:`autocode`);
            None for an empty codebook.
        rule : {"paragraph", "clause"} or a regular expression
            How a document is cut into items (as in ``split_items``).
        keep_headings : bool
            Make headings items too (with a ``kind`` column).
        name : str
            The project's name.

        Returns
        -------
        Project
            ``items`` hold ``item`` (``<doc>:<n>``, as ``YN:18``), ``doc``,
            ``number``, ``start``/``end`` in the document's text, ``text``,
            ``part``, ``chapter``, ``section``, ``heading``, ``outline``, and
            ``page`` where a document has pages; no codings yet.

        Examples
        --------
        >>> import pandas as pd
        >>> import qdacore as qc
        >>> documents = pd.DataFrame({"doc": ["YN"], "region": ["Central-Yunnan"],
        ...     "text": ["滇中城市群发展规划\n第一章 空间格局\n1. 培育副中心。\n2. 建设发展轴。"]})
        >>> codebook = pd.DataFrame({"code": ["POL"], "keywords_zh": ["副中心|发展轴"]})
        >>> project = qc.Project.from_documents(documents, codebook)
        >>> project.items[["item", "start", "end", "text", "chapter"]]
           item  start  end        text    chapter
        0  YN:1     19   28  1. 培育副中心。  第一章 空间格局
        1  YN:2     29   38  2. 建设发展轴。  第一章 空间格局
        >>> project.autocode(scope="item").frequencies(by="chapter")
        chapter  第一章 空间格局
        code
        POL             2
        """
        from .codebook import Codebook
        from .io.documents import read_documents
        from .text import split_items

        table = documents if isinstance(documents, pd.DataFrame) else read_documents(documents)
        missing = [c for c in ("doc", "text") if c not in table.columns]
        if missing:
            raise ValueError(f"documents has no {' or '.join(missing)} column; read files with "
                             "qdacore.io.read_documents, or give a table with doc and text")
        if "status" in table.columns:
            table = table[table["status"].eq("read").to_numpy()]
        table = table.reset_index(drop=True)
        table["doc"] = table["doc"].astype(str).astype(object)  # item ids are "<doc>:<n>" strings
        if not len(table):
            raise ValueError("documents holds no document that was read; see its status and message columns")
        structure = {c: table[c] if c in table.columns else pd.Series([None] * len(table))
                     for c in ("headings", "page_starts")}
        parts = []
        for i, (doc, text) in enumerate(zip(table["doc"], table["text"])):
            if not isinstance(text, str):
                raise TypeError(f"documents.text of {doc!r} must be a str, got {type(text).__name__}")
            page_starts = structure["page_starts"].iat[i]
            headings = structure["headings"].iat[i]
            parts.append(split_items(text, str(doc), rule=rule,
                                     headings=headings if isinstance(headings, (tuple, list)) else None,
                                     page_starts=page_starts if isinstance(page_starts, (tuple, list)) else None,
                                     keep_headings=keep_headings))
        items = pd.concat(parts, ignore_index=True)
        if "page" in items.columns:
            items["page"] = items["page"].astype("Int64")
        kept = table.drop(columns=[c for c in ("headings", "page_starts", "status", "message")
                                   if c in table.columns])
        if codebook is None:
            codebook = Codebook(pd.DataFrame({"code": pd.Series([], dtype=object)}), allow_empty=True)
        elif isinstance(codebook, pd.DataFrame):
            codebook = Codebook(codebook)
        return cast("Project", cls(codebook, kept, items, None, name=name))  # type: ignore[call-arg]

    def to_csv(self, folder: Union[str, Path]) -> Path:
        """Write the project as CSV files plus a ``project.json`` schema that lets
        :meth:`from_csv` restore every column with its dtype
        (:func:`qdacore.io.write_csv_folder`). Returns the folder."""
        from .io.csv import write_csv_folder

        return write_csv_folder(self._project(), folder)

    def to_qdpx(self, path: Union[str, Path], *, origin: Optional[str] = None,
                qdacore_tables: bool = True) -> Path:
        """Write the project as a REFI-QDA ``.qdpx`` archive
        (:func:`qdacore.io.write_qdpx`, whose options these are). Returns the path."""
        from .io.qdpx import write_qdpx

        return write_qdpx(self._project(), path, origin=origin, qdacore_tables=qdacore_tables)

    def codings_table(self) -> pd.DataFrame:
        """One row per coding with ``doc``, ``item``, ``code``, ``code_path``,
        ``coder``, ``start``, ``end``, ``text`` and the document attributes
        (:func:`qdacore.io.codings_table`)."""
        from .io.tidy import codings_table

        return codings_table(self._project())

    def to_excel(self, path: Union[str, Path]) -> Path:
        """Write the project as an ``.xlsx`` workbook that :meth:`from_excel`
        reads back, edits made in Excel included: a sheet per table (codings
        with their document, code path and coded text beside them), the texts,
        and a hidden sheet of dtypes (needs openpyxl;
        :func:`qdacore.io.write_excel`). Returns the path."""
        from .io.excel import write_excel

        return write_excel(self._project(), path)

    @classmethod
    def from_excel(cls, path: Union[str, Path]) -> Project:
        """Read a workbook written by :meth:`to_excel`, with the edits made in
        Excel: changed cells, added or deleted rows and columns
        (:func:`qdacore.io.read_excel`; errors name the sheet, column and row)."""
        from .io.excel import read_excel

        return read_excel(path)

    def subset(
        self,
        *,
        docs: Any = None,
        codes: Any = None,
        coders: Optional[Sequence[Any]] = None,
        where: Any = None,
    ) -> Project:
        """A new Project with some documents, codes, coders or codings.

        The choices combine (a coding must pass each one given). Items are
        kept with their document: ``codes``, ``coders`` and ``where`` choose
        codings, and an item left without codings stays, as a unit no one
        coded (agreement and ``unit="item"`` counts need it). Any result may
        be empty (a project without codings, or without documents).

        Parameters
        ----------
        docs : id, list of ids, or boolean mask
            Documents to keep: ``documents.doc`` ids, or True/False per row of
            :attr:`documents` (an array, or a Series such as
            ``project.documents["region"] == "Yunnan"``). Their items and
            codings go with them.
        codes : id, list of ids, or boolean mask
            Codes to keep, at any level: a code brings the codings of its
            descendants (choosing a theme keeps the codings of its sub-themes).
            The codebook keeps those codes, their descendants and the
            ancestors they need for the levels above; every group stays, with
            the memberships of the codes kept.
        coders : list of str
            ``codings.coder`` names whose codings to keep.
        where : boolean Series or str
            Codings to keep: True/False per row of :attr:`codings` (a Series
            over them, or an array), or a condition on the codings, with the
            columns of their items and documents beside them (looked up in
            that order, as ``by=`` does), e.g. ``"coder == 'A' and end - start
            > 10"``. The condition is a small language read by qdacore, never
            run as Python code: column names, constants, comparisons, ``in``,
            ``and``/``or``/``not`` and arithmetic (:func:`qdacore.Project.subset`
            lists it in full in the guide; anything else is a ValueError).

        Returns
        -------
        Project
            The same name, the tables' rows in their order and every column.

        Raises
        ------
        ValueError
            An id or coder that the project lacks, a mask of the wrong length
            or index, or a ``where`` that is not a condition on the codings.

        Examples
        --------
        >>> import qdacore as qc
        >>> project = qc.datasets.megaregions(n_coders=2)
        >>> part = project.subset(docs=project.documents["substitute"], codes=["COE"],
        ...                       coders=["coder1"])
        >>> part
        <Project 'megaregions': 5 documents, 298 items, 105 codings, 26 codes>
        >>> part.frequencies("theme")
        theme
        COE    105
        Name: codings, dtype: int64
        >>> project.subset(where="coder == 'coder2' and region == 'Central-Yunnan'").sizes["codings"]
        np.int64(202)
        """
        from ._subset import subset

        return subset(self._project(), docs=docs, codes=codes, coders=coders, where=where)

    # -- text ---------------------------------------------------------------------
    def autocode(
        self,
        keywords: Any = None,
        *,
        level: Optional[str] = None,
        scope: str = "match",
        coder: str = "dictionary",
        language: str = "zh",
        fold_case: bool = False,
    ) -> Project:
        """Dictionary coding of the items' ``text``: a new coder whose codings sit
        beside the human ones (so agreement between them can be measured).

        Keywords are matched leftmost-longest (a keyword inside a longer one is
        not counted again) by :class:`qdacore.text.Matcher`; the codings come
        from :func:`qdacore.text.keyword_codings`.

        Parameters
        ----------
        keywords : DataFrame, dict or None
            ``code`` and ``keyword`` columns, or ``{code: [keywords]}``. None takes
            the codebook's ``keywords_<language>`` (or ``keywords``) column, ``|``
            separated, of the codes at ``level``.
        level : str or None
            The hierarchy level whose keyword lists are used when ``keywords`` is
            None; None (the default) takes every code that has keywords, at
            whatever level of the codebook.
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
        from . import text

        if "coder" in self._codings.columns and (self._codings["coder"] == coder).any():
            raise ValueError(f"coder={coder!r} already has codings in this project; pick another name")
        new = text.keyword_codings(self._items, self._codebook, keywords=keywords, level=level,
                                   scope=scope, coder=coder, language=language,
                                   fold_case=fold_case)
        combined = pd.concat([self._codings, new], ignore_index=True)
        for col in ("start", "end"):  # offsets stay whole numbers where the human codings have none
            if col in combined.columns and not pd.api.types.is_integer_dtype(combined[col].dtype):
                combined[col] = combined[col].astype("Int64")
        return type(self._project())(self._codebook, self._documents, self._items, combined,
                       name=f"{self._name} + {coder}")
