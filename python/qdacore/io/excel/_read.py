"""A workbook to a Project (:func:`read_excel`): the ``qdacore`` sheet checked
cell by cell into the project's name and every column's dtype, each table
built from its sheet (recorded columns restored, columns added in Excel
inferred), the texts joined from the texts sheet, and the codings' references
and recomputed columns compared with the other sheets, before and after the
Project is made."""
from __future__ import annotations

import json
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any, Optional, Union

import numpy as np
import pandas as pd

from ... import _validate as check
from ..._model import new_project
from ...codebook import Codebook
from ..tidy import codings_table
from ._dtypes import Spec, inferred, restore, spec
from ._format import DERIVED, FIX_SCHEMA, FORMAT, REQUIRED, SCHEMA, TABLES, VERSION
from ._format import openpyxl as _openpyxl
from ._sheets import Sheet, letter, merged_ranges

if TYPE_CHECKING:  # pragma: no cover
    from ...project import Project


def _require(sheet: Sheet, columns: list[str]) -> None:
    for column in columns:
        if column not in sheet.columns:
            raise ValueError(f"{sheet.source}: sheet {sheet.name!r} has no column {column!r} (row 1); "
                             f"the {sheet.name} table needs it: restore the column from the export")


def _table(sheet: Sheet, specs: dict[str, Spec], extra_text: Optional[list] = None) -> pd.DataFrame:
    """A table from its sheet: the recorded columns in their order (restored),
    then columns added in Excel."""
    _require(sheet, [c for c in REQUIRED[sheet.name] if not (c == "text" and extra_text is not None)])
    out: dict = {}
    for column, recorded in specs.items():
        if column == "text" and extra_text is not None:
            out[column] = restore(extra_text, recorded, lambda mask=None: sheet.where("text", mask)
                                  + " (the text, on the texts sheet)")
        elif column in sheet.columns:
            out[column] = restore(sheet.columns[column], recorded,
                                  lambda mask=None, column=column: sheet.where(column, mask))
    if extra_text is not None and "text" not in specs and any(t is not None for t in extra_text):
        out["text"] = pd.Series(extra_text, dtype=object)  # texts added in Excel
    for column, values in sheet.columns.items():
        if column not in specs and column not in out and not (sheet.name == "codings" and column in DERIVED):
            out[column] = inferred(values)
    n = len(sheet.rows)
    return pd.DataFrame({k: v.reset_index(drop=True) for k, v in out.items()}, index=pd.RangeIndex(n))


def _schema(workbook: Any, source: str, merged: Optional[list] = None,
            ) -> tuple[str, dict[str, dict[str, Spec]]]:
    """The project's name and every column's checked dtype, from the qdacore
    sheet; errors name its cells."""
    if SCHEMA not in workbook.sheetnames:
        raise ValueError(
            f"{source}: the workbook has no sheet {SCHEMA!r}, so it was not written by "
            "Project.to_excel (that sheet records the format and every column's type). Export the "
            "project with project.to_excel(path), or build a qdacore.Project from your own sheets "
            "read with pandas.read_excel")
    sheet = Sheet(workbook, SCHEMA, source, merged)
    for column in ("table", "column", "dtype"):
        if column not in sheet.columns:
            raise ValueError(f"{source}: sheet {SCHEMA!r} has no column {column!r}; the sheet is "
                             f"damaged: {FIX_SCHEMA}")
    dtype_letter = letter(sheet.header.index("dtype"))
    info: dict = {}
    cells: dict = {}
    tables: dict[str, dict[str, Spec]] = {t: {} for t in TABLES if t != "texts"}
    rows = sheet.rows.tolist()
    for row, table, column, value in zip(rows, sheet.columns["table"], sheet.columns["column"],
                                         sheet.columns["dtype"]):
        cell = f"{source}: sheet {SCHEMA!r}, cell {dtype_letter}{row}"
        if table == "project":
            if column in info:
                raise ValueError(f"{cell}: a second {column!r} of the project; delete the row, or "
                                 f"{FIX_SCHEMA}")
            info[column], cells[column] = value, cell
            continue
        if table not in tables or not isinstance(column, str) or not column:
            raise ValueError(f"{source}: sheet {SCHEMA!r}, row {row}: {table!r}, {column!r} is not a "
                             f"column of a table ({', '.join(tables)}); delete the row, or {FIX_SCHEMA}")
        where = f"{cell} (the dtype of {table}.{column})"
        if column in tables[table]:
            raise ValueError(f"{where}: {table}.{column} is recorded twice; delete one row, or {FIX_SCHEMA}")
        if not isinstance(value, str):
            raise ValueError(f"{where}: {value!r} is not a dtype record such as "
                             f'{{"dtype": "int64"}}; {FIX_SCHEMA}')
        try:
            record = json.loads(value)
        except (ValueError, RecursionError):
            raise ValueError(f"{where}: {value[:60]!r} is not readable JSON; {FIX_SCHEMA}") from None
        tables[table][column] = spec(record, where)
    if info.get("format") != FORMAT:
        raise ValueError(f"{source}: sheet {SCHEMA!r} names the format {info.get('format')!r}, not "
                         f"{FORMAT!r}; export the project again with project.to_excel(path)")
    version = info.get("version")
    where = cells.get("version", f"{source}: sheet {SCHEMA!r}")
    whole = isinstance(version, int) or (isinstance(version, float) and version.is_integer())
    if isinstance(version, bool) or not whole or not isinstance(version, (int, float)):
        raise ValueError(f"{where}: the format version is {version!r}, not a whole number; {FIX_SCHEMA}")
    if version > VERSION:
        raise ValueError(f"{where}: format version {version!r} is newer than this qdacore reads "
                         f"({VERSION}); upgrade qdacore")
    if version < 1:
        raise ValueError(f"{where}: format version {version!r} does not exist (versions run from 1 to "
                         f"{VERSION}); {FIX_SCHEMA}")
    name = info.get("name")
    return (str(name) if name is not None and name != "" else Path(source).stem), tables


