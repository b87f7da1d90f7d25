"""A Project to an ``.xlsx`` workbook (:func:`write_excel`): column values as
the cells openpyxl writes (Excel's escapes, a float's exact digits, times as
dates or ISO text, strings cut to a cell with a count), each column's dtype
record for the ``qdacore`` sheet, and the codings sheet (with the columns to
read by) and the texts sheet (texts spread over rows)."""
from __future__ import annotations

import datetime as dt
import json
import math
import re
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any, Union

import numpy as np
import pandas as pd

from ..._model import CodedProject
from ..tidy import codings_table
from ._dtypes import DTYPES, supported
from ._format import DERIVED, ESCAPE, FORMAT, SCHEMA, SURROGATE, VERSION
from ._format import openpyxl as _openpyxl

if TYPE_CHECKING:  # pragma: no cover
    from ...project import Project

_CELL = 32767  # most characters (UTF-16 units) Excel keeps in a cell
_PIECE = 4096  # characters of a text per row of the texts sheet: escaped, still under _CELL
_ROWS = 1_048_576  # rows of a sheet, header included
_EXACT = 2 ** 53  # larger integers are written as text


class _Cells:
    """Column values as the cells openpyxl writes, and what had to be cut."""

    def __init__(self) -> None:
        self.cut = 0

    def text(self, value: str, where: str, derived: bool = False) -> str:
        if SURROGATE.search(value):
            raise ValueError(f"{where}: a string holds a lone surrogate, which an .xlsx file "
                             "(UTF-8 XML) cannot carry; replace it before exporting")
        escaped = ESCAPE.sub(_escape_one, value)
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
        if len(ESCAPE.sub(_escape_one, value[:mid]).encode("utf-16-le")) // 2 < _CELL:
            low = mid
        else:
            high = mid - 1
    return ESCAPE.sub(_escape_one, value[:low]) + "…"


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
    if not supported(dtype):
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
        if name in DERIVED and name not in own:
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
    for name, df in [*sheets.items(), (SCHEMA, pd.DataFrame(schema, columns=["table", "column", "dtype"]))]:
        sheet = workbook.create_sheet(name)
        columns = [cells.column(df[c], f"{name}.{c}", derived=name == "codings" and c in derived)
                   for c in df.columns]
        if name == SCHEMA:
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
