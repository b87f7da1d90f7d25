"""Texts read from Parquet a batch at a time, for corpora larger than memory."""
from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from typing import Any, Optional, Union

import pandas as pd

from .._partial import TextBatches

PathLike = Union[str, os.PathLike]


def read_parquet_batches(path: Union[PathLike, Sequence[PathLike]], column: str, *,
                         index: Optional[str] = None, batch_rows: Optional[int] = None,
                         progress: Optional[bool] = None) -> TextBatches:
    """A text column of Parquet files as batches: given as ``texts`` to
    :func:`qdacore.text.cooccurrence` or :func:`qdacore.text.term_matrix`,
    the corpus is counted one batch at a time, in bounded memory.

    Needs ``pyarrow`` (``pip install qdacore[dask]`` installs it). Nothing is
    read until the batches are iterated; each iteration reads the files again.

    Parameters
    ----------
    path : path or sequence of paths
        One Parquet file, or several read in the order given.
    column : str
        The column that holds the texts (string or large_string).
    index : str, optional
        A column whose values label the texts (in a :class:`TermMatrix`'s
        index); by default texts are numbered from 0 across all files.
    batch_rows : int, optional
        Rows per batch; by default one batch per row group, as the files
        were written.
    progress : bool, optional
        Show a progress bar over the batches; None shows one in terminals
        and notebooks only.

    Returns
    -------
    TextBatches

    Examples
    --------
    >>> import pandas as pd, tempfile, os
    >>> from qdacore.io import read_parquet_batches
    >>> from qdacore.text import cooccurrence
    >>> path = os.path.join(tempfile.mkdtemp(), "corpus.parquet")
    >>> pd.DataFrame({"text": ["城市群", "城市", "城乡"]}).to_parquet(path, row_group_size=2)
    >>> batches = read_parquet_batches(path, "text")
    >>> batches
    <TextBatches of 2 batches>
    >>> cooccurrence(batches, window=1)
      source target  count
    0      城      市      2
    1      乡      城      1
    2      市      群      1
    """
    try:
        import pyarrow.parquet as pq
    except ImportError:
        raise ImportError("read_parquet_batches needs pyarrow: pip install pyarrow "
                          "(or qdacore[dask])") from None
    paths = [path] if isinstance(path, (str, os.PathLike)) else list(path)
    if not paths:
        raise ValueError("path is empty: give at least one Parquet file")
    if batch_rows is not None and (not isinstance(batch_rows, int) or isinstance(batch_rows, bool)
                                   or batch_rows < 1):
        raise ValueError(f"batch_rows must be an int >= 1, got {batch_rows!r}")
    columns = [column] if index is None else [column, index]
    total = 0
    for p in paths:
        meta = pq.ParquetFile(p).metadata
        names = meta.schema.names
        for name, arg in ((column, "column"), (index, "index")):
            if name is not None and name not in names:
                raise KeyError(f"{arg}={name!r} is not a column of {os.fspath(p)!r}; "
                               f"its columns are {names}")
        total += (meta.num_row_groups if batch_rows is None
                  else -(-meta.num_rows // batch_rows) if meta.num_rows else 0)

    def batches() -> Iterator[pd.Series]:
        first = 0
        for p in paths:
            with pq.ParquetFile(p) as f:
                if batch_rows is None:
                    pieces = (f.read_row_group(g, columns=columns)
                              for g in range(f.num_row_groups))
                else:
                    pieces = (_table(b) for b in f.iter_batches(batch_rows, columns=columns))
                for table in pieces:
                    texts = table.column(column).to_pandas()
                    if index is None:
                        texts.index = pd.RangeIndex(first, first + len(texts), name="text")
                    else:
                        texts.index = pd.Index(table.column(index).to_pandas(), name=index)
                    texts.name = column
                    first += len(texts)
                    yield texts

    return TextBatches(batches(), total=total, progress=progress)


def _table(batch: Any) -> Any:
    """A record batch as a table (both answer .column(name))."""
    import pyarrow as pa

    return pa.Table.from_batches([batch])
