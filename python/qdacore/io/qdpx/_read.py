"""Reading a REFI-QDA project (``.qdpx`` or a bare ``.qde``): the project XML
walked into the four tables of a :class:`~qdacore.Project` (documents, items,
codings and the codebook), and :func:`read_qdpx`."""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Optional, Union

import numpy as np
import pandas as pd

from ... import _validate as check
from ..._model import identical_spans, new_project
from ._archive import MAX_MEMBER_BYTES, Archive, check_root, existing_file, member_limit
from ._codebook import (
    add_document_sets,
    check_hierarchy,
    make_codebook,
    parse_codes,
    parse_sets,
)
from ._guids import GUID_RE, gkey, repair_guids, repair_references, stable_guid, unique_ids
from ._like import adopt
from ._positions import POSITIONS, frame, resolve
from ._report import SHOWN, Report, log, shown
from ._stream import Columns, parse_columns
from ._tables import restore
from ._variables import add_variables
from ._xml import AUDIT, NS, child_text, local, note_refs, qname

if TYPE_CHECKING:  # pragma: no cover
    from ...project import Project

_SELECTION_TAGS = ("PictureSelection", "PDFSelection", "AudioSelection", "VideoSelection",
                   "PlainTextSelection", "TranscriptSelection")


def read_qdpx(
    path: Union[str, Path],
    *,
    positions: str = "auto",
    hierarchy: Optional[str] = None,
    max_member_bytes: int = MAX_MEMBER_BYTES,
    like: Optional[Project] = None,
) -> Project:
    """Read a REFI-QDA project (``.qdpx`` archive, or a bare ``.qde`` XML file).

    Parameters
    ----------
    path : str or Path
    positions : {"auto", "codepoints", "utf16", "codepoints-crlf1", "utf16-crlf1"}
        How the file counts text positions (see the module docstring);
        ``"auto"`` decides from the ``origin`` attribute, checked against the
        texts, and reports its choice with a :class:`PositionsWarning` when it
        is not the standard's.
    hierarchy : str, optional
        A separator that makes flat code names a hierarchy: with
        ``hierarchy="::"``, a top-level code ``Coke::diet Coke`` becomes
        ``diet Coke``, a child of ``Coke`` (ATLAS.ti names code groups so);
        a parent missing from the codebook is added, not codable.
    max_member_bytes : int
        Largest decompressed size accepted for any one archive member; the
        members together may expand to 16 times as much.
    like : Project, optional
        The project this file was exported from, for review in ATLAS.ti,
        NVivo or QualCoder: documents (by id), items (by document and span)
        and codes (by id, name or GUID) that the file still holds take back
        its ids (``YN:18``), its codebook and the columns the file cannot
        carry (outline, pages); what the review added keeps the file's
        reading. See :doc:`/guide/documents`.

    Returns
    -------
    Project
        See the module docstring for the mapping. Offsets are code points.
        An archive that :func:`write_qdpx` wrote with its ``qdacore/`` tables
        (and nobody changed since) gives back the project that was written,
        equal in every table; ``positions`` does not apply to it, and
        ``hierarchy`` reads the XML instead.

    Raises
    ------
    ValueError
        Not a zip or not well-formed XML; XML with entity declarations or
        external references; a member over ``max_member_bytes``; a root
        element of another schema or version; a plain text that is not UTF-8;
        codes nested more than 10,000 deep.
    FileNotFoundError
        ``path`` does not exist.

    Warns
    -----
    QdpxWarning
        Sources whose text is missing, selections outside their text, unsafe
        member names, content that a Project cannot hold (listed), and GUIDs
        that repeat an earlier one or are no GUIDs (replaced by stable new
        ones, so that the project can be written again).
    PositionsWarning
        The convention ``positions="auto"`` chose, when it is not code points.

    Examples
    --------
    >>> import tempfile, qdacore as qc
    >>> project = qc.datasets.megaregions()
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     back = qc.read_qdpx(qc.write_qdpx(project, f"{tmp}/megaregions.qdpx"))
    >>> back.sizes[["documents", "items", "codings", "codes"]].tolist()
    [21, 1199, 1578, 73]
    """
    check.choice(positions, "positions", POSITIONS)
    limit = member_limit(max_member_bytes)
    path = existing_file(path)
    report = Report()
    archive = Archive(path, limit, report)
    try:
        xml = archive.project_xml()
        root, sources, gathered = parse_columns(xml, f"{path.name}: project.qde")
        check_root(root, NS, "Project", f"{path.name}: project.qde")
        project = restore(archive, xml, report) if hierarchy is None else None
        if project is None:
            project = _build(root, sources, gathered, archive, positions, check_hierarchy(hierarchy), report,
                             path)
    finally:
        archive.close()
    report.emit()
    return project if like is None else adopt(project, like)




