"""Reading and writing projects: REFI-QDA projects and codebooks (``.qdpx``,
``.qdc``; the mapping is documented in :mod:`qdacore.io.qdpx`), CSV folders
(:mod:`qdacore.io.csv`), Excel workbooks that read back (:mod:`qdacore.io.excel`),
and tidy tables for spreadsheets (:mod:`qdacore.io.tidy`); coders' copies
of one project merged for agreement (:mod:`qdacore.io.merge`); and documents
(text, Markdown, HTML, DOCX, PDF) read into a documents table
(:mod:`qdacore.io.documents`), from which :meth:`qdacore.Project.from_documents`
builds a project; and texts from Parquet files a batch at a time
(:func:`read_parquet_batches`), for corpora larger than memory.

Readers return a :class:`~qdacore.Project` (or a :class:`~qdacore.Codebook`);
writers take one. ``qc.read_qdpx``, ``qc.merge_coders`` and the other REFI-QDA
functions are also reachable from the top of the package.
"""
from .._partial import TextBatches
from ._parquet import read_parquet_batches
from .csv import read_csv_folder, write_csv_folder
from .documents import DocumentWarning, read_documents
from .excel import read_excel, write_excel
from .merge import merge_coders
from .qdpx import PositionsWarning, QdpxWarning, read_qdc, read_qdpx, write_qdc, write_qdpx
from .tidy import code_paths, codings_table

__all__ = ["read_qdpx", "write_qdpx", "read_qdc", "write_qdc", "read_csv_folder",
           "write_csv_folder", "read_excel", "write_excel", "merge_coders", "codings_table",
           "code_paths", "read_documents", "QdpxWarning", "PositionsWarning",
           "DocumentWarning", "read_parquet_batches", "TextBatches"]
