"""Command line: ``qdacore ingest``, ``qdacore report``, ``qdacore info``,
``qdacore export`` and ``qdacore demo`` (also ``python -m qdacore``).

A PROJECT argument is one of

- a REFI-QDA project: a ``.qdpx`` archive, or a bare ``.qde`` project XML (as
  ATLAS.ti's "project only" export), read with :func:`qdacore.read_qdpx`;
- a CSV project folder, as :meth:`qdacore.Project.to_csv` and
  ``qdacore export --to csv`` write it, read with
  :func:`qdacore.io.read_csv_folder`;
- nothing, for the embedded example (a synthetic corpus calibrated to the
  study).

A file is read by its content, whatever its suffix: a zip archive as a
``.qdpx``, an XML file as a ``.qde``.

``qdacore ingest FOLDER -o PROJECT`` builds a project from documents (text,
Markdown, HTML, DOCX, PDF; :func:`qdacore.io.read_documents` and
:meth:`qdacore.Project.from_documents`), optionally with a codebook and its
dictionary coding, and writes it as a CSV project folder (or a ``.qdpx``
when PROJECT ends so) for ``qdacore report``. Files that cannot be read
print a warning each and are left out.

Inputs must be regular files or folders, and outputs regular files or new
ones: a named pipe, a device or a symbolic link loop is refused before
anything is opened (reading a pipe would wait for a writer).

Exit codes: 0 success; 2 bad input (a missing or malformed project, a bad
option, an output that cannot be written, a missing optional dependency),
with one line on stderr that says what is wrong and how to fix it. Any other
error is a defect of qdacore and shows its traceback. Warnings (how a
REFI-QDA file counts positions, content a Project cannot hold) print one line
each on stderr.
"""
from __future__ import annotations

import argparse
import errno
import os
import stat
import sys
import warnings
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NoReturn, Optional, TextIO, Union

import pandas as pd

from . import datasets
from ._version import __version__
from .codebook import Codebook
from .io import read_csv_folder, read_qdc, read_qdpx, write_qdpx
from .project import Project
from .report import build_report

__all__ = ["main", "parser"]

#: What a PROJECT argument may be; every error about one ends with it.
_ACCEPTED = ("PROJECT is a .qdpx archive, a bare .qde project XML, or a CSV project folder "
             "(codes.csv, documents.csv, items.csv, codings.csv, as `qdacore export --to csv` writes)")
_TABLE_FILES = ("codes.csv", "documents.csv", "items.csv", "codings.csv")
_EXCEL_HINT = "pip install 'qdacore[excel]' (or pip install openpyxl)"


class _UsageError(Exception):
    """Bad input from the command line; printed as one line, without a traceback."""


