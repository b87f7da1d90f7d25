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
# One concern a module; each imports only from those above it in this list:
#   _format  the format's name and version, its sheets and their required columns, the cell
#            escapes, and openpyxl (needed in both directions)
#   _dtypes  the dtype records of the qdacore sheet: which dtypes a workbook carries, the checked
#            record of a column, and cell values restored to its dtype
#   _write   a Project to a workbook: cells (escapes, numbers, times, cuts), dtype records, the
#            codings and texts sheets: write_excel
#   _sheets  a sheet's raw cells: merged ranges from the XML, column letters, Sheet (cells
#            checked and unescaped, named by sheet, column and row in errors)
#   _read    a workbook to a Project: the qdacore sheet, the tables, texts and references
#            checked: read_excel (the one place a Project is made)
from . import _dtypes, _format
from ._read import read_excel
from ._write import write_excel

__all__ = ["read_excel", "write_excel", "FORMAT", "VERSION", "DTYPES"]

# Bound here with their comments, which the API reference (Sphinx's autodata) reads from this file.
#: The format the ``qdacore`` sheet of a workbook names.
FORMAT = _format.FORMAT
#: The newest version of that format this qdacore writes and reads.
VERSION = _format.VERSION
#: The dtypes a workbook carries, in words (for messages).
DTYPES = _dtypes.DTYPES

for _public in (read_excel, write_excel):
    _public.__module__ = __name__  # shown, documented and pickled as qdacore.io.excel.<name>, as before the split
del _public
