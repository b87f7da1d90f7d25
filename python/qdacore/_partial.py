"""Partial results: a statistic computed from a piece of a corpus, added
exactly to the same statistic of another piece, finished once.

This is what lets one statistic run over a corpus larger than memory (the
pieces folded one after another: :class:`TextBatches`) or on a cluster (the
pieces computed on workers and added in a tree: :mod:`qdacore.dask`). Every
single-machine call is ``partial -> result``, so the three routes share one
code path and give equal results.

A partial result records the settings it was computed with and what a piece
must be (whole texts, whole documents); adding two built differently raises
:class:`ValueError` rather than mixing them.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any, Generic, Optional, TypeVar

import numpy as np
import pandas as pd

from . import _core

P = TypeVar("P", bound="Partial")
T = TypeVar("T")


class Deferred(Generic[T]):
    """A part of a partial result that only adding, pickling or some
    option of ``result()`` needs: made from ``make`` on first use, which is
    then let go, so that a single call never pays for it and a piece
    shipped to another process carries the value, not what it was made
    from (the project)."""

    __slots__ = ("_make", "_value")

    def __init__(self, make: Callable[[], T]) -> None:
        self._make: Optional[Callable[[], T]] = make
        self._value: Optional[T] = None

    @classmethod
    def made(cls, value: T) -> Deferred[T]:
        deferred: Deferred[T] = cls.__new__(cls)
        deferred._make, deferred._value = None, value
        return deferred

    def get(self) -> T:
        if self._make is not None:
            self._value, self._make = self._make(), None
        return self._value  # type: ignore[return-value]

    def __getstate__(self) -> tuple:
        return (None, self.get())

    def __setstate__(self, state: tuple) -> None:
        self._make, self._value = state


class Partial:
    """Base of the partial results. Subclasses define ``_settings`` (a
    hashable description of how they were computed, equal between states
    that may be added), ``_add`` and ``result``."""

    _settings: tuple

    def __add__(self: P, other: Any) -> P:
        if not isinstance(other, type(self)):
            return NotImplemented
        if self._settings != other._settings:
            raise ValueError(f"cannot add {type(self).__name__} computed with different settings: "
                             f"{self._describe(self._settings)} and "
                             f"{self._describe(other._settings)}")
        return self._add(other)

    def __radd__(self: P, other: Any) -> P:
        if isinstance(other, int) and other == 0:  # sum() starts from 0
            return self
        return NotImplemented

    def _add(self: P, other: P) -> P:  # pragma: no cover - abstract
        raise NotImplementedError

    def _describe(self, settings: tuple) -> str:
        names = getattr(self, "_setting_names", ())
        return "(" + ", ".join(f"{n}={v!r}" for n, v in zip(names, settings)) + ")"


def check_whole_texts(a: pd.Index, b: pd.Index, statistic: str) -> None:
    """Refuse two pieces of a tokens table that share a text: its rows were
    split, and a window (or a document's counts) would be cut at the split."""
    shared = a.intersection(b)
    if len(shared):
        raise ValueError(f"cannot add {statistic}: text {shared.tolist()[0]!r} is in both pieces (its "
                         "tokens were split between partitions); partition the tokens table "
                         "by text, e.g. dask's set_index('text') or groupby, so each piece "
                         "holds whole texts")


def fold_stream(parts: Iterable[P]) -> P:
    """The sum of partial results that arrive one at a time, holding at most
    O(log n) of them: a binary counter of partial sums, so that memory stays
    bounded while each value is still copied only O(log n) times."""
    stack: list[tuple[int, P]] = []  # (how many parts it sums, the sum)
    for part in parts:
        size, total = 1, part
        while stack and stack[-1][0] == size:
            below_size, below = stack.pop()
            size, total = size + below_size, below + total
        stack.append((size, total))
    if not stack:
        raise ValueError("no pieces to add: the corpus is empty")
    total = stack.pop()[1]
    while stack:
        total = stack.pop()[1] + total
    return total


def merge_counts(key_a: np.ndarray, count_a: np.ndarray, key_b: np.ndarray,
                 count_b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Two sorted key/count lists added in C (keys in either, counts summed)."""
    return _core.merge_counts(key_a, count_a, key_b, count_b)


def union_vocabulary(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Two sorted vocabularies of distinct strings as one sorted vocabulary,
    and where each string of ``a`` and of ``b`` went in it. Both maps
    increase, so ids renumbered through them keep their order."""
    if len(a) == len(b) and (a is b or np.array_equal(a, b)):
        same = np.arange(len(a), dtype=np.int64)
        return a, same, same
    union = pd.Index(a, dtype=object, copy=False).union(pd.Index(b, dtype=object, copy=False),
                                                        sort=None)
    union_values = np.asarray(union, dtype=object)
    return (union_values, union.get_indexer(a).astype(np.int64),
            union.get_indexer(b).astype(np.int64))


class TextBatches:
    """Texts that arrive in batches (a Parquet file's row groups, a list of
    Series): given as ``texts`` to :func:`qdacore.text.cooccurrence` or
    :func:`qdacore.text.term_matrix`, each batch is counted in turn and the
    partial counts are added, so memory holds one batch and the counts, never
    the whole corpus.

    Parameters
    ----------
    batches : iterable of Series or sequences of str
        The texts, batch after batch. A Series keeps its index as the texts'
        labels; a plain sequence is numbered on from the texts before it.
    total : int, optional
        How many batches there are, for the progress bar.
    progress : bool, optional
        Show a progress bar; None shows one in terminals and notebooks only.

    Examples
    --------
    >>> from qdacore.text import cooccurrence
    >>> batches = TextBatches([["城市群", "城市"], ["城乡"]])
    >>> cooccurrence(batches, window=1)
      source target  count
    0      城      市      2
    1      乡      城      1
    2      市      群      1
    """

    def __init__(self, batches: Iterable[Any], *, total: Optional[int] = None,
                 progress: Optional[bool] = None) -> None:
        if isinstance(batches, (str, bytes, pd.DataFrame)):
            raise TypeError("batches must be an iterable of batches of texts (Series or "
                            f"lists of str), not one {type(batches).__name__}")
        self._batches = batches
        self.total = total if total is not None else (
            len(batches) if hasattr(batches, "__len__") else None)  # type: ignore[arg-type]
        self.progress = progress

    def __iter__(self) -> Iterator[pd.Series]:
        from ._progress import track

        first = 0
        for batch in track(self._batches, total=self.total, desc="batches",
                           progress=self.progress):
            if not isinstance(batch, pd.Series):
                if isinstance(batch, (str, bytes)):
                    raise TypeError("each batch must be a Series or a sequence of texts, "
                                    f"got one {type(batch).__name__}")
                values = list(batch)
                batch = pd.Series(values, index=pd.RangeIndex(first, first + len(values),
                                                              name="text"), dtype=object)
            first += len(batch)
            yield batch

    def __repr__(self) -> str:
        size = "" if self.total is None else f" of {self.total:,} batches"
        return f"<TextBatches{size}>"
