"""qdacore: the analytical core for computational thematic analysis of policy corpora.

A :class:`Project` holds a codebook (hierarchy and group sets), documents,
coded items and codings; counting, co-occurrence and agreement run in C over
integer arrays derived from them, and results come back as labelled pandas
objects.

Every public module is reachable from here (``qc.agree``, ``qc.cooc``,
``qc.indices``, ``qc.io``, ``qc.plot``, ``qc.spatial``, ``qc.text`` ...);
those a Project does not need are imported on first use.

>>> import qdacore as qc
>>> qc.datasets.megaregions().frequencies("vision").sum()
np.int64(1578)
"""
from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from . import agree, codebook, cooc, plot  # noqa: E402  (the Project's own imports)
from ._model import CodingArrays, Split  # noqa: E402
from ._pieces import CodeCounts  # noqa: E402
from ._version import __version__  # noqa: E402
from .codebook import Codebook  # noqa: E402
from .project import Project  # noqa: E402

# Imported on first use: name -> the module that holds it.
_LAZY = {
    "dask": None, "datasets": None, "indices": None, "io": None, "report": None,
    "spatial": None, "text": None,
    "read_qdpx": "io", "write_qdpx": "io", "read_qdc": "io", "write_qdc": "io",
    "merge_coders": "io", "read_documents": "io",
}

__all__ = [
    "Project", "Codebook", "CodeCounts", "CodingArrays", "Split",
    "read_qdpx", "write_qdpx", "read_qdc", "write_qdc", "merge_coders", "read_documents",
    "agree", "codebook", "cooc", "dask", "datasets", "indices", "io", "plot", "report", "spatial",
    "text", "__version__",
]

CodingArrays.__module__ = Split.__module__ = __name__  # documented and pickled as qdacore.<name>

if TYPE_CHECKING:  # pragma: no cover - what static tools should see
    from . import dask, datasets, indices, io, report, spatial, text
    from .io import merge_coders, read_qdc, read_qdpx, write_qdc, write_qdpx


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(f"module 'qdacore' has no attribute {name!r}")
    home = _LAZY[name]
    value = importlib.import_module(f".{home or name}", __name__)
    if home is not None:
        value = getattr(value, name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
