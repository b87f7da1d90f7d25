"""A project read back after review in another program, given the ids and
columns of the project that was exported for that review (``read_qdpx(...,
like=project)``).

ATLAS.ti, NVivo and QualCoder keep the texts, selections and codes of an
export but not qdacore's own item ids (``YN:18``), outline columns or level
names; the XML gives items ids made of their spans. Documents are matched by
id (the source's name), items by document and span, codes by GUID or name:
what matches takes back the exported project's ids and the columns the file
lost; what the review added (a new selection, a new code) keeps what the file
says."""
from __future__ import annotations

import warnings
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ..._model import new_project
from ._report import QdpxWarning

if TYPE_CHECKING:  # pragma: no cover
    from ...project import Project


def adopt(read: Project, like: Project) -> Project:
    """``read`` with ``like``'s ids and columns where they match."""
    if not all(hasattr(like, t) for t in ("documents", "items", "codings", "codebook")):
        raise TypeError(f"like must be a qdacore Project (the exported one), got {type(like).__name__}")
    documents = _with_columns(read.documents, like.documents, "doc", "doc")
    items = read.items.copy()
    key_read = pd.MultiIndex.from_arrays([items["doc"].astype(str), _whole(items["start"]), _whole(items["end"])])
    key_like = pd.MultiIndex.from_arrays([like.items["doc"].astype(str), _whole(like.items["start"]),
                                          _whole(like.items["end"])])
    at = key_like.get_indexer_for(key_read) if key_like.is_unique else _first_of(key_like, key_read)
    matched = at >= 0
    new_ids = items["item"].astype(object).to_numpy(copy=True)
    new_ids[matched] = like.items["item"].to_numpy(object)[at[matched]]
    if pd.Series(new_ids).duplicated().any():
        # the program that edited the file split an exported selection into two on the same span
        warnings.warn("like: two of the file's items share one exported item's span, so the file's "
                      "item ids, codebook and columns are kept as read", QdpxWarning, stacklevel=3)
        return read
    renamed = dict(zip(items["item"], new_ids))
    items["item"] = new_ids
    for column in like.items.columns:
        if column not in items.columns:
            values = like.items[column].take(np.where(matched, at, 0)).reset_index(drop=True)
            items[column] = values.where(pd.Series(matched), None) if not matched.all() else values
    for column in ("start", "end", "text"):  # the exported dtypes, where every item is an exported one
        if matched.all() and column in items.columns and column in like.items.columns:
            try:
                items[column] = items[column].astype(like.items[column].dtype)
            except (TypeError, ValueError):
                pass
    items = items[[*like.items.columns, *[c for c in items.columns if c not in like.items.columns]]]
    codings = read.codings.copy()
    codings["item"] = codings["item"].map(renamed).astype(read.codings["item"].dtype)
    codebook, code_of = _codebook(read, like)
    codings["code"] = codings["code"].map(lambda c: code_of.get(c, c)).astype(read.codings["code"].dtype)
    return new_project(codebook, documents, items, codings, name=like.name, allow_empty=True)


def _whole(values: pd.Series) -> np.ndarray:
    return pd.to_numeric(values, errors="coerce").to_numpy(dtype=float, na_value=np.nan)


def _first_of(index: pd.MultiIndex, keys: pd.MultiIndex) -> np.ndarray:
    first = ~index.duplicated()
    positions = np.flatnonzero(first)
    return np.where((found := index[first].get_indexer(keys)) >= 0, positions[np.maximum(found, 0)], -1)


def _with_columns(read: pd.DataFrame, like: pd.DataFrame, key: str, like_key: str) -> pd.DataFrame:
    """``read`` plus the columns of ``like`` it lacks, by ``key``; the file's own values stay."""
    out = read.copy()
    lookup = like.drop_duplicates(like_key).set_index(like_key)
    at = lookup.index.get_indexer(pd.Index(out[key]))
    for column in lookup.columns:
        if column not in out.columns:
            values = lookup[column].take(np.maximum(at, 0)).reset_index(drop=True)
            out[column] = values.where(pd.Series(at >= 0), None) if (at < 0).any() else values
    return out


def _codebook(read: Project, like: Project):
    """``like``'s codebook (level names, labels, keywords) and each file code's
    id in it, when every code of the file is in it (by id, name or GUID); else
    the file's, with a warning."""
    read_codes, like_codes = read.codebook.codes, like.codebook.codes
    code_of: dict = {}
    for column in ("guid", "name", "code"):  # the last match wins: an id beats a name beats a GUID
        if column not in like_codes.columns:
            continue
        lookup = like_codes.dropna(subset=[column]).drop_duplicates(column, keep=False)
        by = dict(zip(lookup[column].astype(str).str.lower() if column == "guid" else lookup[column],
                      lookup["code"]))
        source = read_codes["guid"].astype(str).str.lower() if column == "guid" and "guid" in read_codes \
            else read_codes["code"] if column != "guid" else None
        if source is None:
            continue
        for code, key in zip(read_codes["code"], source):
            if key in by:
                code_of[code] = by[key]
    missing = [c for c in read_codes["code"] if c not in code_of]
    if not missing:
        return like.codebook, code_of
    warnings.warn(f"codes new in the file ({', '.join(map(str, missing[:5]))}) are not in like's codebook, so "
                  "the file's codebook is kept (level names depth1, depth2 ...)", QdpxWarning, stacklevel=4)
    return read.codebook, {}
