"""Projects as Excel workbooks (``.xlsx``) that read back, edits included.

Layout of a workbook written by :meth:`qdacore.Project.to_excel`
(:func:`write_excel`)::

    codings     one row per coding: the codings table, plus three columns to read
                by that the reader recomputes: doc (the item's document),
                code_path (labels from the root, joined by " > ") and text (the
                coded span)
    documents   the documents table without the texts
    texts       the documents' texts: doc, text; a text continues on the next
                rows of its document, 4,096 characters a row
    items       the items table
    codes       the codebook's codes (code, parent, level, label, ...)
    groups      code groups (group, set, ...)
    members     group memberships (group, code)
    qdacore     hidden: the format, the project's name and every column's dtype

Codings' ``start``/``end`` are offsets within the item, as in
:attr:`qdacore.Project.codings`; ``items.start`` places the item in its
document. :func:`read_excel` (:meth:`qdacore.Project.from_excel`) reads the
workbook back with every column's dtype restored, so
``from_excel(to_excel(p)).equals(p)``, and it carries what was edited in
Excel:

* a changed cell, an added or deleted row, a deleted column: each value is
  converted to its column's dtype (a value that cannot be is an error naming
  the sheet, the column and the row);
* an added column is kept, with the types Excel gives its cells;
* cells must hold values: a formula is refused (a workbook saved by a
  script or by openpyxl stores no result for it, and one saved by Excel a
  result that may be stale), and so are Excel's error values (``#N/A``)
  and merged cells (a merged range keeps its value in its first cell
  only); TRUE or FALSE in a number column is refused, not read as 1 or 0;
* ``doc``, ``code_path`` and ``text`` of the codings sheet are recomputed,
  so they need no editing; a ``doc`` that is filled in and is not the item's
  document is an error (a coding belongs to its item's document).

What a workbook cannot tell apart or hold:

* an empty string is an empty cell: it reads back as an empty string in a
  column without missing values, else as missing (CSV cannot tell them
  apart either);
* control characters, which XML cannot carry, are written as Excel's own
  ``_xHHHH_`` escapes (Excel shows the characters; a literal ``_xHHHH_`` is
  escaped in turn), so texts and offsets survive;
* strings longer than Excel's 32,767 characters a cell are cut, with a
  warning, except the documents' texts, which the ``texts`` sheet spreads
  over rows;
* time zones: times are written in UTC and their zone restored on reading;
  times with fractions of a second, or before 1900, are written as ISO 8601
  text;
* integers beyond 2**53, which Excel's numbers cannot hold, are written as
  text and restored by their column's dtype;
* strings that begin with ``=`` are written as text, never as formulas.

The hidden ``qdacore`` sheet is checked before any table is read: a dtype
record must be one that :func:`write_excel` writes (the dtypes in ``DTYPES``;
a category's record with its ``ordered`` flag, categories' dtype and values),
and the format version a whole number from 1 to ``VERSION``; each error
names the cell and says to export the project again.

A workbook without the ``qdacore`` sheet (made by hand, or by pandas from
:func:`qdacore.io.codings_table`) is refused with a message saying so: build a
Project from its tables with :func:`pandas.read_excel` instead.
"""
from __future__ import annotations

import datetime as dt
import json
import math
import re
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Optional, Union

import numpy as np
import pandas as pd

from .. import _validate as check
from .._model import CodedProject, new_project
from ..codebook import Codebook
from .tidy import codings_table

if TYPE_CHECKING:  # pragma: no cover
    from ..project import Project

__all__ = ["read_excel", "write_excel", "FORMAT", "VERSION", "DTYPES"]

#: The format the ``qdacore`` sheet of a workbook names.
FORMAT = "qdacore-excel"
#: The newest version of that format this qdacore writes and reads.
VERSION = 1

_SCHEMA = "qdacore"
_TABLES = ("codings", "documents", "texts", "items", "codes", "groups", "members")
_REQUIRED = {"codings": ("item", "code"), "documents": ("doc",), "texts": ("doc", "text"),
             "items": ("item", "doc"), "codes": ("code",), "groups": ("group", "set"),
             "members": ("group", "code")}
_DERIVED = ("doc", "code_path", "text")  # columns of the codings sheet that are recomputed
_CELL = 32767  # most characters (UTF-16 units) Excel keeps in a cell
_PIECE = 4096  # characters of a text per row of the texts sheet: escaped, still under _CELL
_ROWS = 1_048_576  # rows of a sheet, header included
_EXACT = 2 ** 53  # larger integers are written as text
_ESCAPE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]|_(?=x[0-9A-Fa-f]{4}_)")
_UNESCAPE = re.compile("_x([0-9A-Fa-f]{4})_")
_SURROGATE = re.compile("[\ud800-\udfff]")


def _openpyxl(what: str) -> Any:
    try:
        import openpyxl
    except ImportError:  # pragma: no cover - depends on the environment
        raise ImportError(f"{what} needs openpyxl: pip install 'qdacore[excel]'") from None
    return openpyxl