def _build(root: ET.Element, sources: list, gathered: Columns, archive: Archive, positions: str,
           hierarchy: Optional[str], report: Report, path: Path) -> Project:
    """The Project of a project's XML (the warnings go to ``report``, in the order they arise)."""
    users = {}
    for u in root.iterfind(f"{qname('Users')}/{qname('User')}"):
        users[gkey(u.get("guid"))] = u.get("name") or u.get("id") or u.get("guid")
    codes, code_of = parse_codes(root.find(f"{qname('CodeBook')}/{qname('Codes')}"), NS, hierarchy, report,
                                 f"{path.name}: CodeBook")
    parsed = _walk(root, sources, gathered, archive, report)
    docs = _documents(parsed, report, path.name)
    items, item_of = _items(parsed, docs, positions, root.get("origin") or "", report)
    codings = _codings(parsed, items, item_of, code_of, codes, users, report)
    codes = codings.attrs.pop("codes")
    add_variables(root, docs, report)
    groups, members, doc_members = parse_sets(root.findall(f"{qname('Sets')}/{qname('Set')}"), NS, code_of,
                                              report, "targetGUID", frozenset(docs["guid"].map(gkey)))
    add_document_sets(docs, doc_members, groups, report)
    docs = _drop_empty(docs, ("note_refs",))
    items = _drop_empty(items, ("note_refs",))
    repair_references([(items, "guid"), (codings, "selection")], "selection", path.name, report)
    repair_references([(codings, "guid")], "coding", path.name, report)
    repair_references([(codings, "coder_guid")] + [(t, c) for t in (docs, items)
                                                   for c in ("created_by", "modified_by")],
                      "user", path.name, report)
    repair_references([(groups, "guid")], "set", path.name, report)
    codebook = make_codebook(codes, groups, members)
    return new_project(codebook, docs, items, codings, name=root.get("name") or path.stem,
                       allow_empty=True)


# -- walking the XML ------------------------------------------------------------------
_SEL_COLUMNS = ["_doc", "guid", "name", "description", "note_refs", "scope"] + AUDIT
_CODING_COLUMNS = ["_sel", "_code", "guid", "coder_guid", "created", "note_refs"]
_AUDIT_ATTRS = ("creatingUser", "creationDateTime", "modifyingUser", "modifiedDateTime")
# the gathered column of each selection column (scope and _doc are made here)
_SEL_GATHERED = {"guid": "guid", "name": "name", "description": "description", "note_refs": "note_refs",
                 "created_by": "created_by", "created": "created", "modified_by": "modified_by",
                 "modified": "modified"}


@dataclass
class _Parsed:
    """Rows gathered from a project's XML, before the positions are resolved:
    documents as lists; selections as columns (``_SEL_COLUMNS``, numpy
    arrays, a source's selections followed by the row of its codings of the
    whole source, if any) with ``_start``/``_end``, the file's positions as
    numbers (NaN for a row of the whole source), and ``raw`` giving the
    attributes as written; codings as columns (``_CODING_COLUMNS``)."""

    docs: list = field(default_factory=list)
    sels: dict = field(default_factory=dict)
    codings: dict = field(default_factory=dict)
    raw: Callable[[np.ndarray, str], list] = field(default=lambda rows, side: [])
    unplaced: list = field(default_factory=list)  # selections without whole-number positions


