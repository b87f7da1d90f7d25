"""The table format of qdacore's CSV folders (:mod:`qdacore.io.csv`), shared
with the ``qdacore/`` folder of a REFI-QDA archive (:mod:`qdacore.io.qdpx`):
each table as CSV text, every column's dtype in a ``project.json`` schema, and
back."""
from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Optional

import numpy as np
import pandas as pd

from .._model import new_project
from ..codebook import Codebook

if TYPE_CHECKING:  # pragma: no cover
    from ..project import Project

#: The ``format`` that ``project.json`` names.
FORMAT = "qdacore-csv"
#: The newest ``version`` of that format this qdacore writes and reads.
VERSION = 1
TABLES = ("codes", "groups", "members", "documents", "items", "codings")
OPTIONAL = ("groups", "members")


def tables(project: Project) -> dict[str, pd.DataFrame]:
    cb = project.codebook
    return {"codes": cb.codes, "groups": cb.groups, "members": cb.members,
            "documents": project.documents, "items": project.items,
            "codings": project.codings}


def _dtype_record(series: pd.Series) -> dict[str, Any]:
    dtype = series.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        return {"dtype": "category", "ordered": bool(dtype.ordered),
                "categories": _dtype_record(pd.Series(dtype.categories)),
                "category_values": dtype.categories.astype(str).tolist()}
    record: dict[str, Any] = {"dtype": str(dtype)}
    if (pd.api.types.is_object_dtype(dtype) or pd.api.types.is_string_dtype(dtype)) and len(series) \
            and not series.isna().any() and bool((series.astype(object) == "").any()):
        record["empty"] = ""  # nothing is missing: an empty field is an empty string
    return record


def encode_tables(project: Project, *, without: tuple = ()) -> tuple[dict[str, Any], dict[str, str]]:
    """The ``project.json`` schema and the CSV text of every table; ``without``
    names ``(table, column)`` pairs left out of the CSV but kept in the schema
    (a REFI-QDA archive carries the document texts as sources of their own)."""
    schema: dict[str, Any] = {"format": FORMAT, "version": VERSION, "name": project.name,
                              "tables": {}}
    texts = {}
    for name, df in tables(project).items():
        bad = [c for c in df.columns if not isinstance(c, str)]
        if bad:
            raise TypeError(f"{name}: CSV export needs string column names, got {bad[:5]!r}")
        left_out = [c for t, c in without if t == name and c in df.columns]
        texts[name] = df.drop(columns=left_out).to_csv(index=False, lineterminator="\n")
        schema["tables"][name] = {
            "file": f"{name}.csv",
            "columns": [{"name": c, **_dtype_record(df[c]), **({"external": True} if c in left_out else {})}
                        for c in df.columns],
        }
    return schema, texts


_BOOLS = {"True": True, "False": False, "true": True, "false": False}


def _restore(raw: pd.Series, record: dict[str, Any], where: str) -> pd.Series:
    """Convert a column read as strings back to the dtype ``record`` names;
    ValueError naming ``where`` for a value that dtype cannot hold exactly."""
    try:
        return _convert(raw, record, where)
    except (ValueError, TypeError, OverflowError) as err:
        if str(err).startswith(where):
            raise
        raise ValueError(f"{where}: {type(err).__name__}: {err}") from None


def _convert(raw: pd.Series, record: dict[str, Any], where: str) -> pd.Series:
    name = record["dtype"]
    if name == "category":
        inner = _restore(pd.Series(record["category_values"], dtype=object),
                         record["categories"], where)
        lookup = dict(zip(record["category_values"], inner.tolist()))
        unknown = set(raw.dropna()) - set(lookup)
        if unknown:
            raise ValueError(f"{where}: values {sorted(unknown)[:5]!r} are not among the recorded categories")
        categories = pd.CategoricalDtype(inner.tolist(), ordered=record["ordered"])
        return pd.Series(pd.Categorical(raw.map(lookup), dtype=categories), name=raw.name)
    try:
        dtype = pd.api.types.pandas_dtype(name)
    except MemoryError:
        raise
    except Exception:  # numpy parses some names as code ("f8, (1+"): any error, not only TypeError
        raise ValueError(f"{where}: dtype {name!r} is not a dtype qdacore writes") from None
    if isinstance(dtype, (pd.SparseDtype, pd.PeriodDtype, pd.IntervalDtype)) or dtype.kind in "cmV":
        raise ValueError(f"{where}: dtype {name!r} is not one qdacore writes")
    if "empty" in record:
        if not (pd.api.types.is_object_dtype(dtype) or pd.api.types.is_string_dtype(dtype)) \
                or record["empty"] != "":
            raise ValueError(f"{where}: 'empty' applies to text columns and is the empty string")
        raw = raw.fillna("")
    if name == "object":
        return raw.astype(object).where(raw.notna(), None)
    if pd.api.types.is_bool_dtype(dtype):
        values = raw.map(_BOOLS)
        if values.isna().ne(raw.isna()).any():
            raise ValueError(f"{where}: a {name} column holds values other than True/False")
        if name == "bool":
            if values.isna().any():
                raise ValueError(f"{where}: a bool column has missing values")
            return values.astype(bool)
        return values.astype(dtype)
    if pd.api.types.is_integer_dtype(dtype):
        return _integers(raw, dtype, name, where)
    if pd.api.types.is_extension_array_dtype(dtype) and pd.api.types.is_float_dtype(dtype):
        return pd.to_numeric(raw, dtype_backend="numpy_nullable").astype(dtype)
    if pd.api.types.is_numeric_dtype(dtype):
        return pd.to_numeric(raw).astype(dtype)
    if isinstance(dtype, pd.DatetimeTZDtype):
        return pd.to_datetime(raw, format="ISO8601", utc=True).dt.tz_convert(dtype.tz).astype(dtype)
    if pd.api.types.is_datetime64_any_dtype(dtype):
        return pd.to_datetime(raw, format="ISO8601").astype(dtype)
    return raw.astype(dtype)


