"""The dtype records of the hidden ``qdacore`` sheet: which dtypes a workbook
carries and reads back (``DTYPES``), a column's record checked into a
:class:`Spec` (each error names the cell), and a column's cell values restored
to its dtype (each error names the cells and says what to enter).

Both directions use it: writing refuses a dtype that would not read back,
reading checks the sheet before any table is read."""
from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Callable, Sequence
from typing import Any, Optional

import numpy as np
import pandas as pd

from ... import _validate as check
from ._format import FIX_SCHEMA

_EXTENSION = (pd.BooleanDtype, pd.Int8Dtype, pd.Int16Dtype, pd.Int32Dtype, pd.Int64Dtype, pd.UInt8Dtype,
              pd.UInt16Dtype, pd.UInt32Dtype, pd.UInt64Dtype, pd.Float32Dtype, pd.Float64Dtype,
              pd.StringDtype, pd.DatetimeTZDtype)
#: The dtypes a workbook carries, in words (for messages).
DTYPES = ("bool, int8 to int64, uint8 to uint64, float16 to float64, object, datetime64 and timedelta64 "
          "(s, ms, us, ns), and pandas' boolean, Int8 to Int64, UInt8 to UInt64, Float32, Float64, "
          "string, str, datetime64 with a time zone and category")


def _missing(values: Sequence) -> np.ndarray:
    return np.fromiter((v is None or (isinstance(v, float) and math.isnan(v)) for v in values),
                       dtype=bool, count=len(values))


def supported(dtype: Any) -> bool:
    """A dtype whose values an Excel workbook carries and reads back."""
    if isinstance(dtype, np.dtype):
        if dtype.kind in "Mm":
            return np.datetime_data(dtype)[0] in ("s", "ms", "us", "ns")
        return dtype.kind in "biufO"
    return isinstance(dtype, _EXTENSION)


class Spec:
    """A column's dtype as the qdacore sheet records it, checked."""

    def __init__(self, dtype: Any, empty: Optional[str] = None, inner: Optional[Spec] = None) -> None:
        self.dtype = dtype  # a pandas dtype; a CategoricalDtype with ``inner`` its categories' spec
        self.empty = empty
        self.inner = inner


def spec(record: Any, where: str, nested: bool = False) -> Spec:
    """The checked dtype of a record of the qdacore sheet (``where`` names its cell)."""
    if not isinstance(record, dict):
        raise ValueError(f"{where}: {json.dumps(record)[:80]} is not a dtype record such as "
                         f'{{"dtype": "int64"}}; {FIX_SCHEMA}')
    unknown = sorted(set(record) - {"dtype", "ordered", "categories", "values", "empty"})
    if unknown:
        raise ValueError(f"{where}: the record has the unknown key(s) {check.examples(unknown)}; {FIX_SCHEMA}")
    name = record.get("dtype")
    if not isinstance(name, str):
        raise ValueError(f"{where}: the record names no dtype (\"dtype\": {json.dumps(name)}); {FIX_SCHEMA}")
    if name == "category":
        if nested:
            raise ValueError(f"{where}: the categories of a category are a category; {FIX_SCHEMA}")
        if "empty" in record or not isinstance(record.get("ordered"), bool) \
                or not isinstance(record.get("values"), list) or "categories" not in record:
            raise ValueError(f"{where}: a category record needs \"ordered\" (true or false), \"categories\" "
                             f"(their dtype) and \"values\" (a list); {FIX_SCHEMA}")
        inner = spec(record["categories"], where, nested=True)
        values = list(record["values"])
        categories = restore(values, inner, lambda mask=None: f"{where}: category value(s)"
                             + (f" {check.examples(np.asarray(values, dtype=object)[mask].tolist())}"
                                if mask is not None else ""))
        try:
            categorical = pd.CategoricalDtype(categories.tolist(), ordered=record["ordered"])
        except (ValueError, TypeError) as err:
            raise ValueError(f"{where}: the categories cannot be used ({err}); {FIX_SCHEMA}") from None
        return Spec(categorical, inner=inner)
    if set(record) - {"dtype", "empty"}:
        raise ValueError(f"{where}: \"ordered\", \"categories\" and \"values\" belong to a category record, "
                         f"not to dtype {name!r}; {FIX_SCHEMA}")
    dtype: Any
    try:
        dtype = pd.api.types.pandas_dtype(name)
    except (TypeError, ValueError, ImportError):
        dtype = None
    if dtype is None or not supported(dtype):
        raise ValueError(f"{where}: dtype {name!r} is not one that to_excel writes ({DTYPES}); {FIX_SCHEMA}")
    empty = record.get("empty")
    if "empty" in record and (empty != "" or not pd.api.types.is_string_dtype(dtype)):
        raise ValueError(f"{where}: \"empty\" is {json.dumps(empty)[:40]}; to_excel writes \"empty\": \"\" "
                         f"for text columns only; {FIX_SCHEMA}")
    return Spec(dtype, empty="" if "empty" in record else None)