# -- writing ------------------------------------------------------------------------------
class _Cells:
    """Column values as the cells openpyxl writes, and what had to be cut."""

    def __init__(self) -> None:
        self.cut = 0

    def text(self, value: str, where: str, derived: bool = False) -> str:
        if _SURROGATE.search(value):
            raise ValueError(f"{where}: a string holds a lone surrogate, which an .xlsx file "
                             "(UTF-8 XML) cannot carry; replace it before exporting")
        escaped = _ESCAPE.sub(_escape_one, value)
        if len(escaped) > _CELL // 2 and len(escaped.encode("utf-16-le")) // 2 > _CELL:
            if not derived:
                self.cut += 1
            escaped = _cut(value)
        return escaped

    def column(self, series: pd.Series, where: str, derived: bool = False) -> list:
        dtype = series.dtype
        if isinstance(dtype, pd.CategoricalDtype):
            series = pd.Series(np.asarray(series.astype(object)), dtype=object)
            dtype = series.dtype
        if pd.api.types.is_datetime64_any_dtype(dtype):
            return _times(series)
        if pd.api.types.is_bool_dtype(dtype) and not pd.api.types.is_extension_array_dtype(dtype):
            return series.to_numpy(dtype=bool).tolist()
        if pd.api.types.is_integer_dtype(dtype) and not pd.api.types.is_extension_array_dtype(dtype):
            return [v if -_EXACT < v < _EXACT else str(v) for v in series.to_numpy().tolist()]
        if pd.api.types.is_float_dtype(dtype) and not pd.api.types.is_extension_array_dtype(dtype):
            return [_number(v) for v in series.to_numpy(dtype=float).tolist()]
        return [self.value(v, where, derived) for v in series.astype(object).tolist()]

    def value(self, v: Any, where: str, derived: bool) -> Any:
        if v is None or v is pd.NaT or (isinstance(v, float) and math.isnan(v)) or v is pd.NA:
            return None
        if isinstance(v, str):
            return self.text(v, where, derived)
        if isinstance(v, (bool, np.bool_)):
            return bool(v)
        if isinstance(v, (int, np.integer)):
            return int(v) if -_EXACT < int(v) < _EXACT else str(int(v))
        if isinstance(v, (float, np.floating)):
            return _number(float(v))
        if isinstance(v, (dt.datetime, np.datetime64)):
            return _times(pd.Series([pd.Timestamp(v)]))[0]
        return self.text(str(v), where, derived)


def _escape_one(match: re.Match) -> str:
    char = match.group()
    return "_x005F_" if char == "_" else f"_x{ord(char):04X}_"


def _cut(value: str) -> str:
    """The longest prefix of ``value`` whose escaped form, with an ellipsis, fits a cell."""
    low, high = 0, len(value)
    while low < high:
        mid = (low + high + 1) // 2
        if len(_ESCAPE.sub(_escape_one, value[:mid]).encode("utf-16-le")) // 2 < _CELL:
            low = mid
        else:
            high = mid - 1
    return _ESCAPE.sub(_escape_one, value[:low]) + "…"


class _Float(str):
    """A float's shortest exact digits (openpyxl would write 16 significant
    digits, which do not always read back as the same float)."""


def _number(v: float) -> Any:
    if math.isnan(v):
        return None
    if math.isinf(v):
        return "inf" if v > 0 else "-inf"
    return _Float(repr(v))


def _times(series: pd.Series) -> list:
    """Times as Excel dates where that is exact (whole seconds from 1900 on), else as
    ISO 8601 text; aware times in UTC."""
    s = pd.Series(series)
    if isinstance(s.dtype, pd.DatetimeTZDtype):
        s = s.dt.tz_convert("UTC").dt.tz_localize(None)
    s = pd.to_datetime(s)
    known = s.notna()
    values = s[known]
    whole = bool(((values.dt.microsecond == 0) & (values.dt.nanosecond == 0)
                  & (values >= pd.Timestamp("1900-01-01"))).all())
    out: list = [None] * len(s)
    for k, v in zip(np.flatnonzero(known.to_numpy()), values):
        out[k] = v.to_pydatetime() if whole else v.isoformat()
    return out


def _record(series: pd.Series, where: str) -> dict:
    """A column's dtype as the ``qdacore`` sheet records it."""
    dtype = series.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        categories = pd.Series(dtype.categories)
        values = _Cells().column(categories, where)
        as_category = {"dtype": "category", "ordered": bool(dtype.ordered),
                  "categories": _record(categories, where), "values": values}
        if len(json.dumps(as_category, ensure_ascii=False, default=str)) < _CELL:
            return json.loads(json.dumps(as_category, ensure_ascii=False, default=str))
        warnings.warn(f"{where}: the categories of this categorical column do not fit a cell of the "
                      "qdacore sheet; it is written, and reads back, as its categories' dtype",
                      UserWarning, stacklevel=4)
        return _record(categories, where)
    if not _supported(dtype):
        raise ValueError(f"{where}: dtype {dtype} cannot be written to a workbook and read back (these "
                         f"can: {DTYPES}); convert the column first, e.g. with .astype(str)")
    record: dict = {"dtype": str(dtype)}
    if pd.api.types.is_string_dtype(dtype) and len(series) and not series.isna().any() \
            and bool((series.astype(object) == "").any()):
        record["empty"] = ""  # no value is missing: an empty cell is an empty string
    return record


