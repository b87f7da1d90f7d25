"""What writing and reading a workbook agree on: the format's name and version,
the sheets (the ``qdacore`` sheet and the tables' sheets with their required
columns, and the codings sheet's columns that are recomputed), Excel's
``_xHHHH_`` escapes of characters XML cannot carry, and openpyxl, the optional
dependency both directions load when called (so that ``import qdacore`` does
not need it)."""
from __future__ import annotations

import re
from typing import Any

#: The format the ``qdacore`` sheet of a workbook names.
FORMAT = "qdacore-excel"
#: The newest version of that format this qdacore writes and reads.
VERSION = 1

SCHEMA = "qdacore"
TABLES = ("codings", "documents", "texts", "items", "codes", "groups", "members")
REQUIRED = {"codings": ("item", "code"), "documents": ("doc",), "texts": ("doc", "text"),
            "items": ("item", "doc"), "codes": ("code",), "groups": ("group", "set"),
            "members": ("group", "code")}
DERIVED = ("doc", "code_path", "text")  # columns of the codings sheet that are recomputed
ESCAPE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]|_(?=x[0-9A-Fa-f]{4}_)")
UNESCAPE = re.compile("_x([0-9A-Fa-f]{4})_")
SURROGATE = re.compile("[\ud800-\udfff]")
FIX_SCHEMA = "export the project again with project.to_excel(path) (or restore the cell from that export)"


def openpyxl(what: str) -> Any:
    """The openpyxl module, imported when first needed; an ImportError naming
    ``what`` (the method that needs it) and the extra to install without it."""
    try:
        import openpyxl
    except ImportError:  # pragma: no cover - depends on the environment
        raise ImportError(f"{what} needs openpyxl: pip install 'qdacore[excel]'") from None
    return openpyxl
