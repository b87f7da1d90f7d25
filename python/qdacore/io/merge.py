"""Coders' copies of one project merged into one project, for agreement.

The usual agreement workflow: every coder codes a copy of the project in
ATLAS.ti, NVivo, MAXQDA or QualCoder and exports it; :func:`merge_coders`
takes the exports (REFI-QDA files, read with :func:`qdacore.read_qdpx`, or
Projects) and returns one project whose codings say who made them, ready for
:meth:`qdacore.Project.agreement`. Each table is merged by a rule:

Projects
    A list (or tuple) of Projects or paths, one per coder. The same Project
    object, or the same file, given twice is an error: the merge would
    measure a coder's agreement with themselves. One project alone is merged
    with a warning (there is nothing to compare it with), and so are two
    projects whose codings are identical once their coders are renamed (a
    file read twice: agreement perfect by construction).
Coders
    ``codings.coder`` of each file: the file's users (their names, as
    :func:`~qdacore.read_qdpx` reads them), or the names given by
    ``coders=[...]``, a list (or tuple) of distinct non-empty strings, one
    per project in their order, which replace them (and drop the users'
    GUIDs); a set is refused, having no order. Without ``coders=``, every
    coding must name its coder, and
    two projects may not share a coder: the same name in two exports is most
    often the package's default user (pass ``coders=``), or a coding made
    before the copies were made (drop it from all but one with
    :meth:`~qdacore.Project.subset`).
Documents
    The same document when their texts are equal (a SHA-256 of the text),
    whatever their names; among several documents with that text, the one
    with the same id, else the same GUID, else the same ``name``, else the
    first one left, in order (only this last match warns: a document renamed
    in a copy). Documents without a text match by id. The merged
    document takes the id and the attributes of the first project that has
    it, missing attributes filled from later ones. A document whose id
    names a document of another text in an earlier project is an error
    naming the two projects and the first character that differs (positions
    in two versions of a text are not comparable): have the coders code one
    version, or leave it out of one project with
    :meth:`~qdacore.Project.subset`. A document that some projects lack is
    kept, with a warning naming it and the projects that have it (its units
    are rated only by the coders who saw it).
Items
    One unit per span: items of one document with the same ``start`` and
    ``end`` (and ``scope``) are one item, within a project and across
    projects, as :func:`qdacore.read_qdpx` makes identical selections one
    item; items without offsets are the same when their document and id are.
    The first item keeps its id and attributes; a distinct item whose id is
    taken gets ``#2``, ``#3`` ... (and no GUID, so an export derives one).
Codebook
    Codes are the same when their GUIDs are (whatever their names), else when
    their ids are. A code only one project has is kept, under its parent's
    merged code. A merged code keeps the first project's id, parent and
    level, and its attributes, missing ones filled from later projects; it
    is an error for two codes of one project to meet in one merged code. A
    code only one project has, at a level that none of the other projects
    names (``lvlB`` where the others have ``theme`` and ``subtheme``), is kept
    with a warning: the merged codebook then mixes two sets of level names.
    Groups merge the same way, and their members are the union.
Codings
    All of them, each pointing to the merged item and code; a coding GUID
    already used by an earlier project is dropped (an export derives one).

Coders who each selected their own spans make items that only they rated:
item agreement then counts those as disagreements or leaves them out
(:meth:`~qdacore.Project.agreement`); ``unit="document"`` compares the codes
each coder gave each document, and
:meth:`~qdacore.Project.coding_comparison` compares characters.
"""
from __future__ import annotations

import hashlib
import os
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Optional, Union

import numpy as np
import pandas as pd

from .. import _validate as check
from .._model import CodedProject, identical_spans, new_project
from ..codebook import Codebook
from .qdpx import POSITIONS, read_qdpx

if TYPE_CHECKING:  # pragma: no cover
    from ..project import Project

__all__ = ["merge_coders"]

_SHOWN = 5