def _codings_sheet(project: Project) -> tuple[pd.DataFrame, list[str]]:
    """The codings table with the columns to read by; and which columns those are."""
    codings = project.codings
    view = codings_table(project)
    own = list(codings.columns)
    first = [c for c in ("item", "code", "coder", "start", "end") if c in own]
    order: list = []
    derived = []
    for name in ["doc", *first[:2], "code_path", *first[2:], "text"]:
        if name in _DERIVED and name not in own:
            order.append(view[name].rename(name))
            derived.append(name)
        elif name in own:
            order.append(codings[name])
    order += [codings[c] for c in own if c not in first]
    return pd.concat(order, axis=1), derived


def _texts_sheet(documents: pd.DataFrame) -> pd.DataFrame:
    """The documents' texts, one row per piece of at most ``_PIECE`` characters."""
    docs: list = []
    pieces: list = []
    if "text" in documents.columns:
        for doc, text in zip(documents["doc"], documents["text"]):
            if not isinstance(text, str):
                continue
            parts = [text[k:k + _PIECE] for k in range(0, len(text), _PIECE)] or [""]
            docs += [doc] * len(parts)
            pieces += parts
    return pd.DataFrame({"doc": pd.Series(docs, dtype=object), "text": pd.Series(pieces, dtype=object)})


def write_excel(project: Project, path: Union[str, Path]) -> Path:
    """Write ``project`` to an ``.xlsx`` workbook that :func:`read_excel` reads
    back; the layout and what a workbook cannot hold are in the module
    docstring.

    Needs ``openpyxl`` (``pip install qdacore[excel]``).

    Parameters
    ----------
    project : Project
    path : str or Path
        The workbook to write (overwritten).

    Returns
    -------
    Path

    Raises
    ------
    TypeError
        A column name that is not a string.
    ValueError
        A table longer than a sheet (1,048,575 rows), a string with a
        lone surrogate, or a column of a dtype a workbook does not carry
        back (complex, period, interval, sparse ...: see ``DTYPES``).

    Warns
    -----
    UserWarning
        Strings longer than Excel's cell limit were cut.

    Examples
    --------
    >>> import tempfile, pandas as pd, qdacore as qc
    >>> project = qc.datasets.megaregions()
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     out = qc.io.write_excel(project, f"{tmp}/m.xlsx")
    ...     sheets = pd.read_excel(out, sheet_name=None)
    ...     back = qc.io.read_excel(out)
    >>> list(sheets)
    ['codings', 'documents', 'texts', 'items', 'codes', 'groups', 'members', 'qdacore']
    >>> sheets["codings"].columns.tolist()
    ['doc', 'item', 'code', 'code_path', 'coder', 'text', 'synthetic']
    >>> back.equals(project)
    True
    """
    openpyxl = _openpyxl("to_excel")
    from openpyxl.cell import WriteOnlyCell

    if not isinstance(project, CodedProject):
        raise TypeError(f"project must be a qdacore.Project, got {type(project).__name__}")
    path = Path(path)
    cb = project.codebook
    documents = project.documents
    codings, derived = _codings_sheet(project)
    sheets = {
        "codings": codings,
        "documents": documents.drop(columns=[c for c in ("text",) if c in documents.columns]),
        "texts": _texts_sheet(documents),
        "items": project.items,
        "codes": cb.codes,
        "groups": cb.groups,
        "members": cb.members,
    }
    own = {"codings": project.codings, "documents": documents, "items": project.items,
           "codes": cb.codes, "groups": cb.groups, "members": cb.members}
    schema: list = [("project", "format", FORMAT), ("project", "version", VERSION),
                    ("project", "name", project.name)]
    for table, df in own.items():
        bad = [c for c in df.columns if not isinstance(c, str)]
        if bad:
            raise TypeError(f"{table}: an Excel export needs string column names, got {bad[:5]!r}")
        if len(df) >= _ROWS:
            raise ValueError(f"{table} has {len(df):,} rows; an Excel sheet holds {_ROWS - 1:,} "
                             "below its header: write the project with project.to_csv(folder)")
        schema += [(table, c, json.dumps(_record(df[c], f"{table}.{c}"), ensure_ascii=False))
                   for c in df.columns]
    if len(sheets["texts"]) >= _ROWS:
        raise ValueError(f"the documents' texts need {len(sheets['texts']):,} rows of the texts sheet; "
                         f"an Excel sheet holds {_ROWS - 1:,}: write the project with project.to_csv(folder)")

    cells = _Cells()
    workbook = openpyxl.Workbook(write_only=True)
    for name, df in [*sheets.items(), (_SCHEMA, pd.DataFrame(schema, columns=["table", "column", "dtype"]))]:
        sheet = workbook.create_sheet(name)
        columns = [cells.column(df[c], f"{name}.{c}", derived=name == "codings" and c in derived)
                   for c in df.columns]
        if name == _SCHEMA:
            sheet.sheet_state = "hidden"
        else:
            sheet.freeze_panes = "A2"
        sheet.append([_string_cell(sheet, WriteOnlyCell, cells.text(str(c), f"{name} header"))
                      for c in df.columns])
        for row in zip(*columns):
            sheet.append([_float_cell(sheet, WriteOnlyCell, v) if isinstance(v, _Float) else
                          _string_cell(sheet, WriteOnlyCell, v) if isinstance(v, str) else v for v in row])
    workbook.save(path)
    if cells.cut:
        warnings.warn(f"{cells.cut} cell(s) held more than Excel's {_CELL:,} characters and were cut; "
                      "they read back cut", UserWarning, stacklevel=2)
    return path


