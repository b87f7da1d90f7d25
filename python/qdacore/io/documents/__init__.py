"""Documents as a researcher has them (plain text, Markdown, HTML pages, Word
and PDF files) read into a documents table, the start of a project built
from documents (:meth:`qdacore.Project.from_documents`).

=============  =============================================================
format         how it is read
=============  =============================================================
``.txt``       the encoding detected (byte-order marks; UTF-8; GB18030 when
               its reading is common simplified Chinese; else
               charset-normalizer, which knows GBK, Big5, UTF-16 ...) unless
               ``encoding=`` names it
``.md``        as text; ``#`` headings become headings (their marks
               dropped), table rows their cells joined by tabs, the lines of a
               paragraph one line
``.html``      the page's main text (:mod:`lxml`; navigation, menus,
               breadcrumbs, sidebars, tool bars and footers left out), ``h1``
               to ``h6`` as headings, table rows as cells joined by tabs; the
               encoding from ``<meta charset>`` else detected
``.docx``      paragraphs and tables in order (the document's XML, with
               :mod:`lxml`), heading styles and outline levels as headings,
               table rows as cells joined by tabs; the text Word shows,
               tracked insertions included, deletions left out
``.pdf``       the text layer (pypdf): running headers, footers and page
               numbers removed, lines joined into paragraphs (no space
               inside CJK text, hyphenated words rejoined), the page of
               every line kept
=============  =============================================================

Every document's ``text`` is one line per paragraph, heading or table row,
lines stripped of white space but tabs (which part table cells) and empty
ones dropped, line breaks ``\\n``. By default it is
normalised to Unicode NFKC, with Chinese punctuation kept: full-width
letters, digits and signs (``ＧＤＰ２０３５``, ``３．５％``) become ASCII
(``GDP2035``, ``3.5%``), ``㈠`` and ``⑴`` become ``(一)`` and ``(1)``, while
the sentence punctuation ``，：；！？（）`` and ``…`` and the list numbers
``①``-``⑳`` stay as written (``。、“”《》`` are not touched by NFKC).
Characters that XML cannot hold (control characters, noncharacters) are
removed, so that every text exports to REFI-QDA. Offsets anywhere in
qdacore are code points of this stored text.

A file's content decides how it is read when it contradicts its extension
(a PDF named ``.docx`` is read as a PDF, with a :class:`DocumentWarning`).
What cannot be read gives one message naming the file, what is wrong and
what to do: a scanned PDF (no text layer: OCR it), an encrypted one, a
corrupt DOCX, a legacy ``.doc``, binary content, an empty file, a text that
mixes encodings, a page with no main text. ``errors=`` decides what that
message does; the other files are read whatever it is.
"""
from __future__ import annotations

import codecs
import multiprocessing
import os
import warnings
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any, Optional, Union

import pandas as pd

from ... import _outline, _progress
from ..._validate import threads
from . import _blocks, _docx, _html, _pdf, _plain

__all__ = ["read_documents", "DocumentWarning", "FORMATS", "COLUMNS"]


class DocumentWarning(UserWarning):
    """A file that was not read (``errors="warn"``), or was read other than its name says.

    Examples
    --------
    Stop at the first file that was not read or was read other than its name
    says (``errors="raise"`` stops at the first file not read, with a
    ``ValueError``):

    >>> import warnings, qdacore as qc
    >>> warnings.simplefilter("error", qc.io.DocumentWarning)  # doctest: +SKIP
    """


_READERS: dict[str, Callable[[bytes, Optional[str]], _blocks.Read]] = {
    "text": _plain.read_text, "markdown": _plain.read_markdown, "html": _html.read_html,
    "docx": _docx.read_docx, "pdf": _pdf.read_pdf}
#: File suffixes read, and the format each names.
FORMATS = {".txt": "text", ".text": "text", ".md": "markdown", ".markdown": "markdown",
           ".htm": "html", ".html": "html", ".xhtml": "html", ".docx": "docx", ".pdf": "pdf"}
#: Document formats met in folders of plans that cannot be read, and what to do.
_UNREADABLE = {".doc": "a legacy Word .doc: save it as .docx or PDF",
               ".wps": "a WPS document: save it as .docx or PDF",
               ".rtf": "an RTF document: save it as .docx or PDF",
               ".odt": "an OpenDocument text: save it as .docx or PDF",
               ".ofd": "an OFD document: export it to PDF",
               ".caj": "a CAJ document: export it to PDF"}
