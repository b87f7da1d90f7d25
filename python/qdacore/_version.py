"""The version of qdacore (one place; the package and its exports quote it)."""

__version__ = "0.1.0"
