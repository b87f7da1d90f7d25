"""Reading and writing projects: CSV folders (:mod:`qdacore.io.csv`) and
REFI-QDA projects and codebooks (:mod:`qdacore.io.qdpx`)."""
from .csv import read_csv_folder, write_csv_folder
from .qdpx import read_qdc, read_qdpx, write_qdc, write_qdpx

__all__ = ["read_csv_folder", "write_csv_folder", "read_qdpx", "write_qdpx", "read_qdc", "write_qdc"]
