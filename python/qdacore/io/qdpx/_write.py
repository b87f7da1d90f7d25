"""Writing a :class:`~qdacore.Project` as a REFI-QDA 1.0 archive (``.qdpx``):
users, documents with their texts, items as selections, codings, and
:func:`write_qdpx` (codes, sets, cases and variables come from their own
modules)."""
from __future__ import annotations

import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Optional, Union

import numpy as np
import pandas as pd

from ..._model import CodedProject
from ..._version import __version__
from ._codebook import document_set_members, set_variables, write_codes, write_sets
from ._guids import check_guids, gkey, guids, not_guids, stable_guid
from ._report import Report, shown
from ._tables import table_members
from ._variables import Variables
from ._xml import NS, column, description, iso, nonnull, note_ref_elements, plain_tag, to_bytes, xml_text

if TYPE_CHECKING:  # pragma: no cover
    from ...project import Project


def write_qdpx(project: Project, path: Union[str, Path], *, origin: Optional[str] = None,
               qdacore_tables: bool = True) -> Path:
    """Write ``project`` as a REFI-QDA 1.0 archive (``.qdpx``) that validates
    against the standard's ``Project.xsd``.

    Offsets are written as code points; each text goes to ``sources/<guid>.txt``
    (UTF-8, no BOM). GUIDs come from the ``guid`` columns where present and
    are otherwise derived from the ids (uuid5), so exporting the same project
    twice gives byte-identical files. REFI names come from ``name`` columns,
    else from the ids (groups as ``set::group``). A document without text
    whose items have no offsets gets a text made of its items' texts (or
    ids), one per line, so that every coding survives.

    Parameters
    ----------
    project : Project
    path : str or Path
        The ``.qdpx`` file to write (overwritten).
    origin : str, optional
        The ``origin`` attribute; defaults to ``"qdacore <version>"``.
    qdacore_tables : bool
        Also keep the project's own tables in the archive's ``qdacore/``
        folder (what REFI-QDA has no place for: level names, labels, keywords,
        item ids, extra columns and dtypes), so that :func:`read_qdpx` gives
        back an equal project; other software ignores the folder. False
        writes the REFI-QDA members alone.

    Returns
    -------
    Path

    Raises
    ------
    ValueError
        A ``guid`` column with values that are not GUIDs, a colour that is not
        ``#RRGGBB``, a character XML cannot hold, or an item without offsets
        in a document that has a text.

    Examples
    --------
    >>> import tempfile, zipfile, qdacore as qc
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     out = qc.write_qdpx(qc.datasets.megaregions(), f"{tmp}/m.qdpx")
    ...     names = zipfile.ZipFile(out).namelist()
    >>> names[0], len(names), names[-1]
    ('project.qde', 29, 'qdacore/project.json')
    """
    if not isinstance(project, CodedProject):
        raise TypeError(f"project must be a qdacore.Project, got {type(project).__name__}")
    path = Path(path)
    report = Report()
    root, files, doc_members = _project_tree(project, origin or f"qdacore {__version__}", report)
    xml = to_bytes(root)
    members = [("project.qde", xml)] + [(n, _utf8(t, n)) for n, t in files]
    if qdacore_tables:
        members += table_members(project, xml, files, doc_members)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members:
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))  # fixed: no churn
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zf.writestr(info, data)
    report.emit()
    return path


def _utf8(text: str, member: str) -> bytes:
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError as err:
        raise ValueError(f"documents.text for {member}: {err.reason} at {err.start}; the text holds a "
                         "lone surrogate, which UTF-8 cannot carry") from None