class _Source:
    """One project to merge and how messages name it."""

    def __init__(self, k: int, entry: Any, positions: str) -> None:
        if isinstance(entry, CodedProject):
            self.project = entry
            self.label = f"projects[{k}] ({entry.name!r})"
        elif isinstance(entry, (str, os.PathLike)) and not isinstance(entry, bytes):
            self.project = read_qdpx(Path(entry), positions=positions)
            self.label = f"projects[{k}] ({Path(entry).name})"
        else:
            raise TypeError(f"projects[{k}] is {_a(entry)}; pass Projects or paths of "
                            "REFI-QDA files (.qdpx, .qde)")


def _listed(pairs: list) -> str:
    return "; ".join(pairs[:_SHOWN]) + (f" and {len(pairs) - _SHOWN} more" if len(pairs) > _SHOWN else "")


def _first_filled(stacked: pd.DataFrame, key: str, keep: Sequence[str] = ()) -> pd.DataFrame:
    """One row per ``key`` in order of first appearance: the first row's values,
    missing ones filled from later rows, except the ``keep`` columns (first row's)."""
    first = stacked.drop_duplicates(key, keep="first").reset_index(drop=True)
    if len(stacked) == len(first):
        return first
    filled = stacked.groupby(key, sort=False, dropna=False).first().reset_index()
    filled = filled.set_index(key).reindex(first[key]).reset_index()
    for column in first.columns:
        if column == key or column in keep:
            continue
        gaps = first[column].isna() & filled[column].notna()
        if gaps.any():
            first[column] = first[column].where(~gaps, filled[column])
    return first


# -- arguments ----------------------------------------------------------------------------
def _a(value: Any) -> str:
    """``a list``, ``an int``, ``None``: what a value is, for a message."""
    if value is None:
        return "None"
    kind = type(value).__name__
    return f"{'an' if kind[:1].lower() in 'aeiou' else 'a'} {kind}"


def _names(coders: Any, n: int) -> list[str]:
    """``coders=`` checked: a list or tuple of ``n`` distinct, non-empty strings."""
    if isinstance(coders, str):
        raise TypeError(f"coders={coders!r} is one string; give a list of names, one per project in "
                        f"their order, e.g. coders=['A', 'B']")
    if not isinstance(coders, (list, tuple)):
        why = " (a set has no order, so the names could not be matched to the projects)" \
            if isinstance(coders, (set, frozenset)) else ""
        raise TypeError(f"coders= is {_a(coders)}{why}; give a list (or tuple) of names, "
                        "one per project in their order, e.g. coders=['A', 'B']")
    for k, coder in enumerate(coders):
        if not isinstance(coder, str):
            raise TypeError(f"coders[{k}] is {coder!r} ({type(coder).__name__}); a coder's name is a "
                            "non-empty string")
        if not coder.strip():
            raise ValueError(f"coders[{k}] is {coder!r}; a coder's name is a non-empty string")
    if len(coders) != n:
        raise ValueError(f"coders= gives {len(coders)} name(s) for {n} project(s); give one name per "
                         "project, in their order")
    seen: dict[str, int] = {}
    for k, coder in enumerate(coders):
        if coder in seen:
            raise ValueError(f"coders[{seen[coder]}] and coders[{k}] are both {coder!r}; give each project "
                             "its own coder's name")
        seen[coder] = k
    return list(coders)


def _same_file(a: Any, b: Any) -> bool:
    try:
        return os.path.samefile(a, b)
    except (OSError, ValueError, TypeError):
        return False