def _float_cell(sheet: Any, cell_class: Any, value: _Float) -> Any:
    """A number cell holding a float's exact digits."""
    cell = cell_class(sheet, value=str(value))
    cell.data_type = "n"
    return cell


def _string_cell(sheet: Any, cell_class: Any, value: str) -> Any:
    """A text cell (a string that begins with '=' stays text, not a formula)."""
    cell = cell_class(sheet, value=value)
    cell.data_type = "s"
    return cell


# -- reading ------------------------------------------------------------------------------
_MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
_MERGE = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?mergeCell\b[^>]*?\bref\s*=\s*[\"']([^\"']*)[\"']")
_FIX_SCHEMA = "export the project again with project.to_excel(path) (or restore the cell from that export)"


def _part(base: str, target: str) -> str:
    """A relationship's target as a zip member name."""
    if target.startswith("/"):
        return target.lstrip("/")
    parts: list[str] = [p for p in base.split("/")[:-1] if p]
    for piece in target.split("/"):
        if piece == "..":
            if parts:
                parts.pop()
        elif piece not in ("", "."):
            parts.append(piece)
    return "/".join(parts)


def _merged_ranges(path: Path, names: Sequence[str]) -> dict[str, list[str]]:
    """The merged ranges (``"E2:E4"``) of the sheets ``names``, read from the
    workbook's XML (openpyxl's read-only mode does not report them)."""
    import zipfile
    from xml.etree import ElementTree

    out: dict[str, list[str]] = {}
    with zipfile.ZipFile(path) as archive:
        members = set(archive.namelist())
        workbook_part = "xl/workbook.xml"
        if "_rels/.rels" in members:
            for rel in ElementTree.fromstring(archive.read("_rels/.rels")):
                if rel.get("Type", "").endswith("/officeDocument") and rel.get("Target"):
                    workbook_part = _part("", rel.get("Target", ""))
        folder, _, file = workbook_part.rpartition("/")
        rels_part = f"{folder}/_rels/{file}.rels" if folder else f"_rels/{file}.rels"
        if workbook_part not in members or rels_part not in members:
            return out
        targets = {rel.get("Id"): rel.get("Target", "")
                   for rel in ElementTree.fromstring(archive.read(rels_part))
                   if rel.tag == f"{{{_PKG_REL_NS}}}Relationship"}
        for sheet in ElementTree.fromstring(archive.read(workbook_part)).iter(f"{{{_MAIN_NS}}}sheet"):
            name = sheet.get("name")
            target = targets.get(sheet.get(f"{{{_REL_NS}}}id"))
            if name is None or name not in names or not target:
                continue
            member = _part(workbook_part, target)
            if member not in members:
                continue
            found: list[str] = []
            tail = b""
            with archive.open(member) as stream:
                while True:
                    chunk = stream.read(1 << 20)
                    if not chunk:
                        break
                    block = tail + chunk
                    last = 0
                    for match in _MERGE.finditer(block):
                        found.append(match.group(1).decode("ascii", "replace"))
                        last = match.end()
                    tail = block[max(last, len(block) - 512):]
            out[name] = found
    return out


def _letter(k: int) -> str:
    letters = ""
    k += 1
    while k:
        k, r = divmod(k - 1, 26)
        letters = chr(65 + r) + letters
    return letters


