"""Tidy views: one row per coding with its document, code path and coded text."""
from __future__ import annotations

from operator import getitem
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

if TYPE_CHECKING:  # pragma: no cover
    from ..project import Project

__all__ = ["codings_table", "code_paths"]

_PATH_SEPARATOR = " > "
_BASE = ["doc", "item", "code", "code_path", "coder", "start", "end", "text"]


def code_paths(project: Project) -> pd.Series:
    """Each code's path from its root, as labels (ids where a code has no
    label) joined by ``" > "``, indexed by code. One pass per hierarchy level.

    Examples
    --------
    >>> import qdacore as qc
    >>> qc.io.code_paths(qc.datasets.megaregions()).iloc[:2].tolist()
    ['Coexistence', 'Coexistence > Restructuring regional spatial patterns']
    """
    cb = project.codebook
    codes = cb.codes
    labels = codes["label"] if "label" in codes.columns else pd.Series(np.nan, index=codes.index)
    if "name" in codes.columns:
        labels = labels.where(labels.notna(), codes["name"])
    names = labels.where(labels.notna(), codes["code"]).astype(str).to_numpy(dtype=object)
    path = names.copy()
    ancestor = cb.parent_positions.copy()
    while (ancestor >= 0).any():  # prepend one ancestor per round: depth rounds, not rows
        up = ancestor >= 0
        path[up] = names[ancestor[up]] + _PATH_SEPARATOR + path[up]
        ancestor[up] = cb.parent_positions[ancestor[up]]
    return pd.Series(path, index=cb.code_index, name="code_path", dtype=object)


def _offsets(df: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    if "start" not in df.columns or "end" not in df.columns:
        nan = np.full(len(df), np.nan)
        return nan, nan.copy()
    return (df["start"].to_numpy(dtype=float, na_value=np.nan, copy=True),
            df["end"].to_numpy(dtype=float, na_value=np.nan, copy=True))


def _slices(texts: np.ndarray, start: np.ndarray, end: np.ndarray) -> np.ndarray:
    """``texts[k][start[k]:end[k]]`` where all three are known, else None."""
    out = np.full(len(texts), None, dtype=object)
    ok = ~np.isnan(start) & ~np.isnan(end) & pd.notna(texts)
    if ok.any():
        out[ok] = list(map(getitem, texts[ok], map(slice, start[ok].astype(np.int64), end[ok].astype(np.int64))))
    return out


def codings_table(project: Project) -> pd.DataFrame:
    """One row per coding, ready for a spreadsheet or a plot.

    Columns ``doc``, ``item``, ``code``, ``code_path`` (labels from the root,
    joined by ``" > "``), ``coder``, ``start``, ``end`` (code-point offsets of
    the coded span in its document; missing where unknown), ``text`` (the
    coded span: from the document's text, else the item's), then the
    codings table's other columns (``coding_`` before a name taken above), then
    every document column but ``doc`` and ``text``, prefixed ``doc_``. Rows
    follow the codings table.

    Examples
    --------
    >>> import qdacore as qc
    >>> table = qc.datasets.megaregions().codings_table()
    >>> table.columns[:10].tolist()
    ['doc', 'item', 'code', 'code_path', 'coder', 'start', 'end', 'text', 'synthetic', 'doc_region']
    >>> table.loc[0, "code_path"]
    'Cooperation > Collaborating industrial clusters > High-end clusters in the core city'
    """
    codings, items, docs = project.codings, project.items, project.documents
    item_pos = pd.Index(items["item"]).get_indexer(codings["item"])
    doc_pos = project.arrays.item_doc[item_pos]
    item_start, item_end = _offsets(items)
    c_start, c_end = _offsets(codings)
    has_own = ~np.isnan(c_start)
    start = np.where(has_own, item_start[item_pos] + c_start, item_start[item_pos])
    end = np.where(has_own, item_start[item_pos] + c_end, item_end[item_pos])

    text = np.full(len(codings), None, dtype=object)
    if "text" in docs.columns:
        text = _slices(docs["text"].to_numpy(dtype=object)[doc_pos], start, end)
    if "text" in items.columns:
        item_text = items["text"].to_numpy(dtype=object)[item_pos]
        local_start = np.where(has_own, c_start, 0.0)
        length = pd.Series(item_text, dtype=object).str.len().to_numpy(dtype=float, na_value=np.nan)
        local_end = np.where(has_own, c_end, length)
        from_item = _slices(item_text, local_start, local_end)
        text = np.where(pd.isna(text), from_item, text)

    paths = code_paths(project)
    table = pd.DataFrame({
        "doc": docs["doc"].to_numpy(dtype=object)[doc_pos],
        "item": codings["item"].to_numpy(dtype=object),
        "code": codings["code"].to_numpy(dtype=object),
        "code_path": paths.reindex(codings["code"]).to_numpy(dtype=object),
        "coder": codings["coder"].to_numpy(dtype=object) if "coder" in codings.columns else None,
        "start": pd.array(start, dtype="Int64"),
        "end": pd.array(end, dtype="Int64"),
        "text": text,
    })
    for col in codings.columns:  # the coding's own columns, then its document's
        if col not in ("item", "code", "coder", "start", "end"):
            table[f"coding_{col}" if col in table.columns else col] = codings[col].to_numpy()
    for col in docs.columns:
        if col not in ("doc", "text"):
            table[f"doc_{col}"] = docs[col].iloc[doc_pos].reset_index(drop=True)
    return table