def _integers(raw: pd.Series, dtype: Any, name: str, where: str) -> pd.Series:
    """Whole numbers parsed exactly (beyond 2**53 too), within the dtype's range."""
    given = raw.dropna()
    try:
        values = [int(v) for v in given]
    except ValueError:
        bad = [v for v in given if not str(v).strip().lstrip("+-").isdigit()]
        raise ValueError(f"{where}: {bad[:3]!r} are not whole numbers, as a {name} column needs") from None
    info = np.iinfo(dtype.numpy_dtype if hasattr(dtype, "numpy_dtype") else dtype)
    out_of_range = [v for v in values if not info.min <= v <= info.max]
    if out_of_range:
        raise ValueError(f"{where}: {out_of_range[:3]!r} lie outside the range of {name}")
    if not pd.api.types.is_extension_array_dtype(dtype):
        if len(given) < len(raw):
            raise ValueError(f"{where}: a {name} column has missing values")
        return pd.Series(np.array(values, dtype=dtype), index=raw.index, name=raw.name)
    cells = np.full(len(raw), None, dtype=object)
    cells[np.flatnonzero(raw.notna().to_numpy())] = values
    return pd.Series(pd.array(cells, dtype=dtype), index=raw.index, name=raw.name)


def read_table(source: Any, columns: Any, where: str, external: Optional[dict] = None) -> pd.DataFrame:
    """A table from a CSV path or text stream; ``external`` supplies the
    columns the schema marks as kept outside the CSV."""
    if columns is None:  # no schema: pandas' own inference
        return pd.read_csv(source, encoding="utf-8")
    try:
        raw = pd.read_csv(source, dtype=str, keep_default_na=False, na_values=[""], encoding="utf-8")
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as err:
        raise ValueError(f"{where}: not a CSV table this schema describes ({type(err).__name__}: "
                         f"{str(err).strip()})") from None
    if not isinstance(raw.index, pd.RangeIndex):  # pandas took the surplus fields of long rows as an index
        raise ValueError(f"{where}: not a CSV table this schema describes (a row has more fields than the "
                         "header); fix the row or the header")
    names = [c["name"] for c in columns if not c.get("external")]
    if list(raw.columns) != names:
        raise ValueError(
            f"{where}: columns {list(raw.columns)!r} differ from project.json {names!r}; "
            "was the file edited? Fix the header or delete project.json to infer types"
        )
    out = {}
    for c in columns:
        if c.get("external"):
            out[c["name"]] = _restore((external or {})[c["name"]], c, f"{where}:{c['name']}")
        else:
            out[c["name"]] = _restore(raw[c["name"]], c, f"{where}:{c['name']}")
    return pd.DataFrame(out, columns=[c["name"] for c in columns])


def check_schema(schema: Any, where: str) -> dict:
    """``schema`` as read from a ``project.json``, checked for its format and version."""
    if not isinstance(schema, dict) or schema.get("format") != FORMAT:
        raise ValueError(f"{where}: not a {FORMAT} schema")
    if schema.get("version", 0) > VERSION:
        raise ValueError(
            f"{where}: format version {schema.get('version')} is newer than this "
            f"qdacore reads ({VERSION}); upgrade qdacore"
        )
    return schema


def decode_tables(schema: dict, open_table: Callable[[str], Any], where: str,
                  external: Optional[dict] = None) -> Project:
    """The project of a schema whose tables ``open_table(name)`` opens (a path or
    a text stream); ``external`` = {table: {column: Series}} for the columns kept
    outside the CSV."""
    try:
        columns = {name: list(schema["tables"][name]["columns"]) for name in TABLES}
        lacking = [(name, c) for name in TABLES for c in columns[name] if "name" not in c or "dtype" not in c]
        if lacking:
            raise KeyError(f"{lacking[0][0]}: column record {lacking[0][1]!r} needs a name and a dtype")
    except (KeyError, TypeError) as err:
        raise ValueError(f"{where}project.json: the schema of the tables is malformed ({type(err).__name__}: "
                         f"{err}); rewrite it with write_csv_folder, or delete it to infer types") from None
    tables = {name: read_table(open_table(name), columns[name], f"{where}{name}.csv",
                               (external or {}).get(name)) for name in TABLES}
    codebook = Codebook(tables["codes"], tables.get("groups"), tables.get("members"), allow_empty=True)
    return new_project(codebook, tables["documents"], tables["items"], tables["codings"],
                       name=schema.get("name", ""), allow_empty=True)