class _Sheet:
    """One sheet read as columns of cell values, with the Excel row of every row.
    A formula, an Excel error value or an escaped lone surrogate in a cell is
    an error naming it."""

    def __init__(self, workbook: Any, name: str, source: str, merged: Optional[list] = None) -> None:
        if name not in workbook.sheetnames:
            raise ValueError(f"{source}: the workbook has no sheet {name!r}; a workbook written by "
                             f"Project.to_excel has the sheets {', '.join(_TABLES)} and {_SCHEMA!r}: "
                             f"restore the sheet from the export (an empty sheet keeps its header row)")
        self.name = name
        self.source = source
        rows = workbook[name].iter_rows()
        header_cells = list(next(rows, ()))
        while header_cells and header_cells[-1].value is None:
            header_cells.pop()
        header = []
        for k, cell in enumerate(header_cells):
            h = self._value(cell, k, 1, None)
            if not isinstance(h, str) or not h:
                raise ValueError(f"{source}: sheet {name!r}, column {_letter(k)}: the header cell is "
                                 f"{h!r}; every column needs a name in row 1 (or delete the column)")
            header.append(h)
        dup = pd.Index(header)[pd.Index(header).duplicated()]
        if len(dup):
            raise ValueError(f"{source}: sheet {name!r} has the column(s) {check.examples(dup)} twice; "
                             "rename or delete one")
        self.header = header
        if merged:
            self._merged(merged)
        columns: list[list] = [[] for _ in header]
        excel_rows = []
        for number, row in enumerate(rows, start=2):
            if all(c.value is None for c in row):
                continue
            extra = [k for k in range(len(header), len(row)) if row[k].value is not None]
            if extra:
                raise ValueError(f"{source}: sheet {name!r}, cell {_letter(extra[0])}{number} holds a value "
                                 "in a column without a header; name the column in row 1 or clear it")
            for k, column in enumerate(columns):
                column.append(self._value(row[k], k, number, header[k]) if k < len(row) else None)
            excel_rows.append(number)
        self.columns = dict(zip(header, columns))
        self.rows = np.asarray(excel_rows, dtype=np.int64)

    def _cell(self, k: int, number: int, column: Optional[str]) -> str:
        named = f", column {column!r}" if column is not None else ""
        return f"{self.source}: sheet {self.name!r}{named}, row {number} (cell {_letter(k)}{number})"

    def _value(self, cell: Any, k: int, number: int, column: Optional[str]) -> Any:
        kind = getattr(cell, "data_type", None)
        value = cell.value
        if kind == "f":
            formula = value if isinstance(value, str) else getattr(value, "text", None) or "a formula"
            raise ValueError(f"{self._cell(k, number, column)} holds the formula {str(formula)[:60]!r}; a "
                             "workbook of to_excel holds values only (a formula's result may not even be "
                             "stored in the file): replace the formula by its value (copy, then paste "
                             "values) or type the value")
        if kind == "e":
            raise ValueError(f"{self._cell(k, number, column)} holds the Excel error {value!r}; enter a "
                             "value, or clear the cell")
        if isinstance(value, str) and "_x" in value:
            value = _UNESCAPE.sub(lambda m: chr(int(m.group(1), 16)), value)
            if _SURROGATE.search(value):
                try:  # escaped surrogate pairs make one character
                    value = value.encode("utf-16-le", "surrogatepass").decode("utf-16-le")
                except UnicodeDecodeError:
                    bad = _SURROGATE.search(value)
                    code = ord(bad.group()) if bad else 0
                    raise ValueError(f"{self._cell(k, number, column)} holds _x{code:04X}_, the escape of a "
                                     "lone surrogate, which is not a character (no text can be written "
                                     "with it); delete it or enter the character meant") from None
        return value

    def _merged(self, ranges: list) -> None:
        from openpyxl.utils.cell import range_boundaries

        for ref in ranges:
            try:
                first_col, first_row, last_col, last_row = range_boundaries(ref)
            except (ValueError, TypeError):
                first_col = first_row = last_col = last_row = None
            if first_col is not None and first_col - 1 < len(self.header):
                where = f"column {self.header[first_col - 1]!r}" + (
                    f" to {self.header[min(last_col, len(self.header)) - 1]!r}" if last_col != first_col else "")
                where += f", rows {first_row} to {last_row}" if last_row != first_row else f", row {first_row}"
            else:
                where = "cells"
            raise ValueError(f"{self.source}: sheet {self.name!r}, {where}: the cells {ref} are merged; a "
                             "merged range keeps its value in its first cell only, so the other cells "
                             "would read as empty: unmerge them and fill every cell")

    def where(self, column: str, mask: Any = None) -> str:
        rows = self.rows if mask is None else self.rows[np.asarray(mask, dtype=bool)]
        return (f"{self.source}: sheet {self.name!r}, column {column!r}"
                + (f", row(s) {check.examples(rows.tolist())}" if mask is not None else ""))


def _missing(values: Sequence) -> np.ndarray:
    return np.fromiter((v is None or (isinstance(v, float) and math.isnan(v)) for v in values),
                       dtype=bool, count=len(values))


# -- the dtypes of the qdacore sheet ------------------------------------------------------
_EXTENSION = (pd.BooleanDtype, pd.Int8Dtype, pd.Int16Dtype, pd.Int32Dtype, pd.Int64Dtype, pd.UInt8Dtype,
              pd.UInt16Dtype, pd.UInt32Dtype, pd.UInt64Dtype, pd.Float32Dtype, pd.Float64Dtype,
              pd.StringDtype, pd.DatetimeTZDtype)
#: The dtypes a workbook carries, in words (for messages).
DTYPES = ("bool, int8 to int64, uint8 to uint64, float16 to float64, object, datetime64 and timedelta64 "
          "(s, ms, us, ns), and pandas' boolean, Int8 to Int64, UInt8 to UInt64, Float32, Float64, "
          "string, str, datetime64 with a time zone and category")


def _supported(dtype: Any) -> bool:
    """A dtype whose values an Excel workbook carries and reads back."""
    if isinstance(dtype, np.dtype):
        if dtype.kind in "Mm":
            return np.datetime_data(dtype)[0] in ("s", "ms", "us", "ns")
        return dtype.kind in "biufO"
    return isinstance(dtype, _EXTENSION)


class _Spec:
    """A column's dtype as the qdacore sheet records it, checked."""

    def __init__(self, dtype: Any, empty: Optional[str] = None, inner: Optional[_Spec] = None) -> None:
        self.dtype = dtype  # a pandas dtype; a CategoricalDtype with ``inner`` its categories' spec
        self.empty = empty
        self.inner = inner


