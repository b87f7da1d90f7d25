"""Command line: ``qdacore demo`` and ``qdacore info``.

``qdacore demo`` runs the main job on the embedded example (a synthetic corpus
calibrated to the study): it prints the frequency tables by vision, theme and
sub-theme and the theme x mega-region table, and writes them as CSV together
with the project itself. The HTML report replaces the printout when it lands.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Optional, Sequence

import pandas as pd

from . import __version__, datasets
from .project import Project


def _load(path: Optional[str]) -> Project:
    if path is None:
        return datasets.megaregions()
    return Project.from_csv(path)


def _demo(args: argparse.Namespace) -> int:
    project = datasets.megaregions(seed=args.seed)
    out = Path(args.output)
    out.mkdir(parents=True, exist_ok=True)
    synthetic = project.codings["synthetic"].mean()
    print(f"{project!r}\n{synthetic:.1%} of the codings are synthetic: a calibrated "
          "reconstruction of the study's totals, not its data.\n")
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
    print(f"wrote {len(tables)} tables and the project (CSV) to {out.resolve()}")
    return 0


def _info(args: argparse.Namespace) -> int:
    project = _load(args.project)
    print(repr(project))
    print(project.sizes.to_string())
    print(f"levels: {', '.join(map(str, project.codebook.levels))}")
    print(f"group sets: {', '.join(map(str, project.codebook.sets)) or 'none'}")
    return 0


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="qdacore", description="qdacore command line")
    parser.add_argument("--version", action="version", version=f"qdacore {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    demo = sub.add_parser("demo", help="run the main job on the embedded example")
    demo.add_argument("--output", "-o", default="demo-output", help="folder for the outputs")
    demo.add_argument("--seed", type=int, default=0, help="seed of the example corpus")
    demo.set_defaults(run=_demo)
    info = sub.add_parser("info", help="sizes, levels and group sets of a project")
    info.add_argument("project", nargs="?", help="a CSV project folder (default: the example)")
    info.set_defaults(run=_info)
    args = parser.parse_args(argv)
    try:
        return args.run(args)
    except (OSError, ValueError, TypeError) as err:
        print(f"qdacore {args.command}: error: {err}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