def _texts(sheet: Sheet, documents: Sheet) -> list:
    """Each document's text (None without one), joined from its rows of the texts sheet."""
    _require(sheet, ["doc", "text"])
    docs = documents.columns.get("doc", [])
    pieces: dict = {}
    for k, (doc, piece) in enumerate(zip(sheet.columns["doc"], sheet.columns["text"])):
        if doc is None:
            raise ValueError(f"{sheet.where('doc', np.arange(len(sheet.rows)) == k)}: empty; every "
                             "row of a text names its document")
        pieces.setdefault(doc, []).append("" if piece is None else str(piece))
    unknown = [d for d in pieces if d not in set(docs)]
    if unknown:
        rows = np.isin(np.asarray(sheet.columns["doc"], dtype=object), unknown)
        raise ValueError(f"{sheet.where('doc', rows)}: {check.examples(unknown)} is not on the documents "
                         "sheet; delete the text's rows too, or restore the document")
    return ["".join(pieces[d]) if d in pieces else None for d in docs]


def _check_references(codings: pd.DataFrame, items: pd.DataFrame, codes: pd.DataFrame,
                      sheets: dict[str, Sheet]) -> None:
    """Codings' items and codes, and the filled-in ``doc`` of the codings sheet, as the
    other sheets have them; errors name the rows."""
    sheet = sheets["codings"]
    for column, table, key in (("item", items, "item"), ("code", codes, "code")):
        unknown = ~codings[column].isin(table[key]).to_numpy(dtype=bool)
        if unknown.any():
            sheet_name = "items" if key == "item" else "codes"
            raise ValueError(f"{sheet.where(column, unknown)}: {check.examples(codings[column][unknown].unique())} "
                             f"is not on the {sheet_name} sheet; use one of its {key}s, or add a row there")
    if "doc" in sheet.columns and "doc" not in codings.columns:
        given = sheet.columns["doc"]
        item_doc = dict(zip(items["item"], items["doc"]))
        actual = [item_doc[i] for i in codings["item"]]
        wrong = np.fromiter((g is not None and str(g) != str(a) for g, a in zip(given, actual)),
                            dtype=bool, count=len(actual))
        if wrong.any():
            k = int(np.flatnonzero(wrong)[0])
            raise ValueError(f"{sheet.where('doc', wrong)}: the coding's item {codings['item'].iat[k]!r} is in "
                             f"document {actual[k]!r}, not {given[k]!r}; a coding belongs to its item's "
                             "document: fix the item, or clear the doc cell")