def _spec(record: Any, where: str, nested: bool = False) -> _Spec:
    """The checked dtype of a record of the qdacore sheet (``where`` names its cell)."""
    if not isinstance(record, dict):
        raise ValueError(f"{where}: {json.dumps(record)[:80]} is not a dtype record such as "
                         f'{{"dtype": "int64"}}; {_FIX_SCHEMA}')
    unknown = sorted(set(record) - {"dtype", "ordered", "categories", "values", "empty"})
    if unknown:
        raise ValueError(f"{where}: the record has the unknown key(s) {check.examples(unknown)}; {_FIX_SCHEMA}")
    name = record.get("dtype")
    if not isinstance(name, str):
        raise ValueError(f"{where}: the record names no dtype (\"dtype\": {json.dumps(name)}); {_FIX_SCHEMA}")
    if name == "category":
        if nested:
            raise ValueError(f"{where}: the categories of a category are a category; {_FIX_SCHEMA}")
        if "empty" in record or not isinstance(record.get("ordered"), bool) \
                or not isinstance(record.get("values"), list) or "categories" not in record:
            raise ValueError(f"{where}: a category record needs \"ordered\" (true or false), \"categories\" "
                             f"(their dtype) and \"values\" (a list); {_FIX_SCHEMA}")
        inner = _spec(record["categories"], where, nested=True)
        values = list(record["values"])
        categories = _restore(values, inner, lambda mask=None: f"{where}: category value(s)"
                              + (f" {check.examples(np.asarray(values, dtype=object)[mask].tolist())}"
                                 if mask is not None else ""))
        try:
            categorical = pd.CategoricalDtype(categories.tolist(), ordered=record["ordered"])
        except (ValueError, TypeError) as err:
            raise ValueError(f"{where}: the categories cannot be used ({err}); {_FIX_SCHEMA}") from None
        return _Spec(categorical, inner=inner)
    if set(record) - {"dtype", "empty"}:
        raise ValueError(f"{where}: \"ordered\", \"categories\" and \"values\" belong to a category record, "
                         f"not to dtype {name!r}; {_FIX_SCHEMA}")
    dtype: Any
    try:
        dtype = pd.api.types.pandas_dtype(name)
    except (TypeError, ValueError, ImportError):
        dtype = None
    if dtype is None or not _supported(dtype):
        raise ValueError(f"{where}: dtype {name!r} is not one that to_excel writes ({DTYPES}); {_FIX_SCHEMA}")
    empty = record.get("empty")
    if "empty" in record and (empty != "" or not pd.api.types.is_string_dtype(dtype)):
        raise ValueError(f"{where}: \"empty\" is {json.dumps(empty)[:40]}; to_excel writes \"empty\": \"\" "
                         f"for text columns only; {_FIX_SCHEMA}")
    return _Spec(dtype, empty="" if "empty" in record else None)


def _restore(values: list, spec: _Spec, where: Callable[..., str]) -> pd.Series:
    """Cell values converted to the dtype of ``spec``; errors name the cells
    (``where(mask)``)."""
    dtype = spec.dtype
    missing = _missing(values)
    if spec.empty is not None and missing.any():
        values = [spec.empty if m else v for v, m in zip(values, missing)]
        missing = np.zeros(len(values), dtype=bool)
    if isinstance(dtype, pd.CategoricalDtype):
        assert spec.inner is not None
        inner = _restore(values, spec.inner, where)
        unknown = ~inner.isin(dtype.categories).to_numpy(dtype=bool) & ~missing
        if unknown.any():
            raise ValueError(f"{where(unknown)}: {check.examples(inner[unknown].unique())} "
                             f"is not one of the column's categories {check.examples(dtype.categories)}; "
                             "enter one of them")
        return pd.Series(pd.Categorical(inner, dtype=dtype))
    if isinstance(dtype, np.dtype) and dtype.kind == "O":
        return pd.Series(values, dtype=object).where(~missing, None)
    if pd.api.types.is_bool_dtype(dtype):
        flags = pd.Series([None if m else _flag(v) for v, m in zip(values, missing)], dtype=object)
        bad = flags.isna().to_numpy() & ~missing
        if bad.any():
            raise ValueError(f"{where(bad)}: not TRUE or FALSE; enter TRUE or FALSE")
        if not pd.api.types.is_extension_array_dtype(dtype):
            if missing.any():
                raise ValueError(f"{where(missing)}: empty, and the column holds "
                                 "TRUE or FALSE in every row; fill the cell(s)")
            return flags.astype(bool)
        return flags.astype(dtype)
    if pd.api.types.is_numeric_dtype(dtype):
        return _numbers(values, missing, dtype, where)
    if pd.api.types.is_datetime64_any_dtype(dtype):
        texts = pd.Series([None if m else v.isoformat() if isinstance(v, (dt.datetime, dt.date))
                           else str(v) for v, m in zip(values, missing)], dtype=object)
        times = pd.to_datetime(texts, format="ISO8601", errors="coerce")
        bad = times.isna().to_numpy() & ~missing
        if bad.any():
            raise ValueError(f"{where(bad)}: not a date and time; enter one "
                             "(as yyyy-mm-dd hh:mm:ss)")
        try:
            if isinstance(dtype, pd.DatetimeTZDtype):
                return times.dt.tz_localize("UTC").dt.tz_convert(dtype.tz).astype(dtype)
            return times.astype(dtype)
        except (ValueError, OverflowError) as err:  # out of the unit's range
            raise ValueError(f"{where()}: a date and time out of the column's range ({err}); enter "
                             "another") from None
    if pd.api.types.is_timedelta64_dtype(dtype):
        spans = pd.to_timedelta(pd.Series([None if m else str(v) for v, m in zip(values, missing)],
                                          dtype=object), errors="coerce")
        bad = spans.isna().to_numpy() & ~missing
        if bad.any():
            raise ValueError(f"{where(bad)}: not a time span; enter one (as 1 days 02:03:04)")
        return spans.astype(dtype)
    as_text = pd.Series([None if m else v if isinstance(v, str) else _as_text(v)
                         for v, m in zip(values, missing)], dtype=object)
    return as_text.astype(dtype)