#: The columns of the documents table, in order.
COLUMNS = ("doc", "title", "path", "format", "text", "pages", "encoding", "status", "message",
           "headings", "page_starts")
_ERRORS = ("raise", "warn", "skip")
#: Below this many bytes of PDF, DOCX and HTML, one process reads faster than several start.
_PARALLEL_BYTES = 4 << 20


def read_documents(
    paths: Union[str, os.PathLike, Iterable[Union[str, os.PathLike]]],
    *,
    encoding: Optional[str] = None,
    nfkc: bool = True,
    errors: str = "warn",
    recursive: bool = False,
    processes: Optional[int] = None,
    progress: Optional[bool] = None,
) -> pd.DataFrame:
    """Read documents (text, Markdown, HTML, DOCX, PDF) into a documents table.

    Parameters
    ----------
    paths : path or iterable of paths
        A folder (its files with a suffix of :data:`FORMATS`, and legacy
        formats to report, in name order), a file, or several of either.
    encoding : str, optional
        The encoding of text, Markdown and HTML files; None detects it.
    nfkc : bool
        Normalise texts to Unicode NFKC, Chinese punctuation kept (see the
        module docstring); False keeps the text as the file has it.
    errors : {"warn", "raise", "skip"}
        What a file that cannot be read does: a :class:`DocumentWarning`
        (its row says ``status="failed"`` and why), a ``ValueError`` (no
        table), or nothing but its row.
    recursive : bool
        Also read the files in a folder's subfolders.
    processes : int, optional
        Worker processes that read files side by side. None uses every CPU
        this process may run on when there are at least 4 MB of PDF, DOCX
        and HTML files (parsing them is Python work) and the platform forks
        processes (Linux), else one. Where processes are spawned (Windows,
        macOS), a script that passes ``processes`` must call
        ``read_documents`` under ``if __name__ == "__main__":``.
    progress : bool, optional
        Show a progress bar over files.

    Returns
    -------
    DataFrame
        One row per file, columns :data:`COLUMNS`: ``doc`` (the file name
        without its suffix, with it where two files share a stem; a name
        that is not UTF-8 read as GB18030, else with U+FFFD), ``title``
        (from the file's metadata or its title heading, else its first line
        where :func:`~qdacore.text.split_items` takes that for the title,
        else ``doc``),
        ``path``, ``format``, ``text``, ``pages`` (PDF), ``encoding`` (text,
        Markdown, HTML), ``status`` (``"read"`` or ``"failed"``),
        ``message`` (why a file failed, or what was noticed), ``headings``
        (the heading lines known from the file's structure, as (start, end,
        level) tuples; level -1 is a title) and ``page_starts`` (where each
        page's text begins). :meth:`qdacore.Project.from_documents` takes it.

    Raises
    ------
    TypeError
        ``paths`` that is neither a path nor an iterable of paths.
    ValueError
        A path that does not exist, a folder without documents or a bad
        option; with ``errors="raise"``, the first file that cannot be read
        (the files after it are not read).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> import qdacore as qc
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "YN.txt").write_text("第一章 总体要求\\n1. 建设滇中城市群。\\n", encoding="gb18030")
    >>> documents = qc.read_documents(folder)
    >>> documents[["doc", "format", "encoding", "status", "text"]]
      doc format encoding status                     text
    0  YN   text  gb18030   read  第一章 总体要求\\n1. 建设滇中城市群。
    """
    if errors not in _ERRORS:
        raise ValueError(f"errors must be one of {', '.join(map(repr, _ERRORS))}, got {errors!r}")
    if processes is not None and (isinstance(processes, bool) or not isinstance(processes, int)
                                  or processes < 1):
        raise ValueError(f"processes must be a whole number >= 1 or None, got {processes!r}")
    if encoding is not None:
        try:
            info = codecs.lookup(encoding)  # rot13 and base64 are codecs, not text encodings
            usable = info.name != "undefined" and getattr(info, "_is_text_encoding", True) \
                and b"".decode(encoding) == ""
        except (LookupError, TypeError, ValueError):  # ValueError: a NUL in the name
            usable = False
        if not usable:
            raise ValueError(f"encoding={encoding!r} is not an encoding Python knows")
    files = _files(paths, recursive)
    ids = _doc_ids(files)
    jobs = [(str(f), encoding, bool(nfkc)) for f in files]
    workers = _workers(processes, files)
    pool = ProcessPoolExecutor(max_workers=workers) if workers > 1 else None
    try:
        read = map(_read_one, jobs) if pool is None else _pooled(pool, jobs)
        records = []
        for record, doc in zip(_progress.track(read, total=len(jobs), desc="reading documents",
                                               progress=progress), ids):
            record["doc"] = doc
            record["title"] = record["title"] or doc
            _report(record, errors)
            records.append(record)
    finally:
        if pool is not None:
            pool.shutdown(cancel_futures=True)
    table = pd.DataFrame.from_records(records, columns=list(COLUMNS))
    table["pages"] = table["pages"].astype("Int64")
    return table


