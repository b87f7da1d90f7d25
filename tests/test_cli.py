"""The command line: `qdacore demo` writes its tables, `qdacore info` reads a
folder, errors give exit code 2 and a message."""
from __future__ import annotations

import subprocess
import sys

import pandas as pd

from qdacore.cli import main


def test_demo_writes_tables_and_project(tmp_path, capsys):
    assert main(["demo", "--output", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "synthetic" in out and str(tmp_path.resolve()) in out
    vision = pd.read_csv(tmp_path / "frequencies_vision.csv", index_col=0)
    assert vision["codings"].tolist() == [496, 484, 598]  # the study's totals
    assert (tmp_path / "project" / "project.json").exists()
    assert main(["info", str(tmp_path / "project")]) == 0
    assert "1578" in capsys.readouterr().out


def test_errors_exit_with_2(tmp_path, capsys):
    assert main(["info", str(tmp_path / "missing")]) == 2
    assert "not a directory" in capsys.readouterr().err


def test_module_entry_point():
    result = subprocess.run([sys.executable, "-m", "qdacore", "--version"], capture_output=True, text=True)
    assert result.returncode == 0 and result.stdout.startswith("qdacore ")
