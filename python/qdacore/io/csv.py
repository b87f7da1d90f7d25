"""Projects as folders of CSV files.

Layout of a folder written by :meth:`qdacore.Project.to_csv`::

    codes.csv       the codebook's codes (code, parent, level, label, ...)
    groups.csv      code groups (group, set, label, ...)
    members.csv     group memberships (group, code)
    documents.csv   documents (doc, ...)
    items.csv       coded units (item, doc, ...)
    codings.csv     codings (item, code, coder, start, end, ...)
    project.json    name, format version and every column's dtype

Files are UTF-8 with a header row; a missing value is an empty field.
``project.json`` records each column's dtype so that reading restores integers,
floats (written with full round-trip precision), booleans, nullable types,
datetimes and categoricals exactly. One thing CSV cannot tell apart: an empty
string and a missing value are both an empty field, and read back as missing.

A folder without ``project.json`` (written by hand or by another tool) is read
with pandas' usual type inference; ``groups.csv`` and ``members.csv`` may then
be absent.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any, Union

import pandas as pd

from .._model import new_project
from ..codebook import Codebook

if TYPE_CHECKING:  # pragma: no cover
    from ..project import Project

__all__ = ["read_csv_folder", "write_csv_folder", "FORMAT", "VERSION"]

#: The ``format`` that ``project.json`` names.
FORMAT = "qdacore-csv"
#: The newest ``version`` of that format this qdacore writes and reads.
VERSION = 1
_TABLES = ("codes", "groups", "members", "documents", "items", "codings")
_OPTIONAL = ("groups", "members")


def _tables(project: Project) -> dict[str, pd.DataFrame]:
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
    return {"dtype": str(dtype)}


def write_csv_folder(project: Project, folder: Union[str, Path]) -> Path:
    """Write ``project`` to ``folder`` (created if needed); see the module docstring.

    Examples
    --------
    >>> import tempfile, qdacore as qc
    >>> project = qc.datasets.megaregions()
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     qc.Project.from_csv(project.to_csv(tmp)).equals(project)
    True
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    schema: dict[str, Any] = {"format": FORMAT, "version": VERSION, "name": project.name,
                              "tables": {}}
    for name, df in _tables(project).items():
        bad = [c for c in df.columns if not isinstance(c, str)]
        if bad:
            raise TypeError(f"{name}: CSV export needs string column names, got {bad[:5]!r}")
        df.to_csv(folder / f"{name}.csv", index=False, encoding="utf-8", lineterminator="\n")
        schema["tables"][name] = {
            "file": f"{name}.csv",
            "columns": [{"name": c, **_dtype_record(df[c])} for c in df.columns],
        }
    with open(folder / "project.json", "w", encoding="utf-8") as f:
        json.dump(schema, f, ensure_ascii=False, indent=2)
        f.write("\n")
    return folder


_BOOLS = {"True": True, "False": False, "true": True, "false": False}


def _restore(raw: pd.Series, record: dict[str, Any], where: str) -> pd.Series:
    """Convert a column read as strings back to the dtype ``record`` names."""
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
    dtype = pd.api.types.pandas_dtype(name)
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
    if pd.api.types.is_extension_array_dtype(dtype) and (
        pd.api.types.is_integer_dtype(dtype) or pd.api.types.is_float_dtype(dtype)
    ):
        return pd.to_numeric(raw, dtype_backend="numpy_nullable").astype(dtype)
    if pd.api.types.is_numeric_dtype(dtype):
        return pd.to_numeric(raw).astype(dtype)
    if isinstance(dtype, pd.DatetimeTZDtype):
        return pd.to_datetime(raw, format="ISO8601", utc=True).dt.tz_convert(dtype.tz).astype(dtype)
    if pd.api.types.is_datetime64_any_dtype(dtype):
        return pd.to_datetime(raw, format="ISO8601").astype(dtype)
    return raw.astype(dtype)


def _read_table(path: Path, columns: Any) -> pd.DataFrame:
    if columns is None:  # no schema: pandas' own inference
        return pd.read_csv(path, encoding="utf-8")
    raw = pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""], encoding="utf-8")
    names = [c["name"] for c in columns]
    if list(raw.columns) != names:
        raise ValueError(
            f"{path.name}: columns {list(raw.columns)!r} differ from project.json {names!r}; "
            "was the file edited? Fix the header or delete project.json to infer types"
        )
    return pd.DataFrame({c["name"]: _restore(raw[c["name"]], c, f"{path.name}:{c['name']}")
                         for c in columns}, columns=names)


def read_csv_folder(folder: Union[str, Path]) -> Project:
    """Read a project from a CSV folder (see the module docstring).

    Examples
    --------
    >>> import tempfile, qdacore as qc
    >>> project = qc.datasets.megaregions()
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     back = qc.io.read_csv_folder(qc.io.write_csv_folder(project, tmp))
    >>> back.equals(project)
    True

    Raises
    ------
    FileNotFoundError
        The folder, or one of codes/documents/items/codings.csv, is missing.
    ValueError
        ``project.json`` is of another format or a newer version, or a file
        disagrees with it; and every validation error of :class:`~qdacore.Project`.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise FileNotFoundError(f"folder={str(folder)!r} is not a directory")
    schema_path = folder / "project.json"
    schema = None
    if schema_path.exists():
        with open(schema_path, encoding="utf-8") as f:
            schema = json.load(f)
        if not isinstance(schema, dict) or schema.get("format") != FORMAT:
            raise ValueError(f"{schema_path}: not a {FORMAT} schema")
        if schema.get("version", 0) > VERSION:
            raise ValueError(
                f"{schema_path}: format version {schema.get('version')} is newer than this "
                f"qdacore reads ({VERSION}); upgrade qdacore"
            )
    tables: dict[str, pd.DataFrame] = {}
    for name in _TABLES:
        path = folder / f"{name}.csv"
        if not path.exists():
            if name in _OPTIONAL and schema is None:
                continue
            raise FileNotFoundError(f"{path} is missing; a project folder needs {name}.csv")
        columns = None if schema is None else schema["tables"][name]["columns"]
        tables[name] = _read_table(path, columns)
    # a folder written from a blank project (e.g. a REFI-QDA import) reads back
    codebook = Codebook(tables["codes"], tables.get("groups"), tables.get("members"),
                        allow_empty=True)
    name = schema.get("name", folder.name) if schema else folder.name
    return new_project(codebook, tables["documents"], tables["items"], tables["codings"],
                       name=name, allow_empty=True)
