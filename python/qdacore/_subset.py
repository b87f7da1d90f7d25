"""A part of a project: the documents, codes, coders and codings asked for
(:meth:`qdacore.Project.subset`), with items, codings and codebook kept
consistent."""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any, Optional, Union

import numpy as np
import pandas as pd

from . import _validate as check
from ._model import CodedProject, new_project
from .codebook import Codebook

if TYPE_CHECKING:  # pragma: no cover
    from .project import Project

#: What ``docs=`` and ``codes=`` take: ids, or a boolean mask over the table's rows.
Selection = Union[None, str, Sequence[Any], np.ndarray, pd.Series, pd.Index]


def _mask(selection: Selection, ids: pd.Series, argument: str, table: str) -> np.ndarray:
    """Rows of a table chosen by ids (one id, or several) or by a boolean mask
    (an array of its length, or a Series over its index)."""
    n = len(ids)
    if isinstance(selection, pd.Series) and pd.api.types.is_bool_dtype(selection.dtype):
        aligned = selection.reindex(ids.index)
        if aligned.isna().any():
            raise ValueError(f"{argument}= is a boolean Series whose index lacks rows of {table} "
                             f"({check.examples(ids.index[aligned.isna().to_numpy()].tolist())}); "
                             f"build it from project.{table} so that it covers every row")
        return aligned.to_numpy(dtype=bool)
    if isinstance(selection, str) or not isinstance(selection, Iterable):
        selection = [selection]
    values = np.asarray(list(selection), dtype=object)
    if values.ndim != 1:
        raise ValueError(f"{argument}= must be ids or a boolean mask, got an array of shape {values.shape}")
    if len(values) and all(isinstance(v, (bool, np.bool_)) for v in values):
        if len(values) != n:
            raise ValueError(f"{argument}= is a boolean mask of {len(values)} values for {n} rows of "
                             f"{table}; give one value per row, or ids")
        return values.astype(bool)
    known = pd.Index(ids)
    unknown = pd.Index(values).difference(known)
    if len(unknown):
        raise ValueError(f"{argument}= names {check.examples(unknown.tolist())}, not in {table} "
                         f"(which has {check.examples(known.tolist())})")
    return ids.isin(values).to_numpy(dtype=bool)


def _within(selected: np.ndarray, parent: np.ndarray) -> np.ndarray:
    """Codes that are, or descend from, a selected code (one pass per level)."""
    out = selected.copy()
    up = parent.copy()
    while (up >= 0).any():
        has = up >= 0
        out[has] |= selected[up[has]]
        up[has] = parent[up[has]]
    return out


def _with_ancestors(keep: np.ndarray, parent: np.ndarray) -> np.ndarray:
    out = keep.copy()
    frontier = parent[keep]
    while len(frontier):
        frontier = frontier[(frontier >= 0) & ~out[np.maximum(frontier, 0)]]
        out[frontier] = True
        frontier = parent[frontier]
    return out


def _where(project: CodedProject, where: Any, codings: pd.DataFrame) -> np.ndarray:
    """The codings ``where=`` keeps: a boolean Series over the codings (or an
    array of their length), or a query on codings, items and documents columns."""
    if isinstance(where, str):
        frame = codings.copy()
        items, documents = project.items, project.documents
        item_pos = pd.Index(items["item"]).get_indexer(codings["item"])
        for column in items.columns:
            if column not in frame.columns:
                frame[column] = items[column].iloc[item_pos].set_axis(frame.index)
        doc_pos = project.arrays.item_doc[item_pos]
        for column in documents.columns:
            if column not in frame.columns:
                frame[column] = documents[column].iloc[doc_pos].set_axis(frame.index)
        try:
            result = frame.eval(where)
        except Exception as err:
            raise ValueError(f"where={where!r} is not a query pandas can evaluate on the columns of "
                             f"codings, items and documents ({type(err).__name__}: {err}); columns are "
                             f"{check.examples(frame.columns)}") from None
        if not (isinstance(result, pd.Series) and pd.api.types.is_bool_dtype(result.dtype)):
            raise ValueError(f"where={where!r} does not give True or False per coding; write a "
                             "condition, e.g. \"coder == 'A'\"")
        return result.to_numpy(dtype=bool)
    if isinstance(where, pd.Series):
        if not pd.api.types.is_bool_dtype(where.dtype):
            raise ValueError(f"where= is a Series of {where.dtype}; give a boolean Series over the codings "
                             "(e.g. project.codings['coder'] == 'A') or a query string")
        aligned = where.reindex(codings.index)
        if aligned.isna().any():
            raise ValueError("where= is a boolean Series whose index lacks rows of the codings; build it "
                             "from project.codings so that it covers every row")
        return aligned.to_numpy(dtype=bool)
    values = np.asarray(where)
    if values.dtype != bool or values.shape != (len(codings),):
        raise ValueError(f"where= must be a query string, or True/False per coding ({len(codings)} values); "
                         f"got {type(where).__name__} of {values.dtype} and shape {values.shape}")
    return values


def subset(
    project: Project,
    *,
    docs: Selection = None,
    codes: Selection = None,
    coders: Optional[Sequence[Any]] = None,
    where: Any = None,
) -> Project:
    """The function behind :meth:`qdacore.Project.subset`, which documents it."""
    if not isinstance(project, CodedProject):
        raise TypeError(f"project must be a qdacore.Project, got {type(project).__name__}")
    documents, items, codings = project.documents, project.items, project.codings
    cb = project.codebook
    keep_doc = np.ones(len(documents), dtype=bool) if docs is None else \
        _mask(docs, documents["doc"], "docs", "documents")
    keep_item = np.asarray(items["doc"].isin(documents["doc"][keep_doc]).to_numpy(dtype=bool))
    keep_coding = codings["item"].isin(items["item"][keep_item]).to_numpy(dtype=bool)
    codebook = cb
    if codes is not None:
        codes_table = cb.codes
        chosen = _mask(codes, codes_table["code"], "codes", "the codebook's codes")
        parent = cb.parent_positions
        coded = _within(chosen, parent)
        keep_code = _with_ancestors(coded, parent)
        keep_coding = keep_coding & codings["code"].isin(codes_table["code"][coded]).to_numpy(dtype=bool)
        members = cb.members
        codebook = Codebook(codes_table[keep_code], cb.groups,
                            members[members["code"].isin(codes_table["code"][keep_code])],
                            allow_empty=True)
    if coders is not None:
        if "coder" not in codings.columns:
            raise ValueError("coders= needs a coder column in the codings table; this project has none")
        names = [coders] if isinstance(coders, str) else list(coders)
        present = pd.Index(pd.unique(codings["coder"].dropna()))
        unknown = pd.Index(names).difference(present)
        if len(unknown):
            raise ValueError(f"coders= names {check.examples(unknown.tolist())}, who made no codings; "
                             f"coders are {check.examples(present.tolist())}")
        keep_coding = keep_coding & codings["coder"].isin(names).to_numpy(dtype=bool)
    if where is not None:
        keep_coding = keep_coding & _where(project, where, codings)
    return new_project(codebook, documents[keep_doc], items[keep_item], codings[keep_coding],
                       name=project.name, allow_empty=True)