def _check_twice(projects: Sequence[Any], sources: list[_Source], coders: Optional[Sequence[Any]]) -> None:
    """One project, or the same one twice, compares a coder with themselves:
    the same Project object or file twice is an error, one project a warning,
    two projects with identical codings a warning."""
    for j in range(len(projects)):
        for k in range(j):
            a, b = projects[k], projects[j]
            same = a is b if isinstance(a, CodedProject) else \
                isinstance(b, (str, os.PathLike)) and _same_file(a, b)
            if same:
                raise ValueError(f"projects[{k}] and projects[{j}] are the same "
                                 f"{'Project' if isinstance(a, CodedProject) else 'file'}; merging it with "
                                 "itself would measure a coder's agreement with themselves: pass each "
                                 "coder's own copy once")
    if len(sources) == 1:
        warnings.warn(f"merge_coders got one project ({sources[0].label}): there is nothing to merge it with, "
                      "and agreement needs the codings of two coders or more; pass the coders' copies, "
                      "one per coder", UserWarning, stacklevel=3)
        return
    if coders is None:
        return  # the same coder in two projects is an error in _coded
    seen: dict = {}
    for k, source in enumerate(sources):
        codings = source.project.codings
        if not len(codings):
            continue
        columns = [c for c in codings.columns if c not in ("coder", "coder_guid", "guid")]
        try:
            key = pd.util.hash_pandas_object(codings[columns], index=False).to_numpy().tobytes()
        except TypeError:  # unhashable cells: no check
            continue
        if key in seen:
            warnings.warn(f"{sources[seen[key]].label} and {source.label} hold identical codings: as two "
                          "coders they agree perfectly by construction; check that each is a different "
                          "coder's copy", UserWarning, stacklevel=3)
        seen.setdefault(key, k)


# -- coders -------------------------------------------------------------------------------
def _coded(sources: list[_Source], coders: Optional[Sequence[Any]]) -> list[pd.DataFrame]:
    """Each project's codings with their coder set."""
    out = []
    if coders is not None:
        coders = _names(coders, len(sources))
        for source, coder in zip(sources, coders):
            codings = source.project.codings
            if "coder" in codings.columns and "coder_guid" in codings.columns:
                renamed = (codings["coder"] != coder).to_numpy(dtype=bool) | codings["coder"].isna().to_numpy()
                codings["coder_guid"] = codings["coder_guid"].astype(object).where(~renamed, None)
            codings["coder"] = pd.Series([coder] * len(codings), dtype=object)
            out.append(codings)
        return out
    seen: dict = {}
    for source in sources:
        codings = source.project.codings
        if len(codings) and ("coder" not in codings.columns or codings["coder"].isna().any()):
            n = len(codings) if "coder" not in codings.columns else int(codings["coder"].isna().sum())
            raise ValueError(f"{source.label}: {n} coding(s) name no coder; pass coders=[...], one "
                             "name per project")
        for coder in (pd.unique(codings["coder"]) if len(codings) else []):
            if coder in seen:
                raise ValueError(
                    f"coder {coder!r} made codings in {seen[coder]} and in {source.label}; the same user "
                    "in two exports is most often the package's default user: pass coders=[...], one name "
                    "per project (or, for codings made before the copies, keep them in one project "
                    "with project.subset(coders=...))")
            seen[coder] = source.label
        out.append(codings)
    return out


# -- documents ----------------------------------------------------------------------------
def _none(value: Any) -> bool:
    return value is None or (not isinstance(value, str) and bool(pd.isna(value)))


def _digest(text: Any) -> Optional[str]:
    if not isinstance(text, str):
        return None
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def _first_difference(a: str, b: str) -> str:
    k = next((i for i, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))
    hint = " (their line endings differ)" if a.replace("\r\n", "\n") == b.replace("\r\n", "\n") else ""
    return (f"they have {len(a):,} and {len(b):,} characters and first differ at character {k:,}: "
            f"{a[max(k - 10, 0):k + 10]!r} against {b[max(k - 10, 0):k + 10]!r}{hint}")


def _attribute(docs: pd.DataFrame, column: str) -> list:
    """A column of the documents as keys (None where missing or absent); GUIDs
    in one spelling."""
    if column not in docs.columns:
        return [None] * len(docs)
    if column == "guid":
        return _guid_keys(docs)
    return [v if isinstance(v, str) and v else None for v in docs[column].astype(object)]


