"""What every part of the text engine takes in and hands back: the ``texts``
argument as the C layer reads it (with labels for the ``text`` column), UTF-8
files read in pieces (:func:`read_chunks`), and the categorical columns and
per-piece tables the results are built from."""
from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Union

import numpy as np
import pandas as pd

from .. import _core
from .. import _validate as check

TextLike = Union[str, bytes, None]
Texts = Union[TextLike, Sequence[TextLike], pd.Series]


def texts_and_labels(texts: Any, name: str = "texts") -> tuple[Any, pd.Index]:
    """The texts as the C layer takes them (one text, or a list) and labels for
    the ``text`` column: the index of a Series, else positions."""
    if texts is None or isinstance(texts, (str, bytes)):
        return texts, pd.RangeIndex(1, name="text")
    if isinstance(texts, pd.DataFrame):
        raise TypeError(f"{name} must be a sequence of texts or a Series, not a DataFrame; "
                        f"pass one column, e.g. items['text']")
    if isinstance(texts, pd.Series):
        labels = texts.index
        values = texts.astype(object).where(texts.notna(), None).tolist()
    else:
        if isinstance(texts, (Mapping, set)) or not isinstance(texts, Iterable):
            raise TypeError(f"{name} must be str, bytes or a sequence of them, got "
                            f"{type(texts).__name__}")
        values = list(texts)
        labels = pd.RangeIndex(len(values))
        missing = pd.isna(pd.Series(values, dtype=object)).to_numpy()
        if missing.any():
            cleaned = np.asarray(values + [None], dtype=object)[:-1]
            cleaned[missing] = None
            values = cleaned.tolist()
    return values, labels.rename("text") if labels.name is None else labels


def read_chunks(source: Union[str, os.PathLike, Any], *, chunk_size: int = 1 << 22
                ) -> Iterable[tuple[int, str]]:
    r"""Read a UTF-8 file (a path or a binary file object) in pieces that end
    after a line break, decoded in C: ``(offset, text)`` pairs, offset being
    the code point where the piece starts in the whole file.

    Memory stays bounded by ``chunk_size`` bytes plus the longest line: a
    piece is cut after the last line break of each chunk read. Invalid UTF-8
    raises :class:`UnicodeDecodeError` whose ``start`` is the byte offset in
    the file.

    Examples
    --------
    >>> import io
    >>> from qdacore.text import read_chunks
    >>> list(read_chunks(io.BytesIO("第一行\n第二行\n".encode()), chunk_size=8))
    [(0, '第一行\n'), (4, '第二行\n')]
    """
    chunk_size = check.whole(chunk_size, "chunk_size", 1)
    own = isinstance(source, (str, os.PathLike))
    f: Any = open(source, "rb") if own else source
    try:
        offset, byte_offset, tail = 0, 0, b""
        pending = ""
        while True:
            data = f.read(chunk_size)
            final = not data
            buf = tail + data
            try:
                text, used = _core.decode_utf8(buf, final)
            except UnicodeDecodeError as err:
                raise UnicodeDecodeError("utf-8", err.object, err.start, err.end,
                                         f"{err.reason} (file byte {byte_offset + err.start})") from None
            byte_offset += used
            tail = buf[used:]
            pending += text
            cut = len(pending) if final else pending.rfind("\n") + 1
            if cut > 0:
                yield offset, pending[:cut]
                offset += cut
                pending = pending[cut:]
            if final:
                return
    finally:
        if own:
            f.close()


def distinct_categorical(codes: np.ndarray, strings: Union[list, np.ndarray],
                          ordered: bool = False) -> pd.Categorical:
    """A Categorical of ``strings[codes]`` where the C core made ``strings``
    distinct and the codes valid.

    pandas' public constructor checks both again by hashing every string with
    the GIL held: in ``tokenize`` from two threads that check was the largest
    part that could not run in parallel. The fast path builds the same object
    (tests compare it with ``Categorical.from_codes``) and falls back to the
    public constructor if pandas' internals change.
    """
    categories = pd.Index(strings, dtype=object, copy=False)
    try:
        from pandas.core.dtypes.dtypes import CategoricalDtype

        dtype = CategoricalDtype._from_fastpath(categories, ordered=ordered)  # type: ignore[attr-defined]
        width = next(t for t in (np.int8, np.int16, np.int32, np.int64)
                     if len(categories) < np.iinfo(t).max)
        return pd.Categorical._simple_new(codes.astype(width), dtype)  # type: ignore[attr-defined]
    except (AttributeError, TypeError, ImportError):  # pragma: no cover - other pandas
        return pd.Categorical.from_codes(codes, categories=categories, ordered=ordered)


def stream_frames(frames: Iterable[tuple[int, pd.DataFrame]]) -> Iterable[pd.DataFrame]:
    """Shift the offsets of per-piece tables by the pieces' offsets."""
    for offset, frame in frames:
        frame = frame.drop(columns="text")
        frame["start"] += offset
        frame["end"] += offset
        yield frame
