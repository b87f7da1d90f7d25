"""A workbook's sheets as raw cells for reading: the merged ranges of the
sheets, read from the workbook's XML (openpyxl's read-only mode does not report
them), Excel's column letters, and :class:`Sheet`, one sheet as columns of cell
values with the Excel row of every row, whose errors name the sheet, the column
and the rows. No dtype is applied here."""
from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Optional

import numpy as np
import pandas as pd

from ... import _validate as check
from ._format import SCHEMA, SURROGATE, TABLES, UNESCAPE

_MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
_MERGE = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?mergeCell\b[^>]*?\bref\s*=\s*[\"']([^\"']*)[\"']")


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


def merged_ranges(path: Path, names: Sequence[str]) -> dict[str, list[str]]:
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


def letter(k: int) -> str:
    letters = ""
    k += 1
    while k:
        k, r = divmod(k - 1, 26)
        letters = chr(65 + r) + letters
    return letters


class Sheet:
    """One sheet read as columns of cell values, with the Excel row of every row.
    A formula, an Excel error value or an escaped lone surrogate in a cell is
    an error naming it."""

    def __init__(self, workbook: Any, name: str, source: str, merged: Optional[list] = None) -> None:
        if name not in workbook.sheetnames:
            raise ValueError(f"{source}: the workbook has no sheet {name!r}; a workbook written by "
                             f"Project.to_excel has the sheets {', '.join(TABLES)} and {SCHEMA!r}: "
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
                raise ValueError(f"{source}: sheet {name!r}, column {letter(k)}: the header cell is "
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
                raise ValueError(f"{source}: sheet {name!r}, cell {letter(extra[0])}{number} holds a value "
                                 "in a column without a header; name the column in row 1 or clear it")
            for k, column in enumerate(columns):
                column.append(self._value(row[k], k, number, header[k]) if k < len(row) else None)
            excel_rows.append(number)
        self.columns = dict(zip(header, columns))
        self.rows = np.asarray(excel_rows, dtype=np.int64)

    def _cell(self, k: int, number: int, column: Optional[str]) -> str:
        named = f", column {column!r}" if column is not None else ""
        return f"{self.source}: sheet {self.name!r}{named}, row {number} (cell {letter(k)}{number})"

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
            value = UNESCAPE.sub(lambda m: chr(int(m.group(1), 16)), value)
            if SURROGATE.search(value):
                try:  # escaped surrogate pairs make one character
                    value = value.encode("utf-16-le", "surrogatepass").decode("utf-16-le")
                except UnicodeDecodeError:
                    bad = SURROGATE.search(value)
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
