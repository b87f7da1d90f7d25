"""Reading and writing projects: CSV folders (:mod:`qdacore.io.csv`)."""
from .csv import read_csv_folder, write_csv_folder

__all__ = ["read_csv_folder", "write_csv_folder"]