def _audit(el: ET.Element) -> list:
    return [el.get("creatingUser"), el.get("creationDateTime"),
            el.get("modifyingUser"), el.get("modifiedDateTime")]


def _walk(root: ET.Element, sources: list, cols: Columns, archive: Archive, report: Report) -> _Parsed:
    """The text sources and notes with their selections and codings; what is not imported, reported."""
    parsed = _Parsed()
    skipped: dict[str, int] = {}
    number = {el: k for k, el in enumerate(sources)}  # a gathered source's number (src)
    src_doc = np.full(len(sources), -1, dtype=np.int64)
    top = root.find(qname("Sources"))
    for el in [] if top is None else list(top):
        tag = local(el.tag)
        if tag == "TextSource":
            src_doc[number[el]] = _document(el, "text", parsed, archive)
        else:
            skipped[tag] = skipped.get(tag, 0) + 1
            skipped["selections"] = skipped.get("selections", 0) + sum(
                1 for s in el.iter() if local(s.tag) in _SELECTION_TAGS)
            skipped["codings"] = skipped.get("codings", 0) + sum(1 for s in el.iter() if local(s.tag) == "Coding")
    for el in root.iterfind(f"{qname('Notes')}/{qname('Note')}"):
        src_doc[number[el]] = _document(el, "note", parsed, archive)
    _selections(parsed, cols, src_doc)
    if parsed.unplaced:
        shown_unplaced = "; ".join(parsed.unplaced[:SHOWN]) + (" ..." if len(parsed.unplaced) > SHOWN else "")
        report.add(f"{len(parsed.unplaced)} PlainTextSelection(s) have no whole-number startPosition and "
                   "endPosition (of at most 15 digits), so there is no text to place them on; they and "
                   f"their codings were not imported: {shown_unplaced}")
    if skipped:
        what = ", ".join(f"{n} {k}" for k, n in skipped.items() if k not in ("selections", "codings"))
        report.add(f"{what} with {skipped.get('selections', 0)} selection(s) and "
                   f"{skipped.get('codings', 0)} coding(s) were not imported: qdacore analyses text sources")
    for tag in ("Links", "Graphs"):
        n = len(root.findall(f"{qname(tag)}/*"))
        if n:
            report.add(f"{n} {tag.lower()} were not imported (a Project has no place for them)")

    missing = [(d[1] or d[0], d[4]) for d in parsed.docs if d[3] is None and d[2] == "text"]
    if missing:
        report.add(f"{len(missing)} text source(s) have no text, so their selections keep the positions "
                   f"as written and have no text: " + "; ".join(f"{n!r}: {why}" for n, why in missing[:SHOWN])
                   + (" ..." if len(missing) > SHOWN else ""))
    return parsed


# a position as xs:integer writes it, of at most 15 digits: below 2**53, so the
# float64 the positions are converted in holds it exactly (no text is longer)
_WHOLE = re.compile(r"\s*[-+]?0*[0-9]{1,15}\s*")


def _placed(start: Optional[str], end: Optional[str]) -> bool:
    return start is not None and end is not None and _WHOLE.fullmatch(start) is not None \
        and _WHOLE.fullmatch(end) is not None


def _document(el: ET.Element, kind: str, parsed: _Parsed, archive: Archive) -> int:
    """The document row of a text source or note (its number)."""
    inline = child_text(el, "PlainTextContent")
    text, why = (inline, "") if inline is not None else archive.source_text(el.get("plainTextPath"))
    parsed.docs.append([el.get("guid"), el.get("name"), kind, text, why, el.get("plainTextPath"),
                        child_text(el, "Description"), note_refs(el)] + _audit(el))
    return len(parsed.docs) - 1