def restore(values: list, spec: Spec, where: Callable[..., str]) -> pd.Series:
    """Cell values converted to the dtype of ``spec``; errors name the cells
    (``where(mask)``)."""
    dtype = spec.dtype
    missing = _missing(values)
    if spec.empty is not None and missing.any():
        values = [spec.empty if m else v for v, m in zip(values, missing)]
        missing = np.zeros(len(values), dtype=bool)
    if isinstance(dtype, pd.CategoricalDtype):
        assert spec.inner is not None
        inner = restore(values, spec.inner, where)
        unknown = ~inner.isin(dtype.categories).to_numpy(dtype=bool) & ~missing
        if unknown.any():
            raise ValueError(f"{where(unknown)}: {check.examples(inner[unknown].unique())} "
                             f"is not one of the column's categories {check.examples(dtype.categories)}; "
                             "enter one of them")
        return pd.Series(pd.Categorical(inner, dtype=dtype))
    if isinstance(dtype, np.dtype) and dtype.kind == "O":
        return pd.Series(values, dtype=object).where(~missing, None)
    if pd.api.types.is_bool_dtype(dtype):
        flags = pd.Series([None if m else _flag(v) for v, m in zip(values, missing)], dtype=object)
        bad = flags.isna().to_numpy() & ~missing
        if bad.any():
            raise ValueError(f"{where(bad)}: not TRUE or FALSE; enter TRUE or FALSE")
        if not pd.api.types.is_extension_array_dtype(dtype):
            if missing.any():
                raise ValueError(f"{where(missing)}: empty, and the column holds "
                                 "TRUE or FALSE in every row; fill the cell(s)")
            return flags.astype(bool)
        return flags.astype(dtype)
    if pd.api.types.is_numeric_dtype(dtype):
        return _numbers(values, missing, dtype, where)
    if pd.api.types.is_datetime64_any_dtype(dtype):
        texts = pd.Series([None if m else v.isoformat() if isinstance(v, (dt.datetime, dt.date))
                           else str(v) for v, m in zip(values, missing)], dtype=object)
        times = pd.to_datetime(texts, format="ISO8601", errors="coerce")
        bad = times.isna().to_numpy() & ~missing
        if bad.any():
            raise ValueError(f"{where(bad)}: not a date and time; enter one "
                             "(as yyyy-mm-dd hh:mm:ss)")
        try:
            if isinstance(dtype, pd.DatetimeTZDtype):
                return times.dt.tz_localize("UTC").dt.tz_convert(dtype.tz).astype(dtype)
            return times.astype(dtype)
        except (ValueError, OverflowError) as err:  # out of the unit's range
            raise ValueError(f"{where()}: a date and time out of the column's range ({err}); enter "
                             "another") from None
    if pd.api.types.is_timedelta64_dtype(dtype):
        spans = pd.to_timedelta(pd.Series([None if m else str(v) for v, m in zip(values, missing)],
                                          dtype=object), errors="coerce")
        bad = spans.isna().to_numpy() & ~missing
        if bad.any():
            raise ValueError(f"{where(bad)}: not a time span; enter one (as 1 days 02:03:04)")
        return spans.astype(dtype)
    as_text = pd.Series([None if m else v if isinstance(v, str) else _as_text(v)
                         for v, m in zip(values, missing)], dtype=object)
    return as_text.astype(dtype)


def _numbers(values: list, missing: np.ndarray, dtype: Any, where: Callable[..., str]) -> pd.Series:
    """Cells as numbers of ``dtype``: TRUE/FALSE, text that is no number, a
    fraction in a whole-number column or a number out of the dtype's range
    are errors naming the cells."""
    flags = np.fromiter((isinstance(v, (bool, np.bool_)) for v in values), dtype=bool, count=len(values))
    if flags.any():
        raise ValueError(f"{where(flags)}: TRUE or FALSE, not a number; enter a number")
    numbers = pd.to_numeric(pd.Series([None if m else v for v, m in zip(values, missing)], dtype=object),
                            errors="coerce")
    bad = numbers.isna().to_numpy() & ~missing
    if bad.any():
        raise ValueError(f"{where(bad)}: not a number; enter a number")
    if pd.api.types.is_integer_dtype(dtype):
        known = ~missing
        whole = numbers[known].astype(float).map(float.is_integer).to_numpy(dtype=bool)
        if not whole.all():
            bad = known.copy()
            bad[known] = ~whole
            raise ValueError(f"{where(bad)}: not a whole number; enter a whole number")
        if missing.any() and not pd.api.types.is_extension_array_dtype(dtype):
            raise ValueError(f"{where(missing)}: empty, and the column holds a whole "
                             "number in every row; fill the cell(s)")
        ints = [None if m else _whole(v) for v, m in zip(values, missing)]
        limits = np.iinfo(getattr(dtype, "numpy_dtype", dtype))
        out = np.fromiter((i is not None and not limits.min <= i <= limits.max for i in ints), dtype=bool,
                          count=len(ints))
        if out.any():
            raise ValueError(f"{where(out)}: out of the column's range ({dtype}: {limits.min:,} to "
                             f"{limits.max:,}); enter a number in it")
        return pd.Series(ints, dtype=object).astype(dtype)
    with np.errstate(over="ignore"):
        result = numbers.astype(dtype)
    overflow = np.isinf(result.to_numpy(dtype=float, na_value=np.nan)) & np.isfinite(
        numbers.to_numpy(dtype=float, na_value=np.nan))
    if overflow.any():
        raise ValueError(f"{where(overflow)}: out of the column's range ({dtype}); enter a smaller number")
    return result


def _whole(v: Any) -> int:
    """A whole number from a cell: exact for integers written as text (beyond 2**53)."""
    if isinstance(v, str) and v.strip().lstrip("+-").isdigit():
        return int(v)
    return int(v) if isinstance(v, int) else int(float(v))


def _flag(v: Any) -> Optional[bool]:
    if isinstance(v, bool):
        return v
    if isinstance(v, str) and v.strip().lower() in ("true", "false"):
        return v.strip().lower() == "true"
    if isinstance(v, (int, float)) and v in (0, 1):
        return bool(v)
    return None


def _as_text(v: Any) -> str:
    """A number typed into a text column, as it reads (3, not 3.0)."""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def inferred(values: list) -> pd.Series:
    """A column the ``qdacore`` sheet does not list: the types Excel gave its cells."""
    missing = _missing(values)
    return pd.Series(values, dtype=object).where(~missing, None).infer_objects()
