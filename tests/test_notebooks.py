"""Every notebook in notebooks/ runs headless from top to bottom (nbclient).

Notebooks read shared data (../shared/data) when present and skip those parts
with a message otherwise, so this test runs either way.
"""
from __future__ import annotations

from pathlib import Path

import pytest

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("*.ipynb"))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_runs(path):
    nbformat = pytest.importorskip("nbformat", reason="nbformat is a test extra")
    nbclient = pytest.importorskip("nbclient", reason="nbclient is a test extra")
    pytest.importorskip("ipykernel", reason="ipykernel is a test extra")
    notebook = nbformat.read(path, as_version=4)
    client = nbclient.NotebookClient(notebook, timeout=120, kernel_name="python3",
                                     resources={"metadata": {"path": str(path.parent)}})
    client.execute()
    errors = [out for cell in notebook.cells if cell.cell_type == "code"
              for out in cell.get("outputs", []) if out.get("output_type") == "error"]
    assert not errors