def _documents(sources: list[_Source]) -> tuple[pd.DataFrame, list[dict]]:
    """The merged documents table, and each project's {doc id: merged id}.

    A document matches an earlier one with the same text; among several with
    that text, the one with the same id, else the same GUID, else the same
    name, else the first one left (the only match that warns: a document
    renamed in a copy). Documents without a text match by id."""
    merged: list[dict] = []  # id, digest, text, label, projects, guid, name
    by_digest: dict[str, list[int]] = {}
    by_id: dict[Any, int] = {}
    maps: list[dict] = []
    rows: list[pd.DataFrame] = []
    renamed: list[str] = []
    for k, source in enumerate(sources):
        docs = source.project.documents
        texts = docs["text"].to_numpy(dtype=object) if "text" in docs.columns else np.full(len(docs), None)
        ids = docs["doc"].tolist()
        digests = [_digest(t) for t in texts]
        keys = {"id": ids, "guid": _attribute(docs, "guid"), "name": _attribute(docs, "name")}
        chosen: list[Optional[int]] = [None] * len(ids)
        used: set[int] = set()
        for key in ("id", "guid", "name", None):  # by text: same id first, text alone last
            for r, digest in enumerate(digests):
                if chosen[r] is not None or digest is None:
                    continue
                value = keys[key][r] if key is not None else None
                if key is not None and value is None:
                    continue
                m = next((m for m in by_digest.get(digest, []) if m not in used
                          and (key is None or merged[m][key] == value)), None)
                if m is None:
                    continue
                chosen[r] = m
                used.add(m)
                if key is None and merged[m]["id"] != ids[r]:
                    renamed.append(f"{ids[r]!r} of {source.label} is {merged[m]['id']!r} of {merged[m]['label']}")
        mapping: dict = {}
        for r, (doc, text, digest) in enumerate(zip(ids, texts, digests)):
            m = chosen[r]
            if m is None and doc in by_id:
                m = by_id[doc]
                known = merged[m]["text"]
                if digest is not None and known is not None and merged[m]["digest"] != digest:
                    raise ValueError(
                        f"document {doc!r} of {source.label} has another text than document {doc!r} of "
                        f"{merged[m]['label']}: {_first_difference(known, text)}. Positions in two versions "
                        "of a text cannot be compared: have the coders code one version, or leave the "
                        "document out of one project with project.subset(docs=...)")
                if m in used:
                    raise ValueError(f"two documents of {source.label} match document {merged[m]['id']!r} "
                                     f"of {merged[m]['label']} (by text and by name); rename one")
                if known is None and digest is not None:
                    merged[m].update(text=text, digest=digest)
                    by_digest.setdefault(digest, []).append(m)
            if m is None:
                m = len(merged)
                merged.append({"id": doc, "digest": digest, "text": text if digest else None,
                               "label": source.label, "projects": [], "guid": keys["guid"][r],
                               "name": keys["name"][r]})
                by_id[doc] = m
                if digest is not None:
                    by_digest.setdefault(digest, []).append(m)
            used.add(m)
            merged[m]["projects"].append(k)
            mapping[doc] = merged[m]["id"]
        maps.append(mapping)
        rows.append(docs.assign(doc=docs["doc"].map(mapping)))
    if renamed:
        warnings.warn(f"{len(renamed)} document(s) have the text of a document named otherwise, and are "
                      f"merged into it: {_listed(renamed)}", UserWarning, stacklevel=3)
    partial = [f"{d['id']!r} only in " + ", ".join(sources[k].label for k in d["projects"])
               for d in merged if len(d["projects"]) < len(sources)]
    if partial:
        warnings.warn(f"{len(partial)} document(s) are not in every project, so only the coders of the "
                      f"projects that have them rate their units: {_listed(partial)}", UserWarning,
                      stacklevel=3)
    return _first_filled(pd.concat(rows, ignore_index=True), "doc"), maps