def _project_tree(project: Project, origin: str, report: Report) -> tuple[ET.Element, list, list]:
    """The project's XML, its texts as [(archive member, text), ...], and the
    text member of each document (None where a document has no text of its own)."""
    cb = project.codebook
    docs, items, codings = project.documents, project.items, project.codings
    root = ET.Element("Project", {"xmlns": NS, "name": xml_text(project.name, "project name"),
                                  "origin": xml_text(origin, "origin")})
    coder_guid = _coder_guids(codings)
    audits = {"documents": _Audit(docs), "items": _Audit(items)}
    _write_users(root, coder_guid, column(codings, "coder"), audits.values())

    code_guids = guids(column(cb.codes, "guid"), "code", cb.codes["code"], "codebook.codes.guid")
    if len(cb.codes):
        codes_el = ET.SubElement(ET.SubElement(root, plain_tag("CodeBook")), plain_tag("Codes"))
        write_codes(codes_el, cb.codes, cb.parent_positions, code_guids, NS)

    doc_guids = guids(column(docs, "guid"), "doc", docs["doc"], "documents.guid")
    variables = Variables(docs, set_variables(cb.groups))
    variables.declarations(root)
    variables.cases(root, docs, doc_guids)

    # items by document, codings by item (CSR from the project's arrays)
    arrays = project.arrays
    item_order = np.argsort(arrays.item_doc, kind="stable")
    item_bounds = np.searchsorted(arrays.item_doc[item_order], np.arange(len(docs) + 1))
    coding_rows = np.arange(len(codings)) if arrays.order is None else arrays.order
    start, end = _item_offsets(items)
    item_guids = guids(column(items, "guid"), "item", items["item"], "items.guid")
    given = column(items, "name")
    item_names = given.where(given.notna(), items["item"]).to_numpy(dtype=object)
    scope = column(items, "scope").to_numpy(dtype=object)
    coding_guids = _coding_guids(codings)
    code_pos = cb.code_index.get_indexer(pd.Index(codings["code"]))
    coding_created = iso(column(codings, "created"))
    _warn_partial(codings, items, start, end, report)
    doc_text = column(docs, "text").to_numpy(dtype=object)
    kind = column(docs, "kind").to_numpy(dtype=object)
    given = column(docs, "name")
    doc_names = given.where(given.notna(), docs["doc"]).to_numpy(dtype=object)
    ctx = {"items": items, "codings": codings, "start": start, "end": end, "item_guids": item_guids,
           "item_names": item_names, "scope": scope, "coding_guids": coding_guids, "code_pos": code_pos,
           "code_guids": code_guids, "coder_guid": coder_guid.to_numpy(dtype=object),
           "coding_created": coding_created, "indptr": arrays.indptr, "coding_rows": coding_rows,
           "audit": audits["items"], "report": report, "selection": _selection_guids(codings)}
    files: list = []
    doc_members: list = [None] * len(docs)
    sources = notes = None
    synthesised = 0
    for d in range(len(docs)):
        rows = item_order[item_bounds[d]:item_bounds[d + 1]]
        text = doc_text[d] if nonnull(doc_text[d]) else None
        if text is None and len(rows) and np.isnan(start[rows]).all() and not _has_raw(items, rows):
            text, start[rows], end[rows] = _synthesise(items, rows)
            synthesised += len(rows)
        elif len(rows):
            lost = rows[np.isnan(start[rows]) & ~_raw_mask(items, rows) & (scope[rows] != "source")]
            if len(lost):
                raise ValueError(f"items {shown(items['item'].iloc[lost])} of document {docs['doc'].iat[d]!r} "
                                 "have no start/end; give their offsets in the document's text")
        if kind[d] == "note":
            notes = ET.SubElement(root, plain_tag("Notes")) if notes is None else notes
            container, tag = notes, "Note"
        else:
            sources = ET.SubElement(root, plain_tag("Sources")) if sources is None else sources
            container, tag = sources, "TextSource"
        attrs = {"guid": doc_guids[d], "name": xml_text(doc_names[d], "documents.name")}
        if text is not None:
            member = f"{doc_guids[d].strip('{}')}.txt"
            attrs["plainTextPath"] = f"internal://{member}"
            files.append((f"sources/{member}", text))
            if nonnull(doc_text[d]):
                doc_members[d] = f"sources/{member}"
        attrs.update(audits["documents"].attrs(d))
        el = ET.SubElement(container, plain_tag(tag), attrs)
        description(el, column(docs, "description").iat[d], "documents.description")
        _write_items(el, rows, ctx)
        note_ref_elements(el, column(docs, "note_refs").iat[d])
        variables.values(el, d)
    if synthesised:
        report.add(f"{synthesised} item(s) had neither offsets nor a document text; each document's text "
                   "was made of its items' texts (or ids), one per line")

    write_sets(root, cb, code_guids, NS, document_set_members(docs, cb.groups, doc_guids, kind))
    return root, files, doc_members


