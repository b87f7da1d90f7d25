"""Shared fixtures: seeded random projects and the paths of the shared data."""
from __future__ import annotations

import os
import sys
import zipfile
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

import qdacore as qc  # noqa: E402

from reference import random_tables  # noqa: E402

#: ../shared beside the checkout (or $QDACORE_SHARED); tests that need it skip
#: with a reason when it is absent.
SHARED = Path(os.environ.get("QDACORE_SHARED") or Path(__file__).resolve().parents[2] / "shared")


# tests/fuzz holds fuzz targets and scripts, not tests (run.py needs atheris,
# which `make fuzz-py` installs); tests/test_fuzz_regressions.py runs them
collect_ignore_glob = ["fuzz/*"]

def project_from(tables):
    codebook = qc.Codebook(tables["codes"], tables["groups"], tables["members"])
    return qc.Project(codebook, tables["documents"], tables["items"], tables["codings"])


@pytest.fixture(scope="session")
def megaregions():
    return qc.datasets.megaregions()


@pytest.fixture(scope="module")
def client():
    """A Dask client of a 2-worker LocalCluster (processes, 1 GiB each): a
    small real cluster, started once per test file that uses it and stopped
    after it, so no other test runs beside its workers."""
    pytest.importorskip("dask.dataframe", reason="qdacore.dask needs dask (qdacore[dask])")
    distributed = pytest.importorskip("distributed", reason="the tests run a LocalCluster")
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                       memory_limit="1GiB", dashboard_address=None)
    with distributed.Client(cluster) as c:
        yield c
    cluster.close()


@pytest.fixture(params=range(40), ids=lambda s: f"seed{s}")
def random_project(request):
    tables = random_tables(request.param)
    return tables, project_from(tables)


def edit_member(archive: Path, out: Path, member: str, change) -> Path:
    """A copy of a zip archive whose ``member`` went through ``change`` (bytes to bytes)."""
    with zipfile.ZipFile(archive) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            dst.writestr(info, change(data) if info.filename == member else data)
    return out