def _pooled(pool: ProcessPoolExecutor, jobs: list) -> Iterable[dict]:
    """_read_one of each job in ``pool``, in order. A worker that dies (killed
    for memory, say) fails the files it had not finished, not the call."""
    futures = [pool.submit(_read_one, job) for job in jobs]
    for job, future in zip(jobs, futures):
        try:
            yield future.result()
        except BrokenProcessPool:
            record = _unread(job[0])
            record["message"] = ("the worker process reading files stopped (out of memory?) before this "
                                 "file was read; read it alone with processes=1 to see why")
            yield record


def _files(paths: Any, recursive: bool) -> list[Path]:
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    try:
        given = [Path(p) for p in paths]
    except TypeError:
        raise TypeError("paths must be a path (str or Path) or an iterable of them, "
                        f"got {type(paths).__name__}") from None
    files: list[Path] = []
    for path in given:
        try:
            path.stat()
        except PermissionError:  # in a folder this user may not enter: its row will say so
            files.append(path)
            continue
        except FileNotFoundError:
            raise ValueError(f"paths: {path} does not exist") from None
        except OSError as err:  # a name too long, a loop of links ...
            raise ValueError(f"paths: {path} cannot be opened ({err.strerror or err})") from None
        if path.is_dir():
            pattern = "**/*" if recursive else "*"
            found = sorted(p for p in path.glob(pattern) if p.is_file() and not _hidden(p.relative_to(path))
                           and (p.suffix.lower() in FORMATS or p.suffix.lower() in _UNREADABLE))
            if not found:
                raise ValueError(f"paths: the folder {path} holds no documents ({', '.join(sorted(FORMATS))})"
                                 + ("" if recursive else "; recursive=True also reads its subfolders"))
            files.extend(found)
        elif path.exists():
            files.append(path)
        else:
            raise ValueError(f"paths: {path} does not exist")
    if not files:
        raise ValueError("paths: no files given")
    unique = {f.resolve(): f for f in reversed(files)}  # a file named twice (a/b.txt, a/./b.txt) is read once
    return [f for f in files if unique.get(f.resolve()) is f]


def _hidden(relative: Path) -> bool:
    return any(part.startswith((".", "~$")) for part in relative.parts)


def _doc_ids(files: list[Path]) -> list[str]:
    """File stems; the file name where two share a stem; the path where two share a name."""
    stems = pd.Series([_shown(f.stem) for f in files])
    names = pd.Series([_shown(f.name) for f in files])
    ids = stems.where(~stems.duplicated(keep=False), names)
    full = pd.Series([_shown(str(f)) for f in files])
    return ids.where(~ids.duplicated(keep=False), full).tolist()


def _shown(name: str) -> str:
    """A file name as text that exports: the bytes of a name that is not
    UTF-8 (Python holds them as lone surrogates) read as GB18030, as Chinese
    Windows writes names, else with U+FFFD for each undecodable byte."""
    if name.isascii() or not any("\udc80" <= char <= "\udcff" for char in name):
        return name
    raw = os.fsencode(name)
    try:
        return raw.decode("gb18030")
    except UnicodeDecodeError:
        return raw.decode("utf-8", "replace")