def _selection_guids(codings: pd.DataFrame) -> Optional[np.ndarray]:
    """``codings.selection`` checked as GUIDs (None when the column is absent)."""
    if "selection" not in codings.columns:
        return None
    values = codings["selection"].astype(object)
    check_guids(values[values.notna()], "codings.selection")
    return values.where(values.notna(), None).to_numpy(dtype=object)


def _coder_guids(codings: pd.DataFrame) -> pd.Series:
    """Each coding's user GUID: its ``coder_guid``, else one derived from its coder (None without either)."""
    coder = column(codings, "coder")
    coder_guid = column(codings, "coder_guid").astype(object)
    fill = coder_guid.isna() & coder.notna()
    coder_guid[fill] = [stable_guid("user", c) for c in coder[fill]]
    coder_guid = coder_guid.where(coder_guid.notna(), None)
    check_guids(coder_guid[coder_guid.notna()], "codings.coder_guid")
    return coder_guid


def _write_users(root: ET.Element, coder_guid: pd.Series, coder: pd.Series, audits: Iterable[_Audit]) -> None:
    """A ``Users`` element: the coders, plus whoever created or modified something."""
    users: dict = {}
    for g, n in zip(coder_guid, coder):
        if g is not None:
            users.setdefault(gkey(g), (g, n))
    for audit in audits:
        for k in ("creatingUser", "modifyingUser"):
            for g in pd.unique(pd.Series(audit.cols[k], dtype=object).dropna()):
                users.setdefault(gkey(g), (g, None))
    if users:
        el = ET.SubElement(root, plain_tag("Users"))
        for g, n in users.values():
            attrs = {"guid": g}
            if nonnull(n):
                attrs["name"] = xml_text(n, "codings.coder")
            ET.SubElement(el, plain_tag("User"), attrs)


class _Audit:
    """creatingUser / creationDateTime / modifyingUser / modifiedDateTime per row of a table."""

    def __init__(self, df: pd.DataFrame) -> None:
        cols = {}
        for col, attr in (("created_by", "creatingUser"), ("modified_by", "modifyingUser")):
            v = column(df, col).astype(object)
            values = v.to_numpy(dtype=object, copy=True)
            values[(v.isna() | not_guids(v)).to_numpy(dtype=bool)] = None
            cols[attr] = values
        for col, attr in (("created", "creationDateTime"), ("modified", "modifiedDateTime")):
            cols[attr] = iso(column(df, col))
        self.cols = cols

    def attrs(self, row: int, keys: tuple = ("creatingUser", "creationDateTime", "modifyingUser",
                                              "modifiedDateTime")) -> dict:
        return {k: self.cols[k][row] for k in keys if self.cols[k][row] is not None}


def _has_raw(items: pd.DataFrame, rows: np.ndarray) -> bool:
    return bool(_raw_mask(items, rows).any())


def _raw_mask(items: pd.DataFrame, rows: np.ndarray) -> np.ndarray:
    if "raw_start" not in items.columns or "raw_end" not in items.columns:
        return np.zeros(len(rows), dtype=bool)
    return (items["raw_start"].iloc[rows].notna() & items["raw_end"].iloc[rows].notna()).to_numpy()


