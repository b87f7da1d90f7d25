"""qdacore: the analytical core for computational thematic analysis of policy corpora.

A :class:`Project` holds a codebook (hierarchy and group sets), documents,
coded items and codings; counting, co-occurrence and agreement run in C over
integer arrays derived from them, and results come back as labelled pandas
objects.

>>> import qdacore as qc
>>> qc.datasets.megaregions().frequencies("vision").sum()
np.int64(1578)
"""
from . import datasets
from .codebook import Codebook
from .io.qdpx import read_qdc, read_qdpx, write_qdc, write_qdpx
from .project import CodingArrays, Project

__version__ = "0.1.0"

__all__ = ["Codebook", "CodingArrays", "Project", "datasets", "read_qdc", "read_qdpx",
           "write_qdc", "write_qdpx", "__version__"]
