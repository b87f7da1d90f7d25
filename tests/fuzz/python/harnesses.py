"""Python-level fuzz targets: the readers of files other people made.

Each target takes arbitrary bytes and checks the rule of issue 25: a file
is refused at the door with a documented exception (ValueError and its
subclasses, FileNotFoundError for a missing part), or it is accepted, and
then everything a later call does with it works: the project writes to the
same format and reads back equal. Anything else (another exception, a crash,
a hang) is a finding; `tests/test_fuzz_regressions.py` replays every input
kept under `tests/fuzz/regressions/py_<target>/` through the same targets.

Targets (the input's meaning):

- `qdpx_xml`: the project.qde of an archive whose sources are fixed;
- `qdpx_archive`: the whole .qdpx archive;
- `qdc`: a .qdc codebook file;
- `csv`: a CSV folder, its files cut from the input at NUL bytes;
- `excel`: an .xlsx workbook;
- `excel_part`: one XML part of a workbook (its first byte choosing which:
  a worksheet, the workbook, the styles), the others fixed;
- `documents`: one document, its first byte choosing the file name's
  extension (.txt, .md, .html, .docx, .pdf).

Seeds are written from the package's study example (SYNTHETIC plan text
excerpts of qc.datasets.megaregions, cut to one document and a few codes).
"""
from __future__ import annotations

import functools
import io
import os
import tempfile
import warnings
import zipfile
from collections.abc import Callable
from pathlib import Path

import qdacore as qc

SCRATCH = Path(os.environ.get("QDACORE_FUZZ_SCRATCH") or tempfile.mkdtemp(prefix="qdacore-fuzz-"))
DOCUMENT_SUFFIXES = (".txt", ".md", ".html", ".docx", ".pdf")
REFUSALS = (ValueError, FileNotFoundError)


def seed_project() -> qc.Project:
    """One document of the study example, its first three codes (and their
    ancestors), every coding of those."""
    project = qc.datasets.megaregions()
    doc = project.documents["doc"].iloc[0]
    items = project.items.loc[project.items["doc"] == doc, "item"]
    codes = project.codings.loc[project.codings["item"].isin(items), "code"].unique()[:3]
    return project.subset(docs=[doc], codes=codes.tolist())