def _report(record: dict, errors: str) -> None:
    """What errors= makes of a failed file, and the notes of a read one."""
    where = record["path"]
    if record["status"] == "failed":
        if errors == "raise":
            raise ValueError(f"{where}: {record['message']}")
        if errors == "warn":
            warnings.warn(f"{where} was not read: {record['message']}", DocumentWarning, stacklevel=3)
    elif record["message"] is not None:
        warnings.warn(f"{where}: {record['message']}", DocumentWarning, stacklevel=3)


def _workers(processes: Optional[int], files: list[Path]) -> int:
    if processes is not None:
        return min(processes, len(files))
    # where new processes are spawned rather than forked (Windows, macOS), a
    # script without an `if __name__ == "__main__":` guard would start its
    # workers over and over: only processes= given asks for that
    if multiprocessing.get_start_method() != "fork":
        return 1
    heavy = sum(f.stat().st_size for f in files if FORMATS.get(f.suffix.lower()) in ("pdf", "docx", "html"))
    return min(threads(None), len(files)) if heavy >= _PARALLEL_BYTES else 1


def _sniff(data: bytes, by_name: Optional[str]) -> Optional[str]:
    """The format the content shows, where it shows one."""
    if data.startswith(b"%PDF-"):
        return "pdf"
    if data.startswith(b"PK\x03\x04"):
        return "docx" if b"word/" in data[:1 << 16] or by_name == "docx" else None
    if data.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "ole"
    head = data[:1024].lstrip().lower()
    if by_name in ("text", "markdown", None) and head.startswith((b"<!doctype html", b"<html")):
        return "html"
    return None


def _unread(path: str) -> dict[str, Any]:
    """A file's row before it is read: failed, without a message yet."""
    record: dict[str, Any] = dict.fromkeys(COLUMNS)
    record.update(path=_shown(path), format=FORMATS.get(Path(path).suffix.lower()), status="failed",
                  headings=())
    return record


def _read_one(job: tuple[str, Optional[str], bool]) -> dict:
    """One file's row of the documents table (runs in a worker process)."""
    path, encoding, nfkc = job
    suffix = Path(path).suffix.lower()
    by_name = FORMATS.get(suffix)
    record = _unread(path)
    try:
        data = Path(path).read_bytes()
    except OSError as err:
        record["message"] = f"cannot be read ({err.strerror or err})"
        return record
    by_content = _sniff(data, by_name)
    note = None
    try:
        if not data:
            raise _blocks.DocumentError("an empty file (0 bytes)")
        if by_content == "ole" or (by_name is None and suffix in _UNREADABLE):
            raise _blocks.DocumentError(_UNREADABLE.get(suffix, "a legacy Office file: save it as .docx or PDF"))
        if by_content is not None and by_content != by_name:
            if by_name in ("pdf", "docx") or by_content in ("pdf", "docx"):
                note = f"named {suffix or 'without a suffix'} but holds {by_content.upper()}; read as {by_content.upper()}"
            by_name = by_content
        if by_name is None:
            raise _blocks.DocumentError(f"the suffix {suffix or '(none)'} is not a document format qdacore reads "
                                f"({', '.join(sorted(FORMATS))})")
        read = _READERS[by_name](data, encoding)
        text, headings, page_starts = _blocks.assemble(read, nfkc)
        if not text:
            raise _blocks.DocumentError("no text")
    except _blocks.DocumentError as err:
        record.update(format=by_name, message=str(err))
        return record
    except Exception as err:  # a library's failure on one odd file must not stop the others
        record.update(format=by_name, message=f"could not be read ({type(err).__name__}: {err}); open it "
                      "in its program and save it again, or report the file to qdacore")
        return record
    title = " ".join(_blocks.clean(str(read.title), nfkc).split()) if read.title else None
    first_line = text.split("\n", 1)[0].strip()
    first_level = headings[0][2] if headings and headings[0][0] == 0 else 0
    if not title and _outline.first_line_is_title(first_line, first_level, text.count("\n") + 1):
        title = first_line
    record.update(format=by_name, text=text, title=title or None, pages=read.pages, encoding=read.encoding,
                  status="read", message=note, headings=headings,
                  page_starts=page_starts if read.pages is not None else None)
    return record