def _numbers(values: list, missing: np.ndarray, dtype: Any, where: Callable[..., str]) -> pd.Series:
    """Cells as numbers of ``dtype``: TRUE/FALSE, text that is no number, a
    fraction in a whole-number column or a number out of the dtype's range
    are errors naming the cells."""
    flags = np.fromiter((isinstance(v, (bool, np.bool_)) for v in values), dtype=bool, count=len(values))
    if flags.any():
        raise ValueError(f"{where(flags)}: TRUE or FALSE, not a number; enter a number")
    numbers = pd.to_numeric(pd.Series([None if m else v for v, m in zip(values, missing)], dtype=object),
                            errors="coerce")
    bad = numbers.isna().to_numpy() & ~missing
    if bad.any():
        raise ValueError(f"{where(bad)}: not a number; enter a number")
    if pd.api.types.is_integer_dtype(dtype):
        known = ~missing
        whole = numbers[known].astype(float).map(float.is_integer).to_numpy(dtype=bool)
        if not whole.all():
            bad = known.copy()
            bad[known] = ~whole
            raise ValueError(f"{where(bad)}: not a whole number; enter a whole number")
        if missing.any() and not pd.api.types.is_extension_array_dtype(dtype):
            raise ValueError(f"{where(missing)}: empty, and the column holds a whole "
                             "number in every row; fill the cell(s)")
        ints = [None if m else _whole(v) for v, m in zip(values, missing)]
        limits = np.iinfo(getattr(dtype, "numpy_dtype", dtype))
        out = np.fromiter((i is not None and not limits.min <= i <= limits.max for i in ints), dtype=bool,
                          count=len(ints))
        if out.any():
            raise ValueError(f"{where(out)}: out of the column's range ({dtype}: {limits.min:,} to "
                             f"{limits.max:,}); enter a number in it")
        return pd.Series(ints, dtype=object).astype(dtype)
    with np.errstate(over="ignore"):
        result = numbers.astype(dtype)
    overflow = np.isinf(result.to_numpy(dtype=float, na_value=np.nan)) & np.isfinite(
        numbers.to_numpy(dtype=float, na_value=np.nan))
    if overflow.any():
        raise ValueError(f"{where(overflow)}: out of the column's range ({dtype}); enter a smaller number")
    return result


def _whole(v: Any) -> int:
    """A whole number from a cell: exact for integers written as text (beyond 2**53)."""
    if isinstance(v, str) and v.strip().lstrip("+-").isdigit():
        return int(v)
    return int(v) if isinstance(v, int) else int(float(v))


def _flag(v: Any) -> Optional[bool]:
    if isinstance(v, bool):
        return v
    if isinstance(v, str) and v.strip().lower() in ("true", "false"):
        return v.strip().lower() == "true"
    if isinstance(v, (int, float)) and v in (0, 1):
        return bool(v)
    return None


def _as_text(v: Any) -> str:
    """A number typed into a text column, as it reads (3, not 3.0)."""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def _inferred(values: list) -> pd.Series:
    """A column the ``qdacore`` sheet does not list: the types Excel gave its cells."""
    missing = _missing(values)
    return pd.Series(values, dtype=object).where(~missing, None).infer_objects()


def _table(sheet: _Sheet, specs: dict[str, _Spec], extra_text: Optional[list] = None) -> pd.DataFrame:
    """A table from its sheet: the recorded columns in their order (restored),
    then columns added in Excel."""
    for column in _REQUIRED[sheet.name]:
        if column not in sheet.columns and not (column == "text" and extra_text is not None):
            raise ValueError(f"{sheet.source}: sheet {sheet.name!r} has no column {column!r} (row 1); "
                             f"the {sheet.name} table needs it: restore the column from the export")
    out: dict = {}
    for column, spec in specs.items():
        if column == "text" and extra_text is not None:
            out[column] = _restore(extra_text, spec, lambda mask=None: sheet.where("text", mask)
                                   + " (the text, on the texts sheet)")
        elif column in sheet.columns:
            out[column] = _restore(sheet.columns[column], spec,
                                   lambda mask=None, column=column: sheet.where(column, mask))
    if extra_text is not None and "text" not in specs and any(t is not None for t in extra_text):
        out["text"] = pd.Series(extra_text, dtype=object)  # texts added in Excel
    for column, values in sheet.columns.items():
        if column not in specs and column not in out and not (sheet.name == "codings" and column in _DERIVED):
            out[column] = _inferred(values)
    n = len(sheet.rows)
    return pd.DataFrame({k: v.reset_index(drop=True) for k, v in out.items()}, index=pd.RangeIndex(n))