class _Parser(argparse.ArgumentParser):
    """argparse with its usage errors on one line (the usage is in ``--help``)."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {_one_line(message)}; see {self.prog} --help\n")


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _reason(err: OSError, path: Union[str, Path]) -> str:
    """What an OSError met at ``path`` says, without errno and with the file
    it names when that is another."""
    raw = err.filename
    name = os.fsdecode(raw) if isinstance(raw, (str, bytes, os.PathLike)) else None
    where = f" on {name}" if name is not None and Path(name) != Path(path) else ""
    if isinstance(err, PermissionError):
        return f"permission denied{where}"
    if isinstance(err, (FileExistsError, NotADirectoryError)) and name is not None:
        return f"{name} is a file, not a folder"
    return f"{(err.strerror or str(err)).lower()}{where}"


_KINDS = ((stat.S_ISREG, "a file"), (stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a named pipe (FIFO)"),
          (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"))


def _what(mode: int) -> str:
    """What a file of ``mode`` (``os.stat``) is, for a message."""
    return next((kind for test, kind in _KINDS if test(mode)), "neither a file nor a folder")


def _stat(path: Path, option: str) -> Optional[os.stat_result]:
    """``os.stat`` of ``path`` (links followed), None when nothing is there;
    a link loop is an error naming ``option`` (``-o``, or the PROJECT)."""
    try:
        return os.stat(path)
    except (FileNotFoundError, NotADirectoryError):
        return None
    except OSError as err:
        if err.errno == errno.ELOOP:
            raise _UsageError(f"{option}{path} is a symbolic link loop (it points, through links, back to "
                              "itself); remove the link or name another path") from None
        raise


# -- reading ------------------------------------------------------------------

#: Files of a CSV project folder that the reader opens.
_CSV_FILES = (*_TABLE_FILES, "groups.csv", "members.csv", "project.json")


def _kind(path: str) -> str:
    """``"csv"`` or ``"qdpx"`` for what lies at ``path``, judged by its content.
    Only regular files and folders are opened: a named pipe or a device would
    block the read or never end."""
    if not path:
        raise _UsageError(f"the PROJECT path is empty; name a file or folder, or leave PROJECT out for "
                          f"the embedded example; {_ACCEPTED}")
    p = Path(path)
    try:
        info = _stat(p, "")
    except OSError as err:
        raise _UsageError(f"cannot read {path}: {_reason(err, path)}") from None
    if info is None:
        raise _UsageError(f"{path}: no such file or folder; {_ACCEPTED}")
    if not (stat.S_ISREG(info.st_mode) or stat.S_ISDIR(info.st_mode)):
        raise _UsageError(f"{path} is {_what(info.st_mode)}, not a file or folder, so not a project; "
                          f"{_ACCEPTED}")
    try:
        if stat.S_ISDIR(info.st_mode):
            names = {child.name.lower(): child.name for child in p.iterdir()}
            if "project.json" in names or any(t in names for t in _TABLE_FILES):
                for name in _CSV_FILES:
                    member = _stat(p / names[name], "") if name in names else None
                    if member is not None and not stat.S_ISREG(member.st_mode):
                        raise _UsageError(f"{p / names[name]} is {_what(member.st_mode)}, not a file; a CSV "
                                          "project folder holds its tables as files: replace it, or write "
                                          "the folder again with Project.to_csv")
                return "csv"
            if "project.qde" in names:
                raise _UsageError(f"{path} is an unpacked .qdpx archive (a folder holding project.qde); "
                                  "pass the .qdpx file itself, or zip the folder's contents into one")
            found = sorted(n for k, n in names.items() if k.endswith((".qdpx", ".qde")))
            hint = f"; it holds {', '.join(found[:3])}: pass one of those" if found else ""
            raise _UsageError(f"{path} is a folder without codes.csv, documents.csv, items.csv or "
                              f"codings.csv{hint}; {_ACCEPTED}")
        with open(p, "rb") as f:
            head = f.read(64)
    except OSError as err:
        raise _UsageError(f"cannot read {path}: {_reason(err, path)}") from None
    if head.startswith(b"PK\x03\x04"):
        return "qdpx"  # a zip: read as a .qdpx archive
    if head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<") or head.startswith((b"\xff\xfe<", b"\xfe\xff\0<")):
        return "qdpx"  # XML: read as a bare .qde
    if p.name.lower() in _TABLE_FILES:
        raise _UsageError(f"{path} is one table of a CSV project; pass its folder {p.parent} instead")
    what = "an empty file" if not head else "neither a zip archive (.qdpx) nor XML (.qde)"
    raise _UsageError(f"{path} is {what}, so not a project; {_ACCEPTED}")


def _load(path: Optional[str]) -> Project:
    """The project at ``path`` (see the module docstring), or the example."""
    if path is None:
        return datasets.megaregions()
    kind = _kind(path)
    what = "a CSV project folder" if kind == "csv" else "a REFI-QDA project"
    fix = ("correct the CSV files or project.json, or write the folder again with Project.to_csv"
           if kind == "csv" else "export the project again from the QDA software")
    try:
        return read_csv_folder(path) if kind == "csv" else read_qdpx(path)
    except OSError as err:
        raise _UsageError(f"cannot read {path}: {_reason(err, path)}") from None
    except (ValueError, TypeError, KeyError) as err:
        # ValueError: the readers' and Project's checks (and json, zip, XML, pandas
        # parse errors); TypeError: a column of the wrong type (text offsets) or a
        # dtype project.json names wrongly; KeyError: project.json lacks an entry
        detail = f"missing entry {err}" if isinstance(err, KeyError) else str(err)
        raise _UsageError(f"cannot read {path} as {what}: {detail}; {fix}") from None


# -- writing ------------------------------------------------------------------


def _output(value: str) -> Path:
    """The path of ``-o/--output``; an empty one is an error (it would mean the
    current folder)."""
    if not value:
        raise _UsageError("-o/--output is empty; name the file or folder to write")
    return Path(value)


def _check_output(out: Path, example: Optional[str], contents: Sequence[str] = ()) -> None:
    """Refuse an output of the wrong kind before any work is done: a folder
    where a file (such as ``example``) is written, a file where a folder
    (``example`` None, holding ``contents``) is, a named pipe or a device
    (writing would block, or go nowhere), an empty path or a link loop."""
    try:
        info = _stat(out, "-o ")
    except OSError:
        info = None  # not searchable: the permission check below, or the writing, says so
    if example is None and info is not None:
        if not stat.S_ISDIR(info.st_mode):
            kind = "a file" if stat.S_ISREG(info.st_mode) else _what(info.st_mode)
            raise _UsageError(f"-o {out} is {kind}, but a folder is written there; name a folder")
        for name in contents:
            try:
                inner = _stat(out / name, "-o ")
            except OSError:
                continue
            if inner is not None and not stat.S_ISREG(inner.st_mode) and not \
                    (stat.S_ISDIR(inner.st_mode) and not Path(name).suffix):
                raise _UsageError(f"-o {out}: {out / name} is {_what(inner.st_mode)}, and a file is written "
                                  "there; remove it or name another folder")
    if example is not None and info is not None:
        if stat.S_ISDIR(info.st_mode):
            raise _UsageError(f"-o {out} is a folder; name the file to write, such as {out / example}")
        if not stat.S_ISREG(info.st_mode):
            raise _UsageError(f"-o {out} is {_what(info.st_mode)}, not a regular file; name a new file or "
                              "a regular one to overwrite")
    # the nearest folder that exists must let us in (a second check is the writing itself)
    existing = out if out.exists() else next((p for p in out.absolute().parents if p.exists()), None)
    if existing is not None and not os.access(existing, os.W_OK | (os.X_OK if existing.is_dir() else 0)):
        where = "" if existing == out else f" on {existing}"
        raise _UsageError(f"cannot write {out}: permission denied{where}; choose another -o/--output "
                          "in a folder you may write to")


@contextmanager
def _writing(out: Path) -> Iterator[None]:
    """Turn an OSError while writing ``out`` into a one-line usage error."""
    try:
        yield
    except OSError as err:
        raise _UsageError(f"cannot write {out}: {_reason(err, out)}; choose another -o/--output "
                          "in a folder you may write to") from None


def _report(args: argparse.Namespace) -> int:
    out = _output(args.output)
    _check_output(out, "report.html")
    project = _load(args.project)
    with _writing(out):
        written = build_report(project, out, title=args.title)
    print(f"report written to {written.resolve()}")
    return 0


def _info(args: argparse.Namespace) -> int:
    project = _load(args.project)
    print(repr(project))
    print(project.sizes.to_string())
    print(f"levels: {', '.join(map(str, project.codebook.levels))}")
    print(f"group sets: {', '.join(map(str, project.codebook.sets)) or 'none'}")
    return 0


def _export(args: argparse.Namespace) -> int:
    out = _output(args.output)
    _check_output(out, None if args.to == "csv" else f"project.{args.to}", _CSV_FILES)
    if args.to == "xlsx":
        try:
            import openpyxl  # noqa: F401  (pandas' Excel engine; fail before reading the project)
        except ImportError:
            raise _UsageError(f"--to xlsx needs openpyxl, which is not installed: {_EXCEL_HINT}") from None
    project = _load(args.project)
    with _writing(out):
        try:
            if args.to == "csv":
                project.to_csv(out)
            else:
                out.parent.mkdir(parents=True, exist_ok=True)
                if args.to == "xlsx":
                    project.to_excel(out)
                else:
                    write_qdpx(project, out)
        except ImportError as err:  # an openpyxl pandas does not accept
            raise _UsageError(f"--to xlsx: {_one_line(str(err))}; {_EXCEL_HINT}") from None
        except ValueError as err:  # content the format cannot carry
            raise _UsageError(f"cannot export {args.project or 'the example'} to {args.to}: {err}") from None
    print(f"{args.to} written to {out.resolve()}")
    return 0


def _read_codebook(path: str) -> Codebook:
    """A codebook from a REFI-QDA codebook (.qdc), a project (.qdpx) or a codes CSV."""
    suffix = Path(path).suffix.lower()
    try:
        if suffix == ".qdc":
            return read_qdc(path)
        if suffix in (".qdpx", ".qde"):
            return read_qdpx(path).codebook
        return Codebook(pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""]))
    except OSError as err:
        raise _UsageError(f"cannot read --codebook {path}: {_reason(err, path)}") from None
    except (ValueError, TypeError, KeyError) as err:
        raise _UsageError(f"cannot read --codebook {path} (a .qdc, a .qdpx or a CSV with code, parent, "
                          f"level and keywords_zh columns): {err}") from None


def _ingest(args: argparse.Namespace) -> int:
    from .io.documents import read_documents

    out = _output(args.output)
    qdpx = out.suffix.lower() == ".qdpx"
    _check_output(out, "project.qdpx" if qdpx else None, () if qdpx else _CSV_FILES)
    if args.autocode and not args.codebook:
        raise _UsageError("--autocode needs --codebook FILE, whose codes carry the keywords")
    codebook = _read_codebook(args.codebook) if args.codebook else None
    for source in args.folder:
        _kind_of_input(source)
    try:
        documents = read_documents(args.folder, recursive=args.recursive, encoding=args.encoding,
                                   nfkc=not args.no_nfkc)
    except OSError as err:
        raise _UsageError(f"cannot read {args.folder[0]}: {_reason(err, args.folder[0])}") from None
    except (ValueError, TypeError) as err:
        raise _UsageError(str(err)) from None
    if args.attributes:
        try:
            attributes = pd.read_csv(args.attributes, dtype={"doc": str})
        except (OSError, ValueError) as err:
            raise _UsageError(f"cannot read --attributes {args.attributes}: {err}") from None
        if "doc" not in attributes.columns or attributes["doc"].duplicated().any():
            raise _UsageError(f"--attributes {args.attributes} needs a doc column with one row per document")
        documents = documents.merge(attributes, on="doc", how="left", suffixes=("", "_attribute"))
    try:
        project = Project.from_documents(documents, codebook, rule=args.rule, name=Path(out).stem)
        if args.autocode:
            project = project.autocode(scope=args.scope)
    except (ValueError, TypeError) as err:
        raise _UsageError(str(err)) from None
    with _writing(out):
        if qdpx:
            out.parent.mkdir(parents=True, exist_ok=True)
            write_qdpx(project, out)
        else:
            project.to_csv(out)
    read = int(documents["status"].eq("read").sum())
    print(f"{read} of {len(documents)} documents read, {len(project.items)} items, "
          f"{len(project.codings)} codings; project written to {out.resolve()}")
    return 0


def _kind_of_input(path: str) -> None:
    info = _stat(Path(path), "")
    if info is None:
        raise _UsageError(f"{path} does not exist; FOLDER is a folder of documents or a document file")
    if not (stat.S_ISDIR(info.st_mode) or stat.S_ISREG(info.st_mode)):
        raise _UsageError(f"{path} is {_what(info.st_mode)}, not a folder or a file of documents")


#: What ``qdacore demo`` writes in its folder.
_DEMO_FILES = ("frequencies_vision.csv", "frequencies_theme.csv", "frequencies_subtheme.csv",
               "theme_by_region.csv", "report.html", "project",
               *(f"project/{name}" for name in _CSV_FILES))


def _demo(args: argparse.Namespace) -> int:
    out = _output(args.output)
    _check_output(out, None, _DEMO_FILES)
    project = datasets.megaregions(seed=args.seed)
    print(f"{project!r}\n{project.codings['synthetic'].mean():.1%} of the codings are synthetic: "
          "a calibrated reconstruction of the study's totals, not its data.\n")
    tables = {  # the names are in _DEMO_FILES
        "frequencies_vision": project.frequencies("vision", labels=True),
        "frequencies_theme": project.frequencies("theme", labels=True),
        "frequencies_subtheme": project.frequencies("subtheme", labels=True),
        "theme_by_region": project.code_document_table("theme", by="region", margins=True),
    }
    with _writing(out), pd.option_context("display.width", 120, "display.max_columns", 8):
        out.mkdir(parents=True, exist_ok=True)
        for name, table in tables.items():
            print(f"== {name} ==\n{table}\n")
            table.to_csv(out / f"{name}.csv")
        project.to_csv(out / "project")
        report = build_report(project, out / "report.html")
    print(f"wrote {len(tables)} tables and the project (CSV) to {out.resolve()}")
    print(f"report written to {report.resolve()}")
    return 0


def parser() -> argparse.ArgumentParser:
    """The argument parser of the ``qdacore`` command.

    Examples
    --------
    >>> from qdacore.cli import parser
    >>> parser().parse_args(["export", "--to", "csv", "-o", "out"]).to
    'csv'
    """
    project_help = "a .qdpx archive, a .qde project XML or a CSV project folder (default: the example)"
    top = _Parser(
        prog="qdacore", description="Thematic analysis of coded policy corpora.",
        epilog="PROJECT: a .qdpx archive, a bare .qde project XML, a CSV project folder "
               "(qdacore export --to csv), or nothing for the embedded example. Errors print one "
               "line on stderr and exit with code 2.")
    top.add_argument("--version", action="version", version=f"qdacore {__version__}")
    sub = top.add_subparsers(dest="command", required=True, metavar="COMMAND")
    ingest = sub.add_parser("ingest", help="build a project from a folder of documents",
                            description="Read documents (.txt, .md, .html, .docx, .pdf), split them into "
                                        "items with their outline, optionally code them with a codebook's "
                                        "keywords, and write the project for qdacore report.")
    ingest.add_argument("folder", nargs="+", metavar="FOLDER", help="a folder of documents, or document files")
    ingest.add_argument("-o", "--output", required=True, metavar="PROJECT",
                        help="CSV project folder to write (or a .qdpx file)")
    ingest.add_argument("--codebook", metavar="FILE", help="a .qdc, a .qdpx, or a codes CSV (code, parent, "
                        "level, keywords_zh)")
    ingest.add_argument("--autocode", action="store_true", help="code the items with the codebook's keywords")
    ingest.add_argument("--scope", default="item", choices=["item", "sentence", "match"],
                        help="span of each dictionary coding (default item: REFI-QDA codes whole items)")
    ingest.add_argument("--rule", default="paragraph", choices=["paragraph", "clause"],
                        help="items are paragraphs (default) or clauses")
    ingest.add_argument("--attributes", metavar="CSV", help="document attributes: a doc column (the file "
                        "name without suffix) and others such as region")
    ingest.add_argument("--encoding", help="encoding of the text files (default: detected)")
    ingest.add_argument("--no-nfkc", action="store_true",
                        help="keep the text as written (no NFKC: full-width letters and digits stay)")
    ingest.add_argument("--recursive", action="store_true", help="also read subfolders")
    ingest.set_defaults(run=_ingest)
    report = sub.add_parser("report", help="write the HTML report of a project",
                            description="Write one self-contained HTML report.")
    report.add_argument("project", nargs="?", metavar="PROJECT", help=project_help)
    report.add_argument("-o", "--output", default="report.html", help="HTML file (default report.html)")
    report.add_argument("--title", help="heading of the report")
    report.set_defaults(run=_report)
    info = sub.add_parser("info", help="sizes, levels and group sets of a project",
                          description="Print the sizes, levels and group sets of a project.")
    info.add_argument("project", nargs="?", metavar="PROJECT", help=project_help)
    info.set_defaults(run=_info)
    export = sub.add_parser("export", help="convert a project to CSV, Excel or REFI-QDA",
                            description="Write a project as a CSV folder, an .xlsx workbook (needs "
                                        "openpyxl: pip install 'qdacore[excel]') or a .qdpx file.")
    export.add_argument("project", nargs="?", metavar="PROJECT", help=project_help)
    export.add_argument("--to", required=True, choices=["csv", "xlsx", "qdpx"])
    export.add_argument("-o", "--output", required=True, help="folder (csv) or file (xlsx, qdpx)")
    export.set_defaults(run=_export)
    demo = sub.add_parser("demo", help="run the main job on the embedded example",
                          description="Frequency tables, the project as CSV and the report of the example.")
    demo.add_argument("-o", "--output", default="demo-output", help="folder for the outputs")
    demo.add_argument("--seed", type=int, default=0, help="seed of the example corpus")
    demo.set_defaults(run=_demo)
    return top


def _warning_printer(command: str) -> Callable[..., None]:
    """A ``warnings.showwarning`` that prints one line per warning."""
    def show(message: Any, category: type[Warning], filename: str, lineno: int,
             file: Optional[TextIO] = None, line: Optional[str] = None) -> None:
        print(f"qdacore {command}: warning: {_one_line(str(message))}", file=file or sys.stderr)
    return show


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Run the ``qdacore`` command with ``argv`` (default: the process's
    arguments); returns the exit code.

    Examples
    --------
    >>> from qdacore.cli import main
    >>> main(["info"])  # doctest: +ELLIPSIS
    <Project 'megaregions': 21 documents, 1199 items, 1578 codings, 73 codes>
    ...
    0
    """
    args = parser().parse_args(argv)
    with warnings.catch_warnings():  # restores showwarning afterwards
        warnings.showwarning = _warning_printer(args.command)
        try:
            return int(args.run(args))
        except _UsageError as err:
            print(f"qdacore {args.command}: error: {_one_line(str(err))}", file=sys.stderr)
            return 2
        except KeyboardInterrupt:
            print(f"qdacore {args.command}: interrupted", file=sys.stderr)
            return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