def _quiet(call: Callable, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return call(*args, **kwargs)


def _write(name: str, data: bytes) -> Path:
    path = SCRATCH / name
    path.write_bytes(data)
    return path


def _round_trips(project: qc.Project, write: Callable, read: Callable, name: str) -> None:
    """An accepted project writes and reads back equal."""
    out = SCRATCH / name
    back = _quiet(read, _quiet(write, project, out))
    assert back.equals(project), f"{name}: the project read back differs from the one written"


@functools.cache
def _members(archive: bytes) -> dict[str, bytes]:
    """The members of a zip archive (a seed's, read once)."""
    with zipfile.ZipFile(io.BytesIO(archive)) as z:
        return {n: z.read(n) for n in z.namelist()}


def qdpx_archive(data: bytes) -> None:
    try:
        project = _quiet(qc.read_qdpx, _write("in.qdpx", data))
    except REFUSALS:
        return
    _round_trips(project, qc.write_qdpx, qc.read_qdpx, "out.qdpx")


def qdpx_xml(data: bytes) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("project.qde", data)
        for name, content in _members(seeds()["qdpx_archive"][0]).items():
            if name.lower().startswith("sources/"):
                z.writestr(name, content)
    qdpx_archive(buffer.getvalue())


def qdc(data: bytes) -> None:
    try:
        codebook = _quiet(qc.read_qdc, _write("in.qdc", data))
    except REFUSALS:
        return
    back = _quiet(qc.read_qdc, _quiet(qc.write_qdc, codebook, SCRATCH / "out.qdc"))
    for table in ("codes", "groups", "members"):
        assert getattr(back, table).equals(getattr(codebook, table)), \
            f"qdc: the codebook's {table} read back differ from those written"


CSV_FILES = ("project.json", "codes.csv", "groups.csv", "members.csv", "documents.csv",
             "items.csv", "codings.csv")


def csv(data: bytes) -> None:
    folder = SCRATCH / "csv-in"
    folder.mkdir(exist_ok=True)
    for name in os.listdir(folder):
        os.remove(folder / name)
    for name, part in zip(CSV_FILES, data.split(b"\0")):
        (folder / name).write_bytes(part)
    try:
        project = _quiet(qc.io.read_csv_folder, folder)
    except REFUSALS:
        return
    _round_trips(project, qc.io.write_csv_folder, qc.io.read_csv_folder, "csv-out")


def excel(data: bytes) -> None:
    try:
        project = _quiet(qc.io.read_excel, _write("in.xlsx", data))
    except REFUSALS:
        return
    _round_trips(project, qc.io.write_excel, qc.io.read_excel, "out.xlsx")


def excel_part(data: bytes) -> None:
    if not data:
        return
    parts = _members(seeds()["excel"][0])
    xml = _xml_parts(parts)
    chosen = xml[data[0] % len(xml)]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        for name, content in parts.items():
            z.writestr(name, data[1:] if name == chosen else content)
    excel(buffer.getvalue())


def _xml_parts(names) -> list[str]:
    return sorted(n for n in names if n.startswith("xl/") and n.endswith(".xml"))


def documents(data: bytes) -> None:
    if not data:
        return
    suffix = DOCUMENT_SUFFIXES[data[0] % len(DOCUMENT_SUFFIXES)]
    path = _write("in" + suffix, data[1:])
    try:
        table = _quiet(qc.io.read_documents, path, errors="raise", processes=1, progress=False)
    except REFUSALS:
        return
    # a document without items is refused by from_documents (ValueError); a
    # project it makes exports and reads back
    try:
        project = _quiet(qc.Project.from_documents, table)
    except REFUSALS:
        return
    _round_trips(project, qc.write_qdpx, qc.read_qdpx, "doc.qdpx")


TARGETS: dict[str, Callable[[bytes], None]] = {
    "qdpx_xml": qdpx_xml, "qdpx_archive": qdpx_archive, "qdc": qdc, "csv": csv,
    "excel": excel, "excel_part": excel_part, "documents": documents,
}

@functools.cache
def seeds() -> dict[str, list[bytes]]:
    """Starting inputs for every target, written by qdacore's own writers."""
    project = seed_project()
    work = Path(tempfile.mkdtemp(prefix="qdacore-seeds-"))
    archive = _quiet(qc.write_qdpx, project, work / "seed.qdpx", qdacore_tables=False)
    full = _quiet(qc.write_qdpx, project, work / "full.qdpx")
    with zipfile.ZipFile(archive) as z:
        xml = z.read("project.qde")
    folder = qc.io.write_csv_folder(project, work / "csv")
    text = "\n".join(project.items["text"].dropna())
    docx = work / "seed.docx"
    try:
        import docx as python_docx  # the test extra's python-docx
        document = python_docx.Document()
        for line in text.splitlines()[:20]:
            document.add_paragraph(line)
        document.save(docx)
        docx_seed = [bytes([DOCUMENT_SUFFIXES.index(".docx")]) + docx.read_bytes()]
    except ImportError:
        docx_seed = []
    workbook = _quiet(qc.io.write_excel, project, work / "seed.xlsx").read_bytes()
    return {
        "qdpx_xml": [xml],
        "qdpx_archive": [archive.read_bytes(), full.read_bytes()],
        "qdc": [_quiet(qc.write_qdc, project.codebook, work / "seed.qdc").read_bytes()],
        "csv": [b"\0".join((folder / name).read_bytes() for name in CSV_FILES)],
        "excel": [workbook],
        "excel_part": [bytes([k]) + _members(workbook)[name]
                       for k, name in enumerate(_xml_parts(_members(workbook)))],
        "documents": [
            bytes([DOCUMENT_SUFFIXES.index(".txt")]) + text.encode(),
            bytes([DOCUMENT_SUFFIXES.index(".md")]) + ("# 规划\n\n" + text).encode(),
            bytes([DOCUMENT_SUFFIXES.index(".html")])
            + f"<html><body><article><h1>规划</h1><p>{text}</p></article></body></html>".encode(),
            bytes([DOCUMENT_SUFFIXES.index(".txt")]) + text.encode("gb18030"),
        ] + docx_seed,
    }