def _with_none(values: np.ndarray) -> np.ndarray:
    """``values`` (an object array) with None appended: index ``len(values)`` is missing."""
    out = np.empty(len(values) + 1, dtype=object)
    out[:-1] = values
    return out


def _selections(parsed: _Parsed, cols: Columns, src_doc: np.ndarray) -> None:
    """The selection and coding columns of ``parsed``, by document (as the
    documents are numbered), without a loop per row: selections that cannot
    be placed (rare) are left out with their codings, and listed."""
    sel, cod = cols.sel, cols.cod
    n = len(sel["src"])
    doc = src_doc[sel["src"]]
    order = np.argsort(doc, kind="stable") if n and (np.diff(doc) < 0).any() else np.arange(n)
    placed = (sel["start_kind"] == 0) & (sel["end_kind"] == 0)
    odd = np.flatnonzero(~placed & (sel["start_kind"] != 1) & (sel["end_kind"] != 1))
    if len(odd):  # positions other than plain digits: judged as the file wrote them
        placed[odd] = list(map(_placed, cols.raw("start", odd), cols.raw("end", odd)))
    cod_sel = cod["sel"]
    on_sel = cod_sel >= 0
    if not placed.all():  # drop what cannot be placed, with its codings (rare)
        n_codings = np.bincount(cod_sel[on_sel], minlength=n)
        bad = order[~placed[order]]
        names = [parsed.docs[d][1] for d in doc[bad].tolist()]
        parsed.unplaced += [f"{g} ({name!r}: startPosition={a!r}, endPosition={b!r}, {k} coding(s))"
                            for g, name, a, b, k in zip(sel["guid"][bad].tolist(), names, cols.raw("start", bad),
                                                        cols.raw("end", bad), n_codings[bad].tolist())]
    kept = order[placed[order]]
    # a source's codings of its whole text are an item of their own, after its selections
    whole_src = np.unique(cod["src"][~on_sel])
    rows = np.concatenate([kept, np.full(len(whole_src), n, dtype=np.int64)])  # n: a row of no selection
    row_doc = np.concatenate([doc[kept], src_doc[whole_src]])
    row_src = np.concatenate([sel["src"][kept], whole_src])
    by_doc = np.argsort(row_doc * 2 + (rows == n), kind="stable")
    rows, row_doc, row_src = rows[by_doc], row_doc[by_doc], row_src[by_doc]
    whole = rows == n
    sels = {"_doc": row_doc}
    for column, gathered in _SEL_GATHERED.items():
        sels[column] = _with_none(sel[gathered])[rows]
    sels["scope"] = np.where(whole, "source", "selection").astype(object)
    for side in ("start", "end"):
        number = sel[side].astype(float)
        odd_placed = np.flatnonzero(placed & (sel[side + "_kind"] != 0))
        if len(odd_placed):  # as pandas reads them
            number[odd_placed] = pd.to_numeric(pd.Series(cols.raw(side, odd_placed)),
                                               errors="coerce").to_numpy(dtype=float)
        sels["_" + side] = np.append(number, np.nan)[rows]
    parsed.sels = {c: sels[c] for c in _SEL_COLUMNS + ["_start", "_end"]}

    def raw(index: np.ndarray, side: str) -> list:
        return cols.raw(side, rows[index])

    parsed.raw = raw
    # codings: those of kept selections and of whole sources, a document's together
    new_row = np.full(n + 1, -1, dtype=np.int64)
    new_row[rows[~whole]] = np.flatnonzero(~whole)
    whole_row = np.full(len(src_doc), -1, dtype=np.int64)
    whole_row[row_src[whole]] = np.flatnonzero(whole)
    keep = ~on_sel
    keep[on_sel] = placed[cod_sel[on_sel]]
    keep_rows = np.flatnonzero(keep)
    key = src_doc[cod["src"][keep_rows]] * 2 + ~on_sel[keep_rows]
    keep_rows = keep_rows[np.argsort(key, kind="stable")]
    target = np.where(on_sel[keep_rows], new_row[np.where(on_sel, cod_sel, n)[keep_rows]],
                      whole_row[cod["src"][keep_rows]])
    parsed.codings = {"_sel": target, "_code": cod["ref"][keep_rows], "guid": cod["guid"][keep_rows],
                      "coder_guid": cod["coder_guid"][keep_rows], "created": cod["created"][keep_rows],
                      "note_refs": cod["note_refs"][keep_rows]}


