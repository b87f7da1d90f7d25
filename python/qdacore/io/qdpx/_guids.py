"""Identities: REFI-QDA GUIDs (compared, checked, taken from a column or
derived stably) and the readable ids a Project gives codes, documents and groups."""
from __future__ import annotations

import re
import uuid
from typing import Any, Optional

import numpy as np
import pandas as pd

from ... import _validate as check

_GUID_NS = uuid.UUID("6f1c3a52-0d4e-5b8a-9a57-1c0a9d2e4b61")  # fixed: stable GUIDs
GUID_RE = re.compile(r"\{?[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\}?")


def gkey(guid: Optional[str]) -> Optional[str]:
    """GUIDs compare without braces and case: ``{ABC...}`` is ``abc...``."""
    return guid.strip().strip("{}").lower() if isinstance(guid, str) and guid else None


def stable_guid(*parts: Any) -> str:
    """A GUID that depends only on ``parts`` (uuid5), so repeated exports agree."""
    return str(uuid.uuid5(_GUID_NS, "\x1f".join(str(p) for p in parts)))


_HEX = np.zeros(256, dtype=bool)
_HEX[np.frombuffer(b"0123456789abcdefABCDEF", dtype=np.uint8)] = True
_DASHES = [8, 13, 18, 23]
_DIGITS = [k for k in range(36) if k not in _DASHES]


def _all_bare_guids(strings: np.ndarray) -> bool:
    """True when every value is a GUID of 36 characters without braces, checked
    as one byte array (a column of a large project, without a regex call per
    value); False also when that cannot be told this way."""
    if not len(strings):
        return True
    try:
        joined = "\n".join(strings) + "\n"
    except TypeError:  # not all strings
        return False
    if len(joined) != 37 * len(strings) or not joined.isascii():
        return False
    # a row per value only if each is 36 characters: a newline at the end of
    # every row, and hex digits and dashes (no newline) before it
    b = np.frombuffer(joined.encode("ascii"), dtype=np.uint8).reshape(len(strings), 37)
    return bool((b[:, 36] == 10).all() and (b[:, _DASHES] == 45).all() and _HEX[b[:, _DIGITS]].all())


def not_guids(values: pd.Series) -> pd.Series:
    """True where a value is present and is no GUID (braces allowed)."""
    present = values.notna()
    if _all_bare_guids(values.to_numpy(dtype=object)[present.to_numpy(dtype=bool)]):
        return present & False
    return present & ~values.astype(str).str.fullmatch(GUID_RE.pattern).astype(bool)


def check_guids(values: pd.Series, where: str) -> None:
    """Raise ``ValueError`` naming ``where`` unless every value is a GUID."""
    bad = (values.isna() | not_guids(values)).to_numpy(dtype=bool)
    if bad.any():
        raise ValueError(
            f"{where} holds values that are not GUIDs: {check.examples(values[bad].tolist())}; "
            "REFI-QDA needs 8-4-4-4-12 hexadecimal GUIDs (drop the column to have them derived)"
        )


def guids(values: pd.Series, kind: str, ids: pd.Series, where: str) -> np.ndarray:
    """Valid GUIDs from a column, or stable ones derived from the ids where missing."""
    out = values.astype(object).where(values.notna(), None).to_numpy(dtype=object, copy=True)
    missing = pd.isna(values).to_numpy()
    if missing.any():
        out[missing] = [stable_guid(kind, i) for i in ids.to_numpy(dtype=object)[missing]]
    check_guids(pd.Series(out, dtype=object), where)
    return out


def unique_ids(names: list, fallback: list) -> list:
    """Names as ids; a repeated or empty name takes its fallback instead (and a
    fallback that still repeats, its row number)."""
    s = pd.Series(names, dtype=object)
    named = s.notna() & s.astype(str).ne("")
    keep = named & s.map(s.value_counts(dropna=False)).eq(1)
    ids = s.where(keep, pd.Series(fallback, dtype=object)).astype(str)
    dup = ids.duplicated(keep=False)
    if dup.any():
        ids[dup] = ids[dup] + " [" + pd.Series(np.flatnonzero(dup)).astype(str).to_numpy(dtype=object) + "]"
    return ids.tolist()


def repair_guids(values: pd.Series, kind: str, where: str, report: Any) -> tuple[pd.Series, dict]:
    """GUIDs a project can be written with again: one that repeats an earlier
    one (references to it then go to the first) or is no GUID at all gets a
    stable new one, with a warning in ``report``. Returns the GUIDs and
    {old key: new GUID} for those that were no GUID, whose references are
    still to be followed."""
    keys = values.map(gkey)
    invalid = not_guids(values)
    repeated = keys.notna() & keys.duplicated(keep="first") & ~invalid
    if not (invalid.any() or repeated.any()):
        return values, {}
    out = values.astype(object).copy()
    for k in np.flatnonzero((invalid | repeated).to_numpy()).tolist():
        out.iat[k] = stable_guid(f"repaired {kind}", values.iat[k], k)
    if repeated.any():
        report.add(f"{where}: {int(repeated.sum())} {kind}(s) repeat the GUID of an earlier one "
                   f"({check.examples(values[repeated].tolist())}); they got new GUIDs, and references to the GUID go "
                   "to the first")
    if invalid.any():
        report.add(f"{where}: {int(invalid.sum())} {kind}(s) have ids that are not GUIDs "
                   f"({check.examples(values[invalid].tolist())}); they got GUIDs derived from them, so the project can "
                   "be written again")
    renamed = {gkey(v): out.iat[k] for k, v in zip(np.flatnonzero(invalid.to_numpy()).tolist(), values[invalid])}
    return out, renamed


def repair_references(columns: list, kind: str, where: str, report: Any) -> None:
    """Columns that hold GUIDs of one kind (a selection's: ``items.guid`` and
    ``codings.selection``), changed in place: a value that is no GUID gets a
    stable GUID derived from it, the same in every column, so references
    still meet and the project can be written again; one warning in
    ``report`` says how many and shows some."""
    bad: list = []
    for table, name in columns:
        if name not in table.columns:
            continue
        values = table[name]
        invalid = not_guids(values)
        if invalid.any():
            bad.extend(values[invalid].tolist())
            fixed = values.astype(object).copy()
            # derived from the id as references compare it (gkey), so they still meet
            fixed[invalid] = [stable_guid(f"repaired {kind}", gkey(v)) for v in values[invalid]]
            table[name] = fixed
    if bad:
        distinct = list(dict.fromkeys(bad))
        report.add(f"{where}: {len(distinct)} {kind} id(s) are not GUIDs ({check.examples(distinct)}); they "
                   "got GUIDs derived from them, so the project can be written again")