# -- codebook -----------------------------------------------------------------------------
def _guid_keys(table: pd.DataFrame) -> list:
    if "guid" not in table.columns:
        return [None] * len(table)
    return [g.strip().strip("{}").lower() if isinstance(g, str) and g.strip() else None
            for g in table["guid"].astype(object)]


def _match(sources: list[_Source], tables: list[pd.DataFrame], key: str, what: str,
           ) -> tuple[list[dict], list[pd.DataFrame], list[str]]:
    """Rows of several tables matched by GUID, else by ``key``: each table's
    {id: merged id}, its rows relabelled, and the renamings."""
    by_guid: dict[str, Any] = {}
    by_id: dict[Any, Any] = {}
    origin: dict[Any, str] = {}
    maps, rows, renamed = [], [], []
    for source, table in zip(sources, tables):
        mapping: dict = {}
        for ident, guid in zip(table[key], _guid_keys(table)):
            m = by_guid.get(guid) if guid is not None else None
            if m is None:
                m = by_id.get(ident)
            elif m != ident:
                renamed.append(f"{what} {ident!r} of {source.label} is {m!r} of {origin[m]} (same GUID)")
            if m is None:
                m = ident
                by_id[ident] = ident
                origin[ident] = source.label
            if guid is not None:
                by_guid.setdefault(guid, m)
            mapping[ident] = m
        met = pd.Series(list(mapping.values()), dtype=object)
        if met.duplicated().any():
            both = [i for i, m in mapping.items() if m in set(met[met.duplicated()])]
            raise ValueError(f"{what}s {check.examples(both)} of {source.label} would become one {what} "
                             f"{met[met.duplicated()].iat[0]!r} (matched by GUID and by name); rename one "
                             "of them in that project")
        maps.append(mapping)
        rows.append(table.assign(**{key: table[key].map(mapping)}))
    return maps, rows, renamed


def _new_levels(sources: list[_Source], books: list[Codebook], code_maps: list[dict]) -> list[str]:
    """Codes only one project has, at a level the other projects do not name."""
    if len(sources) < 2:
        return []
    named = [set(b.codes["level"].dropna()) if "level" in b.codes.columns else set() for b in books]
    count: dict[Any, int] = {}
    for mapping in code_maps:
        for m in set(mapping.values()):
            count[m] = count.get(m, 0) + 1
    out = []
    for k, (source, book, mapping) in enumerate(zip(sources, books, code_maps)):
        others = set().union(*(named[j] for j in range(len(books)) if j != k))
        if not others or "level" not in book.codes.columns:
            continue
        for code, level in zip(book.codes["code"], book.codes["level"]):
            if count[mapping[code]] == 1 and not _none(level) and level not in others:
                out.append(f"{code!r} at level {level!r} in {source.label} (the others have "
                           f"{', '.join(map(repr, sorted(others, key=str)))})")
    return out


def _codebook(sources: list[_Source]) -> tuple[Codebook, list[dict]]:
    """The merged codebook, and each project's {code id: merged id}."""
    books = [s.project.codebook for s in sources]
    code_maps, code_rows, renamed = _match(sources, [b.codes for b in books], "code", "code")
    moved = []
    for mapping, codes in zip(code_maps, code_rows):
        codes["parent"] = pd.Series([None if _none(p) else mapping.get(p, p) for p in codes["parent"]],
                                    dtype=object, index=codes.index)
    codes = _first_filled(pd.concat(code_rows, ignore_index=True), "code", keep=("parent", "level"))
    placed = {c: None if _none(p) else p for c, p in zip(codes["code"], codes["parent"])}
    for source, rows in zip(sources[1:], code_rows[1:]):
        for code, parent in zip(rows["code"], rows["parent"]):
            if placed[code] != parent:
                moved.append(f"{code!r} under {parent!r} in {source.label}, under {placed[code]!r} before")
    group_maps, group_rows, renamed_groups = _match(sources, [b.groups for b in books], "group", "group")
    groups = _first_filled(pd.concat(group_rows, ignore_index=True), "group", keep=("set",))
    members = pd.concat([b.members.assign(group=b.members["group"].map(g), code=b.members["code"].map(c))
                         for b, g, c in zip(books, group_maps, code_maps)], ignore_index=True)
    members = members.drop_duplicates(["group", "code"]).reset_index(drop=True)
    levels = _new_levels(sources, books, code_maps)
    if levels:
        warnings.warn(f"{len(levels)} code(s) that only one project has sit at a level the other projects "
                      f"do not name, so the merged codebook mixes two sets of level names: {_listed(levels)}; "
                      "rename the level in that project's codebook (or the code's level) to match",
                      UserWarning, stacklevel=3)
    notes = renamed + renamed_groups
    if notes:
        warnings.warn(f"{len(notes)} code(s) or group(s) were renamed in a copy and are merged by GUID: "
                      f"{_listed(notes)}", UserWarning, stacklevel=3)
    if moved:
        warnings.warn(f"{len(moved)} code(s) sit elsewhere in a later project's hierarchy; the first "
                      f"project's place is kept: {_listed(moved)}", UserWarning, stacklevel=3)
    return Codebook(codes, groups, members, allow_empty=True), code_maps