# -- the tables -----------------------------------------------------------------------
def _datetimes(values: pd.Series, where: str, report: Report) -> pd.Series:
    out = pd.to_datetime(values, utc=True, errors="coerce", format="ISO8601")
    lost = out.isna() & values.notna()
    if lost.any():
        report.add(f"{where}: {int(lost.sum())} date(s) are not ISO 8601 and were left out: "
                   f"{shown(values[lost].tolist())}")
    return out


def _drop_empty(df: pd.DataFrame, optional: tuple) -> pd.DataFrame:
    return df.drop(columns=[c for c in optional if c in df.columns and df[c].isna().all()])


def _documents(parsed: _Parsed, report: Report, where: str) -> pd.DataFrame:
    """The documents table: one row per text source and note."""
    docs = pd.DataFrame(parsed.docs, columns=["guid", "name", "kind", "text", "_why", "_path", "description",
                                              "note_refs"] + AUDIT)
    fallback = [f"{n or ''} [{g}]".strip() for n, g in zip(docs["name"], docs["guid"])]
    docs["guid"], _ = repair_guids(docs["guid"], "source", f"{where}: Sources", report)
    missing_guid = docs["guid"].isna()
    if missing_guid.any():
        docs.loc[missing_guid, "guid"] = [stable_guid("source", n, i) for i, n in
                                          zip(np.flatnonzero(missing_guid), docs["name"][missing_guid])]
    docs.insert(0, "doc", pd.Series(unique_ids(docs["name"].tolist(), fallback), dtype=object))
    docs = docs.drop(columns=["_why", "_path"])
    # object dtype: a text that many sources name is one str that every row
    # shares (pandas' Arrow-backed strings would copy it into every row)
    docs["text"] = pd.Series([d[3] for d in parsed.docs], index=docs.index, dtype=object)
    for col in ("created", "modified"):
        docs[col] = _datetimes(docs[col], f"documents.{col}", report)
    return docs


def _items(parsed: _Parsed, docs: pd.DataFrame, positions: str, origin: str,
           report: Report) -> tuple[pd.DataFrame, np.ndarray]:
    """The items table, offsets in code points, and the item row of every selection.

    Identical selections (same source and positions) are one item carrying all
    their codings, as the QDA packages show them: NVivo and ATLAS.ti write one
    selection per code applied to a span. The item keeps the first selection's
    GUID and attributes; each coding keeps its own selection's GUID.
    """
    sels = resolve(parsed.docs, parsed.sels, parsed.raw, positions, origin, report)
    # the rule merge_coders applies across files; a selection outside its text
    # (no offsets) stays an item of its own
    item_of = identical_spans(pd.DataFrame({"doc": sels["_doc"], "start": sels["start"], "end": sels["end"],
                                            "scope": sels["scope"], "item": np.arange(len(sels))}))
    first = np.unique(item_of, return_index=True)[1]
    if len(first) < len(sels):
        _report_merged(sels, item_of, first, report)
    items = sels.iloc[first].reset_index(drop=True)
    item_doc = items.pop("_doc").to_numpy(dtype=np.int64)
    doc_ids = docs["doc"].to_numpy(dtype=object)
    items.insert(0, "doc", doc_ids[item_doc] if len(items) else pd.Series([], dtype=object))
    whole = (items["scope"] == "source").to_numpy()
    guid = items["guid"].astype(object).to_numpy(copy=True)
    no_guid = pd.isna(guid) & ~whole
    guid[no_guid] = [stable_guid("selection", d, s, e, k) for k, d, s, e in
                     zip(np.flatnonzero(no_guid), items["doc"][no_guid], items["start"][no_guid],
                         items["end"][no_guid])]
    guid[whole] = None
    items.insert(0, "item", pd.Series(_item_ids(items, whole), dtype=object))
    items["guid"] = pd.Series(guid, dtype=object)
    for col in ("created", "modified"):
        items[col] = _datetimes(items[col], f"items.{col}", report)
    if not whole.any():
        items = items.drop(columns="scope")
    else:
        items["scope"] = items["scope"].astype(object)
    sel_guid = sels["guid"].astype(object).to_numpy(copy=True)
    sel_guid[(sels["scope"] == "source").to_numpy()] = None
    items.attrs["selection_guid"] = sel_guid  # each selection's own GUID, for its codings
    return items, item_of


