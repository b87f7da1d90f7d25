"""The command line: report, info, export and demo write what they say; errors
give exit code 2 and a one-line message; --help works on every command."""
from __future__ import annotations

import subprocess
import sys

import pandas as pd
import pytest

from qdacore.cli import main, parser


def test_demo_writes_tables_project_and_report(tmp_path, capsys):
    assert main(["demo", "--output", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "synthetic" in out and str((tmp_path / "report.html").resolve()) in out
    vision = pd.read_csv(tmp_path / "frequencies_vision.csv", index_col=0)
    assert vision["codings"].tolist() == [496, 484, 598]  # the study's totals
    assert (tmp_path / "project" / "project.json").exists()
    assert main(["info", str(tmp_path / "project")]) == 0
    assert "1578" in capsys.readouterr().out


def test_report_and_export(tmp_path, capsys):
    assert main(["report", "-o", str(tmp_path / "r.html"), "--title", "Plans"]) == 0
    assert "<h1>Plans</h1>" in (tmp_path / "r.html").read_text(encoding="utf-8")
    assert main(["export", "--to", "csv", "-o", str(tmp_path / "csv")]) == 0
    assert main(["report", str(tmp_path / "csv"), "-o", str(tmp_path / "r2.html")]) == 0
    assert f"report written to {(tmp_path / 'r2.html').resolve()}" in capsys.readouterr().out


@pytest.mark.filterwarnings("ignore::UserWarning")
def test_export_to_qdpx_and_excel_and_back(tmp_path, capsys):
    pytest.importorskip("openpyxl")
    assert main(["export", "--to", "qdpx", "-o", str(tmp_path / "x.qdpx")]) == 0
    assert main(["export", "--to", "xlsx", "-o", str(tmp_path / "x.xlsx")]) == 0
    assert main(["info", str(tmp_path / "x.qdpx")]) == 0
    assert "1578" in capsys.readouterr().out
    sheets = pd.read_excel(tmp_path / "x.xlsx", sheet_name=None)
    assert len(sheets["codings"]) == 1578
    assert main(["report", str(tmp_path / "x.qdpx"), "-o", str(tmp_path / "q.html")]) == 0


@pytest.mark.parametrize("argv, words", [
    (["info", "missing-folder"], "neither a .qdpx file nor a CSV project folder"),
    (["report", "missing.qdpx"], "qdpx"),
    (["export", "--to", "xlsx", "-o", "x.xlsx", "missing"], "neither"),
])
def test_errors_exit_with_2(argv, words, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"qdacore {argv[0]}: error:") and words in err


@pytest.mark.parametrize("command", ["report", "info", "export", "demo"])
def test_help_on_every_command(command):
    with pytest.raises(SystemExit) as exit_info:
        parser().parse_args([command, "--help"])
    assert exit_info.value.code == 0


def test_module_entry_point():
    result = subprocess.run([sys.executable, "-m", "qdacore", "--version"], capture_output=True, text=True)
    assert result.returncode == 0 and result.stdout.startswith("qdacore ")
