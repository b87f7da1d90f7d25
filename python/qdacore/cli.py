"""Command line: ``qdacore report``, ``qdacore info``, ``qdacore export`` and
``qdacore demo``.

PROJECT arguments name a REFI-QDA project (``.qdpx``), a CSV project folder
(:meth:`qdacore.Project.to_csv`), or nothing for the embedded example (a
synthetic corpus calibrated to the study). Exit codes: 0 success, 2 bad input
(a message on stderr says what and how to fix it).
"""
from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Optional

import pandas as pd

from . import datasets
from ._version import __version__
from .io import read_csv_folder, read_qdpx, write_qdpx
from .project import Project
from .report import build_report

__all__ = ["main", "parser"]


class _UsageError(Exception):
    """Bad input from the command line; printed without a traceback."""


def _load(path: Optional[str]) -> Project:
    """The project at ``path`` (.qdpx file or CSV folder), or the example."""
    if path is None:
        return datasets.megaregions()
    p = Path(path)
    if p.suffix.lower() == ".qdpx":
        return read_qdpx(p)
    if p.is_dir():
        return read_csv_folder(p)
    raise _UsageError(f"{path!r} is neither a .qdpx file nor a CSV project folder")


def _report(args: argparse.Namespace) -> int:
    project = _load(args.project)
    out = build_report(project, args.output, title=args.title)
    print(f"report written to {out.resolve()}")
    return 0


def _info(args: argparse.Namespace) -> int:
    project = _load(args.project)
    print(repr(project))
    print(project.sizes.to_string())
    print(f"levels: {', '.join(map(str, project.codebook.levels))}")
    print(f"group sets: {', '.join(map(str, project.codebook.sets)) or 'none'}")
    return 0


def _export(args: argparse.Namespace) -> int:
    project = _load(args.project)
    out = Path(args.output)
    if args.to == "csv":
        project.to_csv(out)
    elif args.to == "xlsx":
        project.to_excel(out)
    else:
        write_qdpx(project, out)
    print(f"{args.to} written to {out.resolve()}")
    return 0


def _demo(args: argparse.Namespace) -> int:
    project = datasets.megaregions(seed=args.seed)
    out = Path(args.output)
    out.mkdir(parents=True, exist_ok=True)
    print(f"{project!r}\n{project.codings['synthetic'].mean():.1%} of the codings are synthetic: "
          "a calibrated reconstruction of the study's totals, not its data.\n")
    tables = {
        "frequencies_vision": project.frequencies("vision", labels=True),
        "frequencies_theme": project.frequencies("theme", labels=True),
        "frequencies_subtheme": project.frequencies("subtheme", labels=True),
        "theme_by_region": project.code_document_table("theme", by="region", margins=True),
    }
    with pd.option_context("display.width", 120, "display.max_columns", 8):
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
    top = argparse.ArgumentParser(
        prog="qdacore", description="Thematic analysis of coded policy corpora.",
        epilog="PROJECT: a .qdpx file, a CSV project folder, or nothing for the example.")
    top.add_argument("--version", action="version", version=f"qdacore {__version__}")
    sub = top.add_subparsers(dest="command", required=True, metavar="COMMAND")
    report = sub.add_parser("report", help="write the HTML report of a project",
                            description="Write one self-contained HTML report.")
    report.add_argument("project", nargs="?", metavar="PROJECT")
    report.add_argument("-o", "--output", default="report.html", help="HTML file (default report.html)")
    report.add_argument("--title", help="heading of the report")
    report.set_defaults(run=_report)
    info = sub.add_parser("info", help="sizes, levels and group sets of a project",
                          description="Print the sizes, levels and group sets of a project.")
    info.add_argument("project", nargs="?", metavar="PROJECT")
    info.set_defaults(run=_info)
    export = sub.add_parser("export", help="convert a project to CSV, Excel or REFI-QDA",
                            description="Write a project as a CSV folder, an .xlsx workbook or a .qdpx file.")
    export.add_argument("project", nargs="?", metavar="PROJECT")
    export.add_argument("--to", required=True, choices=["csv", "xlsx", "qdpx"])
    export.add_argument("-o", "--output", required=True, help="folder (csv) or file (xlsx, qdpx)")
    export.set_defaults(run=_export)
    demo = sub.add_parser("demo", help="run the main job on the embedded example",
                          description="Frequency tables, the project as CSV and the report of the example.")
    demo.add_argument("-o", "--output", default="demo-output", help="folder for the outputs")
    demo.add_argument("--seed", type=int, default=0, help="seed of the example corpus")
    demo.set_defaults(run=_demo)
    return top


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
    try:
        return args.run(args)
    except (_UsageError, OSError, ValueError, TypeError) as err:
        print(f"qdacore {args.command}: error: {err}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