def _item_ids(items: pd.DataFrame, whole: np.ndarray) -> list:
    """Readable item ids: ``<doc>:<start>-<end>`` for a selection, the document's
    id for a coded whole source (``<doc>:?<start>-<end>`` with the file's
    positions for a selection outside its text)."""
    doc = items["doc"].astype(str).reset_index(drop=True)
    if "raw_start" not in items.columns and not (items["start"].isna().any() or items["end"].isna().any()):
        # every selection placed: one f-string each, not pandas string arithmetic
        ids = pd.Series([f"{d}:{a}-{b}" for d, a, b in zip(doc.tolist(), items["start"].tolist(),
                                                            items["end"].tolist())], dtype=object)
        ids[whole] = doc[whole]
    else:
        ids = _slow_item_ids(items, doc, whole)
    if not ids.eq("").any() and not ids.duplicated().any():  # unique_ids would keep each: skip its fallbacks
        return ids.astype(str).tolist()
    return unique_ids(ids.tolist(), (ids + " [" + pd.Series(np.arange(len(ids))).astype(str) + "]").tolist())


def _slow_item_ids(items: pd.DataFrame, doc: pd.Series, whole: np.ndarray) -> pd.Series:
    """The ids where some positions are missing or outside the text (pandas' string
    arithmetic carries the missing values)."""
    def span(a: str, b: str) -> pd.Series:
        return (items[a].astype("string") + "-" + items[b].astype("string")).reset_index(drop=True)

    ids = doc + ":" + span("start", "end")
    if "raw_start" in items.columns:
        out = items["outside"].to_numpy(dtype=bool)
        ids[out] = (doc + ":?" + span("raw_start", "raw_end"))[out]
    ids[whole] = doc[whole]
    return ids.fillna(doc + ":?").astype(object)  # positions that are not numbers


def _report_merged(sels: pd.DataFrame, item_of: np.ndarray, first: np.ndarray, report: Report) -> None:
    """Warn where merged selections differ in an attribute other than their
    GUID (the item takes the first one's); merging itself is the rule, logged."""
    attrs = [c for c in ("name", "description", "note_refs") + tuple(AUDIT) if c in sels.columns]
    keep = sels.iloc[first][attrs].reset_index(drop=True).iloc[item_of].reset_index(drop=True)
    here = sels[attrs].reset_index(drop=True)
    differs = ~((keep == here) | (keep.isna() & here.isna()))
    cols = [c for c in attrs if differs[c].any()]
    n = len(sels) - len(first)
    log.info("%d selection(s) repeat another's source and positions and were merged into its item", n)
    if cols:
        rows = int(differs.any(axis=1).sum())
        report.add(f"{rows} selection(s) repeat another's source and positions but differ in "
                   f"{', '.join(cols)}; each is part of the first one's item, which keeps the first's values "
                   "(every coding keeps its own selection's GUID in codings.selection)")


def _per_distinct(values: pd.Series, fn: Callable[[pd.Series], pd.Series]) -> pd.Series:
    """``fn(values)`` computed once per distinct value (a few codes and coders
    stand for many codings), typed as ``fn`` types it, on ``values``' index."""
    rows, distinct = pd.factorize(values, use_na_sentinel=False)
    out = fn(pd.Series(distinct)).iloc[rows]
    out.index = values.index
    return out