def read_excel(path: Union[str, Path]) -> Project:
    """Read a project from a workbook written by :func:`write_excel`
    (:meth:`qdacore.Project.to_excel`), edits made in Excel included; see the
    module docstring for what is carried and how.

    Needs ``openpyxl`` (``pip install qdacore[excel]``).

    Parameters
    ----------
    path : str or Path

    Returns
    -------
    Project

    Raises
    ------
    FileNotFoundError
        ``path`` does not exist.
    ValueError
        Not a workbook ``to_excel`` wrote (no ``qdacore`` sheet, another
        format or a newer version); a ``qdacore`` sheet edited out of shape
        (a dtype record that is not one ``to_excel`` writes, a version that
        is not a whole number from 1 to ``VERSION``: the message names the
        cell); a missing sheet or required column; a formula or an Excel
        error value in a cell; merged cells; a cell whose value its column's
        dtype cannot hold (TRUE or FALSE in a number column, a number beyond
        the dtype's range, an escaped lone surrogate ``_xD800_``); a coding
        of an item or code that is not on its sheet, or whose ``doc`` is not
        its item's document; and every validation error of
        :class:`~qdacore.Project`. Each message names the sheet, the column
        and the rows, and says how to fix them.

    Examples
    --------
    >>> import tempfile, openpyxl, qdacore as qc
    >>> project = qc.datasets.megaregions()
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     out = project.to_excel(f"{tmp}/m.xlsx")
    ...     book = openpyxl.load_workbook(out)
    ...     book["codings"]["C2"] = "COE-1"          # the first coding's code, changed
    ...     book.save(out)
    ...     edited = qc.io.read_excel(out)
    >>> project.codings.loc[0, "code"], edited.codings.loc[0, "code"]
    ('COO-3.core-cluster', 'COE-1')
    >>> edited.codings.iloc[1:].equals(project.codings.iloc[1:])
    True
    """
    openpyxl = _openpyxl("from_excel")
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"path={str(path)!r} is not a file")
    source = path.name
    try:  # formulas as formulas (data_only=False), so that they are refused, not read as their cache
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=False)
        merged = merged_ranges(path, [*TABLES, SCHEMA])
    except Exception as err:  # zipfile.BadZipFile, KeyError, InvalidFileException, ParseError ...
        raise ValueError(f"{source}: not an .xlsx workbook openpyxl can read ({err}); "
                         "save it from Excel as .xlsx") from None
    try:
        name, records = _schema(workbook, source, merged.get(SCHEMA))
        sheets = {t: Sheet(workbook, t, source, merged.get(t)) for t in TABLES}
    except (ValueError, MemoryError):
        raise
    except Exception as err:  # a damaged sheet is parsed only now (read_only): ParseError, KeyError ...
        raise ValueError(f"{source}: a sheet cannot be read ({type(err).__name__}: {err}); "
                         "save the workbook from Excel as .xlsx again") from None
    finally:
        workbook.close()
    texts = _texts(sheets["texts"], sheets["documents"])
    tables = {t: _table(sheets[t], records[t], texts if t == "documents" else None)
              for t in TABLES if t != "texts"}
    _check_references(tables["codings"], tables["items"], tables["codes"], sheets)
    codebook = Codebook(tables["codes"], tables["groups"], tables["members"], allow_empty=True)
    project = new_project(codebook, tables["documents"], tables["items"], tables["codings"],
                          name=name, allow_empty=True)
    _check_derived(project, sheets["codings"])
    return project


def _check_derived(project: Project, sheet: Sheet) -> None:
    """Warn where a ``code_path`` or ``text`` cell of the codings sheet is not
    what the project computes: those columns are recomputed (from ``code``, and
    from the offsets and texts), so an edit made there is not kept."""
    view = codings_table(project)
    for column, source in (("code_path", "code"), ("text", "the offsets and the document text")):
        if column not in sheet.columns or column in project.codings.columns:
            continue

        def differs(given: Any, actual: Any) -> bool:
            if given is None:
                return False
            g, a = str(given), "" if pd.isna(actual) else str(actual)
            return g != a and not (g.endswith("\u2026") and a.startswith(g[:-1]))  # cut by the writer

        wrong = np.fromiter((differs(g, a) for g, a in zip(sheet.columns[column], view[column])),
                            dtype=bool, count=len(view))
        if wrong.any():
            warnings.warn(f"{sheet.where(column, wrong)}: {column} is recomputed from {source}, so the "
                          f"sheet's values there were not kept; to change a coding, edit {source}",
                          UserWarning, stacklevel=3)
