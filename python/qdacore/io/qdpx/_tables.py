"""qdacore's own tables beside the REFI-QDA XML: what the standard has no
place for (level names, labels in several languages, keywords, item ids such
as ``YN:18``, any extra column and its dtype) kept in the archive's
``qdacore/`` folder, in the CSV-folder format of :mod:`qdacore.io.csv`.

REFI-QDA's schema admits no foreign elements or attributes, so the tables
travel as archive members of their own, which other software ignores. They
describe one ``project.qde`` exactly: ``qdacore/project.json`` records the
SHA-256 of that XML and of every source text, and a reader uses the tables
only while all of them match (an archive re-saved by another program is read
from its XML, with a warning that the qdacore-only columns were left out).
"""
from __future__ import annotations

import hashlib
import io
import json
from typing import TYPE_CHECKING, Optional

import pandas as pd

from .._csvformat import check_schema, decode_tables, encode_tables
from ._archive import Archive
from ._report import Report

if TYPE_CHECKING:  # pragma: no cover
    from ...project import Project

#: The archive folder that holds the tables.
FOLDER = "qdacore/"


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def table_members(project: Project, xml: bytes, files: list, doc_members: list) -> list:
    """``[(member, bytes), ...]`` of the ``qdacore/`` folder for an archive whose
    ``project.qde`` is ``xml`` and whose source texts are ``files`` (member,
    text); ``doc_members`` names each document's text member (None where the
    document has no text of its own)."""
    without = (("documents", "text"),) if "text" in project.documents.columns else ()
    schema, texts = encode_tables(project, without=without)
    schema["qdpx"] = {
        "project_sha256": _sha256(xml),
        "sources_sha256": {member: _sha256(text.encode("utf-8")) for member, text in files},
        "document_text": doc_members,
    }
    out = [(f"{FOLDER}{name}.csv", text.encode("utf-8")) for name, text in texts.items()]
    out.append((f"{FOLDER}project.json",
                json.dumps(schema, ensure_ascii=False, indent=1, sort_keys=True).encode("utf-8")))
    return out


def restore(archive: Archive, xml: bytes, report: Report) -> Optional[Project]:
    """The project the ``qdacore/`` tables describe, when they describe this
    very ``project.qde`` and its texts; None (with a warning where the tables
    are stale) otherwise."""
    raw = archive.member(f"{FOLDER}project.json")
    if raw is None:
        return None
    where = f"{archive.path.name}:{FOLDER}"
    try:
        schema = check_schema(json.loads(raw.decode("utf-8")), f"{where}project.json")
        qdpx = schema["qdpx"]
        stale = qdpx["project_sha256"] != _sha256(xml)
        texts: dict = {}
        for member, digest in qdpx["sources_sha256"].items():
            data = archive.member(member)
            stale = stale or data is None or _sha256(data) != digest
            texts[member] = None if data is None else data.decode("utf-8")
        if stale:
            report.add(f"{where}: the qdacore tables were written for another version of this project "
                       "(it was changed by another program since), so the project is read from its "
                       "REFI-QDA XML alone: columns REFI-QDA has no place for (level names, labels, "
                       "keywords, item ids) are left out")
            return None
        external = {"documents": {"text": pd.Series([None if m is None else texts[m]
                                                     for m in qdpx["document_text"]], dtype=object)}}

        def open_table(name: str) -> io.StringIO:
            data = archive.member(f"{FOLDER}{name}.csv")
            if data is None:
                raise ValueError(f"{where}{name}.csv is missing")
            return io.StringIO(data.decode("utf-8"))

        return decode_tables(schema, open_table, where, external)
    except (KeyError, TypeError, UnicodeDecodeError, json.JSONDecodeError) as err:
        raise ValueError(f"{where}project.json is malformed ({type(err).__name__}: {err}); delete the "
                         "qdacore/ folder from the archive to read the REFI-QDA XML alone") from None
