"""qdacore's own tables beside the REFI-QDA XML: what the standard has no
place for (level names, labels in several languages, keywords, item ids such
as ``YN:18``, any extra column and its dtype) kept in the archive's
``qdacore/`` folder, in the CSV-folder format of :mod:`qdacore.io.csv`.

REFI-QDA's schema admits no foreign elements or attributes, so the tables
travel as archive members of their own, which other software ignores. They
describe one ``project.qde`` exactly: ``qdacore/project.json`` records the
SHA-256 of that XML and of every source text, and a reader uses the tables
only while they match, checked by one SHA-256 over the XML, the texts, the
tables and the schema (an archive re-saved by another program, or edited by
hand, is read from its XML, with a warning that the qdacore-only columns were
left out; so are tables that cannot be decoded).
"""
from __future__ import annotations

import hashlib
import io
import json
from typing import TYPE_CHECKING, Optional

import pandas as pd

from .._csvformat import TABLES, check_schema, decode_tables, encode_tables
from ._archive import Archive
from ._report import Report

if TYPE_CHECKING:  # pragma: no cover
    from ...project import Project

#: The archive folder that holds the tables.
FOLDER = "qdacore/"


def _digest(xml: bytes, members: dict, schema: dict) -> str:
    """SHA-256 of everything the tables describe and are: the project.qde, the
    named members (texts and tables, in name order) and the schema itself
    without its digest."""
    h = hashlib.sha256(b"project.qde\0" + xml)
    for name in sorted(members):
        h.update(b"\0" + name.encode("utf-8") + b"\0" + members[name])
    bare = {k: v for k, v in schema.items() if k != "qdpx"}
    bare["qdpx"] = {k: v for k, v in schema["qdpx"].items() if k != "sha256"}
    h.update(b"\0" + json.dumps(bare, ensure_ascii=False, sort_keys=True).encode("utf-8"))
    return h.hexdigest()


def table_members(project: Project, xml: bytes, files: list, doc_members: list) -> list:
    """``[(member, bytes), ...]`` of the ``qdacore/`` folder for an archive whose
    ``project.qde`` is ``xml`` and whose source texts are ``files`` (member,
    text); ``doc_members`` names each document's text member (None where the
    document has no text of its own)."""
    without = (("documents", "text"),) if "text" in project.documents.columns else ()
    schema, texts = encode_tables(project, without=without)
    tables = {f"{FOLDER}{name}.csv": text.encode("utf-8") for name, text in texts.items()}
    sources = {member: text.encode("utf-8") for member, text in files}
    schema["qdpx"] = {"sources": sorted(sources), "document_text": doc_members}
    schema["qdpx"]["sha256"] = _digest(xml, {**sources, **tables}, schema)
    return [*tables.items(), (f"{FOLDER}project.json",
                              json.dumps(schema, ensure_ascii=False, indent=1, sort_keys=True).encode("utf-8"))]


def restore(archive: Archive, xml: bytes, report: Report) -> Optional[Project]:
    """The project the ``qdacore/`` tables describe, when they describe this
    very ``project.qde`` and its texts, unchanged; None otherwise (with a
    warning: the project is then read from its XML)."""
    raw = archive.member(f"{FOLDER}project.json")
    if raw is None:
        return None
    where = f"{archive.path.name}:{FOLDER}"
    try:
        schema = check_schema(json.loads(raw.decode("utf-8")), f"{where}project.json")
        qdpx = schema["qdpx"]
        names = [*qdpx["sources"], *(f"{FOLDER}{name}.csv" for name in TABLES)]
        members = {name: archive.member(name) for name in names if isinstance(name, str)}
        found = {name: data for name, data in members.items() if data is not None}
        if len(found) < len(names) or qdpx["sha256"] != _digest(xml, found, schema):
            report.add(f"{where}: the qdacore tables do not match this archive (it was changed since qdacore "
                       "wrote it, by another program or by hand), so the project is read from its REFI-QDA XML "
                       "alone: columns REFI-QDA has no place for (level names, labels, keywords, item ids) are "
                       "left out")
            return None
        texts = {name: found[name].decode("utf-8") for name in qdpx["sources"]}
        doc_text = qdpx["document_text"]
        external = {"documents": {"text": pd.Series([None if m is None else texts[m] for m in doc_text],
                                                    dtype=object)}}

        def open_table(name: str) -> io.StringIO:
            return io.StringIO(found[f"{FOLDER}{name}.csv"].decode("utf-8"))

        project = decode_tables(schema, open_table, where, external)
        if len(doc_text) != len(project.documents):
            raise ValueError(f"document_text names {len(doc_text)} texts for {len(project.documents)} documents")
        return project
    except (KeyError, TypeError, AttributeError, ValueError, OverflowError, RecursionError,
            UnicodeDecodeError) as err:
        report.add(f"{where}: the qdacore tables cannot be used ({type(err).__name__}: {err}), so the project is "
                   "read from its REFI-QDA XML alone: columns REFI-QDA has no place for are left out")
        return None
