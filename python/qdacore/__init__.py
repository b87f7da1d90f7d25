"""qdacore: the analytical core for computational thematic analysis of policy corpora.

A :class:`Project` holds a codebook (hierarchy and group sets), documents,
coded items and codings; counting, co-occurrence and agreement run in C over
integer arrays derived from them, and results come back as labelled pandas
objects.

>>> import qdacore as qc
>>> qc.datasets.megaregions().frequencies("vision").sum()
np.int64(1578)
"""
__version__ = "0.1.0"  # before the submodules, which quote it

from . import datasets, plot, report, text  # noqa: E402
from .codebook import Codebook  # noqa: E402
from .io.qdpx import read_qdc, read_qdpx, write_qdc, write_qdpx  # noqa: E402
from .project import CodingArrays, Project  # noqa: E402

__all__ = ["Codebook", "CodingArrays", "Project", "datasets", "plot", "report", "text", "read_qdc",
           "read_qdpx", "write_qdc", "write_qdpx", "__version__"]
