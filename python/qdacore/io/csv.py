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
datetimes and categoricals exactly. An empty field is a missing value, or an
empty string in a column that has no missing values (``project.json`` says
which); a column holding both empty strings and missing values reads back
with missing values only.

A folder without ``project.json`` (written by hand or by another tool) is read
with pandas' usual type inference; ``groups.csv`` and ``members.csv`` may then
be absent.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Union

import pandas as pd

from .._model import new_project
from ..codebook import Codebook
from . import _csvformat
from ._csvformat import OPTIONAL, TABLES, check_schema, decode_tables, encode_tables, read_table

if TYPE_CHECKING:  # pragma: no cover
    from ..project import Project

__all__ = ["read_csv_folder", "write_csv_folder", "FORMAT", "VERSION"]

#: The ``format`` that ``project.json`` names.
FORMAT = _csvformat.FORMAT
#: The newest ``version`` of that format this qdacore writes and reads.
VERSION = _csvformat.VERSION


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
    schema, texts = encode_tables(project)
    for name, text in texts.items():
        with open(folder / f"{name}.csv", "w", encoding="utf-8", newline="") as f:
            f.write(text)
    with open(folder / "project.json", "w", encoding="utf-8") as f:
        json.dump(schema, f, ensure_ascii=False, indent=2)
        f.write("\n")
    return folder


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
    if schema_path.exists():
        if not schema_path.is_file():
            raise ValueError(f"{schema_path} is not a regular file; a project folder's project.json is one")
        try:
            with open(schema_path, encoding="utf-8") as f:
                raw = json.load(f)
        except (RecursionError, UnicodeDecodeError, json.JSONDecodeError) as err:
            raise ValueError(f"{schema_path} is not a JSON schema ({type(err).__name__}); rewrite it with "
                             "write_csv_folder, or delete it to infer types") from None
        schema = check_schema(raw, str(schema_path))
        for name in TABLES:
            if not (folder / f"{name}.csv").is_file():  # a folder, a pipe or a device is none
                raise FileNotFoundError(f"{folder / f'{name}.csv'} is missing; a project folder needs {name}.csv")
        schema.setdefault("name", folder.name)
        return decode_tables(schema, lambda name: folder / f"{name}.csv", "")
    tables: dict[str, pd.DataFrame] = {}
    for name in TABLES:
        path = folder / f"{name}.csv"
        if not path.is_file():
            if name in OPTIONAL:
                continue
            raise FileNotFoundError(f"{path} is missing; a project folder needs {name}.csv")
        tables[name] = read_table(path, None, path.name)
    # a folder written from a blank project (e.g. a REFI-QDA import) reads back
    codebook = Codebook(tables["codes"], tables.get("groups"), tables.get("members"),
                        allow_empty=True)
    return new_project(codebook, tables["documents"], tables["items"], tables["codings"],
                       name=folder.name, allow_empty=True)