def _codings(parsed: _Parsed, items: pd.DataFrame, item_of: np.ndarray, code_of: dict, codes: pd.DataFrame,
             users: dict, report: Report) -> pd.DataFrame:
    """The codings table; codes missing from the codebook get placeholder rows, returned in ``attrs["codes"]``."""
    # object columns: the table's columns are object, so no detour through pandas' str dtype
    raw = frame({c: v if c == "_sel" else pd.Series(v, dtype=object) for c, v in parsed.codings.items()},
                _CODING_COLUMNS)
    # codings by item (an item's codings together, in file order), as an export writes them
    by_item = np.argsort(item_of[raw["_sel"].to_numpy(dtype=np.int64)], kind="stable")
    raw = raw.iloc[by_item].reset_index(drop=True)
    # object: placeholders go in where no code matched (all of them, possibly: not a float column)
    code = _per_distinct(raw["_code"], lambda v: v.map(gkey).map(code_of)).astype(object)
    unknown = code.isna()
    if unknown.any():  # keep the coding: a placeholder code stands for the missing one
        missing = pd.unique(raw["_code"][unknown].fillna("(none)"))
        report.add(f"{int(unknown.sum())} coding(s) refer to {len(missing)} code GUID(s) missing from the "
                   f"codebook; placeholder root codes '[missing code <guid>]' keep them: {shown(missing)}")
        extra = pd.DataFrame({"code": [f"[missing code {g}]" for g in missing], "parent": None, "level": None,
                              "name": [f"[missing code {g}]" for g in missing],
                              "guid": [g if g != "(none)" and GUID_RE.fullmatch(g) else stable_guid("missing", g)
                                       for g in missing]})
        if "is_codable" in codes.columns:
            extra["is_codable"] = True
        codes = pd.concat([codes, extra.astype(object)], ignore_index=True)
        if "is_codable" in codes.columns and codes["is_codable"].notna().all():
            codes["is_codable"] = codes["is_codable"].astype(bool)
        code[unknown] = "[missing code " + raw["_code"][unknown].fillna("(none)").astype(str) + "]"
    sel = raw["_sel"].to_numpy(dtype=np.int64)
    selection = items.attrs.pop("selection_guid")[sel]
    sel = item_of[sel]
    coder = _per_distinct(raw["coder_guid"], lambda v: v.map(gkey).map(users))
    coder = coder.where(coder.notna(), raw["coder_guid"])
    lengths = items["end"].to_numpy(dtype=float, na_value=np.nan) - items["start"].to_numpy(dtype=float, na_value=np.nan)
    out = pd.DataFrame({
        "item": items["item"].to_numpy(dtype=object)[sel] if len(sel) else pd.Series([], dtype=object),
        "code": code.astype(object),
        "coder": coder.astype(object),
        "start": pd.array(np.where(np.isnan(lengths[sel]), np.nan, 0.0), dtype="Int64"),
        "end": pd.array(lengths[sel], dtype="Int64"),
        "guid": raw["guid"].astype(object),
        "selection": pd.Series(selection, dtype=object),
        "coder_guid": raw["coder_guid"].astype(object),
        "created": _datetimes(raw["created"], "codings.created", report),
        "note_refs": raw["note_refs"].astype(object),
    })
    no_guid = out["guid"].isna().to_numpy()
    if no_guid.any():
        out.loc[no_guid, "guid"] = [stable_guid("coding", i, c, k) for k, i, c in
                                    zip(np.flatnonzero(no_guid), out["item"][no_guid], out["code"][no_guid])]
    out = _drop_empty(out, ("note_refs",))
    item_guid = items["guid"].to_numpy(dtype=object)[sel]
    if all(a == b for a, b in zip(selection, item_guid)):  # no merged selections: the item's GUID says it
        out = out.drop(columns="selection")
    out.attrs["codes"] = codes
    return out