# -- items and codings --------------------------------------------------------------------
def _items(sources: list[_Source], doc_maps: list[dict]) -> tuple[pd.DataFrame, list[np.ndarray]]:
    """The merged items table, and each project's item row -> merged item id."""
    tables = []
    for source, mapping in zip(sources, doc_maps):
        table = source.project.items
        table["doc"] = table["doc"].map(mapping)
        tables.append(table)
    stacked = pd.concat(tables, ignore_index=True)
    unit = identical_spans(stacked)
    first_rows = np.unique(unit, return_index=True)[1]
    items = stacked.iloc[first_rows].reset_index(drop=True)
    ids = items["item"].astype(object)
    taken = ids.duplicated()
    if taken.any():  # distinct units that share an id: the later ones get #2, #3 ...
        used = set(ids)
        new = ids.to_numpy(dtype=object, copy=True)
        for k in np.flatnonzero(taken.to_numpy()).tolist():
            n = 2
            while f"{ids.iat[k]}#{n}" in used:
                n += 1
            new[k] = f"{ids.iat[k]}#{n}"
            used.add(new[k])
        items["item"] = pd.Series(new, dtype=object).astype(items["item"].dtype)
        if "guid" in items.columns:
            items["guid"] = items["guid"].astype(object).where(~taken.to_numpy(), None)
    merged_id = items["item"].to_numpy(dtype=object)[unit]
    bounds = np.cumsum([0] + [len(t) for t in tables])
    return items, [merged_id[bounds[k]:bounds[k + 1]] for k in range(len(tables))]


