"""What `pip install .` ships: the extension, its stub, py.typed and the data."""
from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_wheel_contents(tmp_path):
    import qdacore
    if ROOT / "python" not in Path(qdacore.__file__).resolve().parents:
        pytest.skip("testing an installed wheel: make test-wheel builds and checks the wheel itself")
    result = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", str(ROOT), "--no-deps", "--no-build-isolation",
         "-q", "-w", str(tmp_path)],
        capture_output=True, text=True,
    )
    assert result.returncode == 0, result.stderr
    wheel = next(tmp_path.glob("qdacore-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    assert any(n.startswith("qdacore/_core.") and n.endswith(".so") for n in names)
    for required in ["qdacore/_core.pyi", "qdacore/py.typed",
                     "qdacore/datasets/data/megaregion_codes.csv",
                     "qdacore/datasets/data/megaregion_documents.csv",
                     "qdacore/datasets/data/megaregion_cited_items.csv",
                     "qdacore/datasets/data/megaregion_groups.csv",
                     "qdacore/datasets/data/megaregion_members.csv",
                     "qdacore/datasets/data/megaregion_cities.csv"]:
        assert required in names, required
    assert not any(n.startswith(("csrc/", "tests/")) for n in names)