def _item_offsets(items: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Positions to write: code-point offsets, else the raw positions of selections
    read outside their text (NaN where neither is known)."""
    nan = np.full(len(items), np.nan)
    start = column(items, "start").to_numpy(dtype=float, na_value=np.nan, copy=True) if "start" in items else nan.copy()
    end = column(items, "end").to_numpy(dtype=float, na_value=np.nan, copy=True) if "end" in items else nan.copy()
    if "raw_start" in items.columns and "raw_end" in items.columns:
        use = np.isnan(start)
        start[use] = items["raw_start"].to_numpy(dtype=float, na_value=np.nan)[use]
        end[use] = items["raw_end"].to_numpy(dtype=float, na_value=np.nan)[use]
    return start, end


def _synthesise(items: pd.DataFrame, rows: np.ndarray) -> tuple[str, np.ndarray, np.ndarray]:
    texts = column(items, "text").iloc[rows]
    labels = texts.where(texts.notna(), items["item"].iloc[rows]).astype(str)
    lengths = labels.str.len().to_numpy(dtype=np.int64)
    starts = np.cumsum(lengths + 1) - (lengths + 1)
    return "\n".join(labels), starts.astype(float), (starts + lengths).astype(float)


def _coding_guids(codings: pd.DataFrame) -> np.ndarray:
    def text(col: str) -> pd.Series:
        values = column(codings, col).astype(object)
        return values.where(values.notna(), "").astype(str)

    key = text("item") + "\x1f" + text("code")
    if "coder" in codings.columns:
        key = key + "\x1f" + text("coder")
    rank = key.groupby(key.to_numpy()).cumcount().astype(str)
    derived = ("coding\x1f" + key + "\x1f" + rank).map(stable_guid)  # = stable_guid("coding", key, rank)
    given = column(codings, "guid")
    values = given.where(given.notna(), derived)
    return guids(values, "coding", codings["item"], "codings.guid")


def _warn_partial(codings: pd.DataFrame, items: pd.DataFrame, start: np.ndarray, end: np.ndarray,
                  report: Report) -> None:
    if "start" not in codings.columns or not len(codings):
        return
    pos_ = pd.Index(items["item"]).get_indexer(codings["item"])
    cs = codings["start"].to_numpy(dtype=float, na_value=np.nan)
    ce = codings["end"].to_numpy(dtype=float, na_value=np.nan)
    length = end[pos_] - start[pos_]
    partial = ~np.isnan(cs) & ((cs != 0) | (ce != length))
    if partial.any():
        report.add(f"{int(partial.sum())} coding(s) cover only part of their item; REFI-QDA codes whole "
                   "selections, so they were written as codings of the whole item")


def _write_items(source: ET.Element, rows: np.ndarray, ctx: dict) -> None:
    items, start, end = ctx["items"], ctx["start"], ctx["end"]
    desc = column(items, "description")
    notes = column(items, "note_refs")
    whole = []
    for i in rows:
        if ctx["scope"][i] == "source":
            whole.append(i)
            continue
        codings = ctx["coding_rows"][ctx["indptr"][i]:ctx["indptr"][i + 1]]
        for k, (guid, part) in enumerate(_selections(ctx["item_guids"][i], codings, ctx["selection"])):
            attrs = {"guid": guid, "name": xml_text(ctx["item_names"][i], "items.name"),
                     "startPosition": str(int(start[i])), "endPosition": str(int(end[i]))}
            attrs.update(ctx["audit"].attrs(i))
            el = ET.SubElement(source, plain_tag("PlainTextSelection"), attrs)
            description(el, desc.iat[i], "items.description")
            _write_codings(el, part, ctx)
            if k == 0:  # the item's notes once, on its first selection
                note_ref_elements(el, notes.iat[i])
    for i in whole:
        _write_codings(source, ctx["coding_rows"][ctx["indptr"][i]:ctx["indptr"][i + 1]], ctx)


def _selections(item_guid: str, codings: np.ndarray, selection: np.ndarray) -> list:
    """An item's codings by the selection each came from (``codings.selection``,
    as read from a file that wrote one selection per code), the item's own GUID
    first: one ``PlainTextSelection`` each that has codings (one for an item
    without any)."""
    groups: dict = {gkey(item_guid): (item_guid, [])}
    for k in codings:
        g = selection[k] if selection is not None and nonnull(selection[k]) else item_guid
        groups.setdefault(gkey(g), (g, []))[1].append(k)
    kept = [(g, np.asarray(part, dtype=np.int64)) for g, part in groups.values() if len(part)]
    return kept or [(item_guid, np.zeros(0, dtype=np.int64))]  # an item without codings is one selection


def _write_codings(parent: ET.Element, rows: np.ndarray, ctx: dict) -> None:
    notes = column(ctx["codings"], "note_refs")
    for k in rows:
        attrs = {"guid": ctx["coding_guids"][k]}
        if ctx["coder_guid"][k] is not None:
            attrs["creatingUser"] = ctx["coder_guid"][k]
        if ctx["coding_created"][k] is not None:
            attrs["creationDateTime"] = ctx["coding_created"][k]
        el = ET.SubElement(parent, plain_tag("Coding"), attrs)
        ET.SubElement(el, plain_tag("CodeRef"), targetGUID=ctx["code_guids"][ctx["code_pos"][k]])
        note_ref_elements(el, notes.iat[k])
