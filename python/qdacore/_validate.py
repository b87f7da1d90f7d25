"""Argument checks shared by the public API.

Every check raises with a message that names the argument (``codebook.parent``,
``codings.item``, ``level=``...) and says how to fix the problem.
"""
from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Sequence
from typing import Any, TypeVar

import numpy as np
import pandas as pd

T = TypeVar("T")
_SHOWN = 5  # offending values quoted in a message
#: Choices of ``nan_policy=`` (scipy's).
NAN_POLICIES = ("propagate", "omit", "raise")


def warn(message: str, category: type[Warning] = UserWarning) -> None:
    """Warn at the user's line: the first frame outside qdacore (as pandas'
    ``find_stack_level``), however deep the call that warns."""
    import inspect
    import warnings

    package = os.path.dirname(__file__)
    level = 1
    frame = inspect.currentframe()
    try:
        while frame is not None and frame.f_code.co_filename.startswith(package):
            frame = frame.f_back
            level += 1
    finally:
        del frame
    warnings.warn(message, category, stacklevel=level)


def examples(values: Iterable[Any]) -> str:
    """A short, readable list of offending values for an error message."""
    values = list(values)
    shown = ", ".join(repr(v) for v in values[:_SHOWN])
    more = len(values) - _SHOWN
    return shown + (f" and {more} more" if more > 0 else "")


def frame(obj: Any, name: str, required: Sequence[str]) -> pd.DataFrame:
    """A copy of obj as a DataFrame with a RangeIndex and the required columns.

    A required column held in the index (``df.set_index("code")``) is moved
    back to a column.
    """
    if not isinstance(obj, pd.DataFrame):
        raise TypeError(f"{name} must be a pandas DataFrame, got {type(obj).__name__}")
    df = obj
    index_names = [n for n in df.index.names if n is not None]
    if any(col in index_names and col not in df.columns for col in required):
        df = df.reset_index()
    missing = [col for col in required if col not in df.columns]
    if missing:
        has = f"it has {examples(df.columns)}" if len(df.columns) else "it has no columns"
        raise ValueError(f"{name} lacks the column(s) {examples(missing)}; {has}")
    if df.columns.duplicated().any():
        raise ValueError(
            f"{name} has duplicated column names {examples(df.columns[df.columns.duplicated()])}"
        )
    return df.reset_index(drop=True).copy()


def ids(series: pd.Series, name: str) -> pd.Index:
    """The values of an id column as an Index, refusing missing and repeated ids."""
    missing = series.isna().to_numpy()
    if missing.any():
        rows = np.flatnonzero(missing)
        raise ValueError(f"{name} has missing ids at rows {examples(rows.tolist())}")
    index = pd.Index(series)
    if not index.is_unique:
        dup = index[index.duplicated()].unique()
        raise ValueError(f"{name} has duplicate ids: {examples(dup.tolist())}; ids must be unique")
    return index


def positions(values: pd.Series, index: pd.Index, name: str, target: str) -> np.ndarray:
    """Positions of values in index (int64), refusing unknown or missing values."""
    pos = index.get_indexer(pd.Index(values))
    bad = pos < 0
    if bad.any():
        unknown = pd.unique(values[bad])
        raise ValueError(
            f"{name} names {int(bad.sum())} value(s) not found in {target}: "
            f"{examples(unknown.tolist())}"
        )
    return pos.astype(np.int64, copy=False)


def nonempty(df: pd.DataFrame, name: str, hint: str) -> None:
    if len(df) == 0:
        raise ValueError(f"{name} is empty; {hint}")


def choice(value: Any, name: str, allowed: Sequence[T]) -> T:
    """``value``, one of ``allowed`` (and typed as they are), or ValueError."""
    for a in allowed:
        if value is a or value == a:
            return a
    raise ValueError(f"{name} must be one of {examples(allowed)}, got {value!r}")


def offsets(df: pd.DataFrame, name: str) -> None:
    """Optional start/end columns: whole numbers >= 0 with start <= end."""
    present = [col for col in ("start", "end") if col in df.columns]
    if not present:
        return
    if len(present) == 1:
        raise ValueError(f"{name} has {present[0]!r} but not its partner; give both start and end")
    values = {}
    for col in present:
        s = df[col]
        if not (pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s)):
            raise TypeError(f"{name}.{col} must be numeric (code-point offsets), got dtype {s.dtype}")
        v = s.to_numpy(dtype=float, na_value=np.nan)
        bad = ~np.isnan(v) & ((v < 0) | (v != np.floor(v)))
        if bad.any():
            raise ValueError(
                f"{name}.{col} must hold whole numbers >= 0; rows {examples(np.flatnonzero(bad).tolist())}"
            )
        values[col] = v
    start, end = values["start"], values["end"]
    half = np.isnan(start) != np.isnan(end)
    if half.any():
        raise ValueError(
            f"{name}: start and end must be both given or both missing; rows "
            f"{examples(np.flatnonzero(half).tolist())}"
        )
    reversed_ = ~np.isnan(start) & (start > end)
    if reversed_.any():
        raise ValueError(f"{name}: start > end at rows {examples(np.flatnonzero(reversed_).tolist())}")


def whole(value: Any, name: str, minimum: int = 0) -> int:
    """A whole number (int or integral numpy scalar, not bool) >= minimum."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be an int, got {type(value).__name__}")
    if value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value}")
    return int(value)


def threads(value: Any) -> int:
    """A kernel's thread count: None for every CPU this process may run on."""
    if value is None:
        try:
            return max(1, len(os.sched_getaffinity(0)))
        except AttributeError:  # not on Linux
            return os.cpu_count() or 1
    return whole(value, "threads", 1)


def call_kernel(kernel: Callable, public: str, values: dict[str, tuple[str, np.ndarray]],
                *args: Any, **kwargs: Any) -> Any:
    """Call a _core kernel; an element error is re-raised with the public
    argument name, the element's position in the caller's array (row and
    column of a matrix) and its value as the caller gave it.

    ``values`` maps the kernel's argument names to (public name, array).
    """
    try:
        return kernel(*args, **kwargs)
    except (ValueError, IndexError) as exc:
        # the binding sets these on errors about one element of an array
        arg, index, value = (getattr(exc, name, None) for name in ("arg", "index", "value"))
        if arg not in values or index is None:
            raise
        prefix = f"{kernel.__name__}: {arg}[{index}] = {value}: "
        message = str(exc)
        reason = message[len(prefix):] if message.startswith(prefix) else message
        label, array = values[arg]
        flat = array.reshape(-1)
        if array.ndim == 1:
            where = str(index)
        else:  # the flat position the kernel names, as the row and column it is
            where = ", ".join(str(int(i)) for i in np.unravel_index(index, array.shape))
            reason = reason.split("; index is ")[0]
        shown = flat[index].item() if index < flat.size else None  # 1.5, not np.float64(1.5)
        raise type(exc)(f"{public}: {label}[{where}] = {shown!r}: {reason}") from None