def _schema(workbook: Any, source: str, merged: Optional[list] = None,
            ) -> tuple[str, dict[str, dict[str, _Spec]]]:
    """The project's name and every column's checked dtype, from the qdacore
    sheet; errors name its cells."""
    if _SCHEMA not in workbook.sheetnames:
        raise ValueError(
            f"{source}: the workbook has no sheet {_SCHEMA!r}, so it was not written by "
            "Project.to_excel (that sheet records the format and every column's type). Export the "
            "project with project.to_excel(path), or build a qdacore.Project from your own sheets "
            "read with pandas.read_excel")
    sheet = _Sheet(workbook, _SCHEMA, source, merged)
    for column in ("table", "column", "dtype"):
        if column not in sheet.columns:
            raise ValueError(f"{source}: sheet {_SCHEMA!r} has no column {column!r}; the sheet is "
                             f"damaged: {_FIX_SCHEMA}")
    letter = _letter(sheet.header.index("dtype"))
    info: dict = {}
    cells: dict = {}
    tables: dict[str, dict[str, _Spec]] = {t: {} for t in _TABLES if t != "texts"}
    rows = sheet.rows.tolist()
    for row, table, column, value in zip(rows, sheet.columns["table"], sheet.columns["column"],
                                         sheet.columns["dtype"]):
        cell = f"{source}: sheet {_SCHEMA!r}, cell {letter}{row}"
        if table == "project":
            if column in info:
                raise ValueError(f"{cell}: a second {column!r} of the project; delete the row, or "
                                 f"{_FIX_SCHEMA}")
            info[column], cells[column] = value, cell
            continue
        if table not in tables or not isinstance(column, str) or not column:
            raise ValueError(f"{source}: sheet {_SCHEMA!r}, row {row}: {table!r}, {column!r} is not a "
                             f"column of a table ({', '.join(tables)}); delete the row, or {_FIX_SCHEMA}")
        where = f"{cell} (the dtype of {table}.{column})"
        if column in tables[table]:
            raise ValueError(f"{where}: {table}.{column} is recorded twice; delete one row, or {_FIX_SCHEMA}")
        if not isinstance(value, str):
            raise ValueError(f"{where}: {value!r} is not a dtype record such as "
                             f'{{"dtype": "int64"}}; {_FIX_SCHEMA}')
        try:
            record = json.loads(value)
        except (ValueError, RecursionError):
            raise ValueError(f"{where}: {value[:60]!r} is not readable JSON; {_FIX_SCHEMA}") from None
        tables[table][column] = _spec(record, where)
    if info.get("format") != FORMAT:
        raise ValueError(f"{source}: sheet {_SCHEMA!r} names the format {info.get('format')!r}, not "
                         f"{FORMAT!r}; export the project again with project.to_excel(path)")
    version = info.get("version")
    where = cells.get("version", f"{source}: sheet {_SCHEMA!r}")
    whole = isinstance(version, int) or (isinstance(version, float) and version.is_integer())
    if isinstance(version, bool) or not whole or not isinstance(version, (int, float)):
        raise ValueError(f"{where}: the format version is {version!r}, not a whole number; {_FIX_SCHEMA}")
    if version > VERSION:
        raise ValueError(f"{where}: format version {version!r} is newer than this qdacore reads "
                         f"({VERSION}); upgrade qdacore")
    if version < 1:
        raise ValueError(f"{where}: format version {version!r} does not exist (versions run from 1 to "
                         f"{VERSION}); {_FIX_SCHEMA}")
    name = info.get("name")
    return (str(name) if name is not None and name != "" else Path(source).stem), tables


def _texts(sheet: _Sheet, documents: _Sheet) -> list:
    """Each document's text (None without one), joined from its rows of the texts sheet."""
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
                      sheets: dict[str, _Sheet]) -> None:
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
        merged = _merged_ranges(path, [*_TABLES, _SCHEMA])
    except Exception as err:  # zipfile.BadZipFile, KeyError, InvalidFileException, ParseError ...
        raise ValueError(f"{source}: not an .xlsx workbook openpyxl can read ({err}); "
                         "save it from Excel as .xlsx") from None
    try:
        name, records = _schema(workbook, source, merged.get(_SCHEMA))
        sheets = {t: _Sheet(workbook, t, source, merged.get(t)) for t in _TABLES}
    finally:
        workbook.close()
    texts = _texts(sheets["texts"], sheets["documents"])
    tables = {t: _table(sheets[t], records[t], texts if t == "documents" else None)
              for t in _TABLES if t != "texts"}
    _check_references(tables["codings"], tables["items"], tables["codes"], sheets)
    codebook = Codebook(tables["codes"], tables["groups"], tables["members"], allow_empty=True)
    project = new_project(codebook, tables["documents"], tables["items"], tables["codings"],
                          name=name, allow_empty=True)
    _check_derived(project, sheets["codings"])
    return project


def _check_derived(project: Project, sheet: _Sheet) -> None:
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