def merge_coders(
    projects: Sequence[Union[Project, str, Path]],
    *,
    coders: Optional[Sequence[Any]] = None,
    name: Optional[str] = None,
    positions: str = "auto",
) -> Project:
    """Merge coders' copies of one project (REFI-QDA exports or Projects) into
    one project whose codings name their coder, for
    :meth:`~qdacore.Project.agreement`.

    The rules for documents, items, codes and coders are in the module
    docstring: documents match by text (among equal texts by id, GUID, then
    name; else by id), identical spans are one item, codes match by GUID
    (else by id), and a document, code or item that only one project has is
    kept.

    Parameters
    ----------
    projects : list of Project, str or Path
        The copies, a list or tuple: Projects, or paths of ``.qdpx``/``.qde``
        files read with :func:`qdacore.read_qdpx`; each one once.
    coders : list of str, optional
        One coder name per project, in their order, replacing the names of
        the files' users: a list or tuple of distinct non-empty strings.
        Without it every coding must name its coder, and no coder may appear
        in two projects.
    name : str, optional
        The merged project's name (default: the projects' names joined by
        ``" + "``).
    positions : str
        How the files count text positions (as :func:`qdacore.read_qdpx`).

    Returns
    -------
    Project

    Raises
    ------
    ValueError
        No project; the same Project or file twice; ``coders`` not one
        distinct non-empty name per project; codings without a coder, or a
        coder in two projects, without ``coders``; a document named as one
        of an earlier project but with another text; two codes (or
        documents) of one project that match one merged code.
    TypeError
        ``projects`` or ``coders`` not a list or tuple (a set, a generator,
        one string ...); an entry that is neither a Project nor a path; a
        coder's name that is not a string; a ``name`` that is not a string.

    Warns
    -----
    UserWarning
        One project only; two projects with identical codings; documents
        not in every project; documents matched by their text alone (renamed
        in a copy), codes or groups renamed in a copy; codes placed
        elsewhere in a later project's hierarchy; a code only one project
        has at a level the others do not name.

    Examples
    --------
    Two coders code a copy each and export it:

    >>> import tempfile, pandas as pd, qdacore as qc
    >>> codes = pd.DataFrame({"code": ["transport", "housing"]})
    >>> documents = pd.DataFrame({"doc": ["plan"], "text": ["Build rail. Build homes."]})
    >>> items = pd.DataFrame({"item": ["s1", "s2"], "doc": ["plan", "plan"],
    ...                       "start": [0, 12], "end": [11, 24]})
    >>> a = qc.Project(codes, documents, items, pd.DataFrame(
    ...     {"item": ["s1", "s2"], "code": ["transport", "housing"], "coder": ["Ann", "Ann"]}))
    >>> b = qc.Project(codes, documents, items, pd.DataFrame(
    ...     {"item": ["s1", "s2"], "code": ["transport", "transport"], "coder": ["Bo", "Bo"]}))
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     merged = qc.merge_coders([a.to_qdpx(f"{tmp}/ann.qdpx"), b.to_qdpx(f"{tmp}/bo.qdpx")])
    >>> merged.sizes[["documents", "items", "codings", "coders"]].tolist()
    [1, 2, 4, 2]
    >>> merged.agreement(method="percent", ci=None)["percent"]
    code
    transport    0.5
    housing      0.5
    (all)        0.5
    Name: percent, dtype: float64
    """
    check.choice(positions, "positions", POSITIONS)
    if not isinstance(projects, (list, tuple)):
        what = "one Project" if isinstance(projects, CodedProject) else \
            "one path" if isinstance(projects, (str, Path)) else _a(projects)
        raise TypeError(f"projects= is {what}; give a list (or tuple) of Projects or paths of REFI-QDA "
                        "files, one per coder (e.g. [a, b], or list(...))")
    if not projects:
        raise ValueError("projects=[] holds no project; pass the coders' copies, one per coder")
    if name is not None and not isinstance(name, str):
        raise TypeError(f"name= is {type(name).__name__}; give a string, or None for the projects' names")
    if coders is not None:
        coders = _names(coders, len(projects))  # before any file is read
    sources = [_Source(k, entry, positions) for k, entry in enumerate(projects)]
    _check_twice(projects, sources, coders)
    codings = _coded(sources, coders)
    documents, doc_maps = _documents(sources)
    codebook, code_maps = _codebook(sources)
    items, item_ids = _items(sources, doc_maps)
    parts = []
    for source, table, ids, code_map in zip(sources, codings, item_ids, code_maps):
        rows = pd.Index(source.project.items["item"]).get_indexer(table["item"])
        parts.append(table.assign(item=pd.Series(ids[rows], dtype=object, index=table.index),
                                  code=table["code"].map(code_map)))
    merged = pd.concat(parts, ignore_index=True)
    if "guid" in merged.columns:
        merged["guid"] = merged["guid"].astype(object).where(
            ~(merged["guid"].duplicated() & merged["guid"].notna()), None)
    if name is None:
        name = " + ".join(pd.unique(pd.Series([s.project.name for s in sources], dtype=object)))
    return new_project(codebook, documents, items, merged, name=name, allow_empty=True)
