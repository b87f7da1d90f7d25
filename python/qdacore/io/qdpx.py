"""REFI-QDA projects (``.qdpx``) and codebooks (``.qdc``): the exchange standard
of ATLAS.ti, NVivo, MAXQDA, QualCoder and others.

Mapping between REFI-QDA 1.0 and a :class:`~qdacore.Project`
------------------------------------------------------------

=============================  ==================================================
REFI-QDA                        Project
=============================  ==================================================
``Code`` (nested)               a row of ``codebook.codes``: ``code`` (the name;
                                where two codes share a name, the path of names
                                ``a > b > name``), ``parent``, ``level``
                                (``depth1``, ``depth2``, ... by nesting),
                                ``name``, ``guid``, ``color``, ``description``,
                                ``is_codable``
``Set``                         a row of ``codebook.groups``: ``group``, ``set``
                                (see below), ``name``, ``guid``, ``description``;
                                its ``MemberCode`` in ``codebook.members``; its
                                ``MemberSource``/``MemberNote`` as a boolean
                                documents column ``set:<group>``
``User``                        ``codings.coder`` (the user's name) and
                                ``codings.coder_guid``
``TextSource``                  a row of ``documents`` with ``kind="text"`` and
                                its full plain ``text``
``Note``                        a row of ``documents`` with ``kind="note"``
``PlainTextSelection``          a row of ``items`` (``item`` is the selection's
                                GUID), ``start``/``end`` in code points of the
                                document, the selected ``text``, ``name``,
                                ``description``, ``outside``
``Coding``                      a row of ``codings`` covering its whole item
                                (``start`` 0, ``end`` the item's length)
``Coding`` of a whole source    an item with ``scope="source"`` spanning the text
``Case`` / ``Variable``         documents columns: ``case``, ``case_guid`` and one
                                column per variable, from the source's own values
                                or those of the case that lists it
``NoteRef``                     ``note_refs`` (space-separated GUIDs) on the row
                                of whatever holds it
``creatingUser`` ... dates      ``created_by``, ``created``, ``modified_by``,
                                ``modified``
=============================  ==================================================

A ``Set`` named ``"vision::V-MP"`` becomes group ``V-MP`` of group set
``vision``; other sets go to group set ``sets`` (code sets) or ``document
sets`` (sets with only sources and notes). Exports write ``set::group`` so
that group sets survive.

Not carried (each reported with a warning when a file has them): picture,
PDF, audio and video sources and their selections (qdacore analyses text),
transcripts, links, graphs, cases' code and selection references, project
descriptions. Users who neither code nor created anything are not kept.

Positions
---------
REFI-QDA counts Unicode code points, 0-based, end exclusive. Some packages
do not (see :mod:`qdacore.io._positions`); ``positions="auto"`` starts from
the ``origin`` attribute, then tries every convention on the texts and keeps
the one under which most selections start and end between words (and match
their excerpt names). The choice is reported with a :class:`PositionsWarning`
whenever it is not the standard's. Offsets in the Project are always code
points; exports always write code points.

Hostile input
-------------
XML is parsed with :mod:`defusedxml` (no entity declarations, no external
references); every zip member is read through a size cap; member names that
are absolute or climb with ``..`` are ignored; source paths outside the
archive are never opened; a root element of another schema version is refused.
Selections that fall outside their source's text are kept, flagged
``outside=True`` with ``start``/``end`` missing and the file's positions in
``raw_start``/``raw_end``, and reported with a :class:`QdpxWarning`.
"""
from __future__ import annotations

import logging
import re
import uuid
import warnings
import xml.etree.ElementTree as ET
import zipfile
from dataclasses import dataclass, field
from itertools import repeat
from operator import getitem
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Optional, Union

import numpy as np
import pandas as pd

from .. import _validate as check
from . import _positions as pos

if TYPE_CHECKING:  # pragma: no cover
    from ..codebook import Codebook
    from ..project import Project

__all__ = [
    "read_qdpx", "write_qdpx", "read_qdc", "write_qdc",
    "QdpxWarning", "PositionsWarning", "POSITIONS", "MAX_MEMBER_BYTES",
]

NS = "urn:QDA-XML:project:1.0"
CODEBOOK_NS = "urn:QDA-XML:codebook:1.0"
POSITIONS = ("auto",) + pos.CONVENTIONS
MAX_MEMBER_BYTES = 256 * 2**20
SETS, DOCUMENT_SETS = "sets", "document sets"
SET_COLUMN = "set:"
_GUID_NS = uuid.UUID("6f1c3a52-0d4e-5b8a-9a57-1c0a9d2e4b61")  # fixed: stable GUIDs
_GUID_RE = re.compile(r"\{?[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\}?")
_COLOR_RE = re.compile(r"#([A-Fa-f0-9]{6}|[A-Fa-f0-9]{3})")
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_MEDIA = ("PictureSource", "PDFSource", "AudioSource", "VideoSource")
_SELECTION_TAGS = ("PictureSelection", "PDFSelection", "AudioSelection", "VideoSelection",
                   "PlainTextSelection", "TranscriptSelection")
_SHOWN = 5
_EVIDENCE = 2000  # selections per text scored by positions="auto"
log = logging.getLogger(__name__)


class QdpxWarning(UserWarning):
    """Something in a REFI-QDA file could not be imported or exported as it is."""


class PositionsWarning(QdpxWarning):
    """Reports which position convention ``positions="auto"`` chose, when it is
    not the standard's (code points)."""


# -- small helpers ----------------------------------------------------------------
def _q(tag: str, ns: str = NS) -> str:
    return f"{{{ns}}}{tag}"


def _local(tag: Any) -> str:
    return tag.rpartition("}")[2] if isinstance(tag, str) else ""


def _gkey(guid: Optional[str]) -> Optional[str]:
    """GUIDs compare without braces and case: ``{ABC...}`` is ``abc...``."""
    return guid.strip().strip("{}").lower() if isinstance(guid, str) and guid else None


def stable_guid(*parts: Any) -> str:
    """A GUID that depends only on ``parts`` (uuid5), so repeated exports agree."""
    return str(uuid.uuid5(_GUID_NS, "\x1f".join(str(p) for p in parts)))


def _check_guids(values: pd.Series, where: str) -> None:
    bad = ~values.astype(str).str.fullmatch(_GUID_RE.pattern).to_numpy(dtype=bool)
    if bad.any():
        raise ValueError(
            f"{where} holds values that are not GUIDs: {check.examples(values[bad].tolist())}; "
            "REFI-QDA needs 8-4-4-4-12 hexadecimal GUIDs (drop the column to have them derived)"
        )


def _guids(values: pd.Series, kind: str, ids: pd.Series, where: str) -> np.ndarray:
    """Valid GUIDs from a column, or stable ones derived from the ids where missing."""
    out = values.astype(object).where(values.notna(), None).to_numpy(dtype=object, copy=True)
    missing = pd.isna(values).to_numpy()
    if missing.any():
        out[missing] = [stable_guid(kind, i) for i in ids.to_numpy(dtype=object)[missing]]
    _check_guids(pd.Series(out, dtype=object), where)
    return out


def _column(df: pd.DataFrame, name: str) -> pd.Series:
    """``df[name]`` or an all-missing column."""
    if name in df.columns:
        return df[name]
    return pd.Series([None] * len(df), index=df.index, dtype=object)


def _nonnull(value: Any) -> bool:
    return value is not None and not (isinstance(value, float) and np.isnan(value)) and value is not pd.NA \
        and value is not pd.NaT


def _shown(values: Iterable[Any]) -> str:
    return check.examples(list(values))


# -- warnings, gathered and raised once per kind --------------------------------------
@dataclass
class _Report:
    messages: list = field(default_factory=list)

    def add(self, message: str, category: type = QdpxWarning) -> None:
        self.messages.append((message, category))

    def emit(self, stacklevel: int = 3) -> None:
        for message, category in self.messages:
            log.info("%s", message)
            warnings.warn(message, category, stacklevel=stacklevel)


# -- the container ------------------------------------------------------------------
def _safe_name(name: str) -> Optional[str]:
    """Normalised member name, or None for one that is absolute or climbs out."""
    norm = name.replace("\\", "/")
    parts = norm.split("/")
    if norm.startswith("/") or re.match(r"^[A-Za-z]:", norm) or ".." in parts or "\0" in norm:
        return None
    return "/".join(p for p in parts if p not in ("", "."))


class _Archive:
    """A .qdpx zip (or a bare .qde XML file) whose members are read through a size cap."""

    def __init__(self, path: Path, limit: int, report: _Report) -> None:
        self.path, self.limit, self.report = path, limit, report
        self.zip: Optional[zipfile.ZipFile] = None
        self.members: dict[str, zipfile.ZipInfo] = {}
        with open(path, "rb") as f:
            magic = f.read(4)
        if magic != b"PK\x03\x04":
            return  # a bare project.qde, as ATLAS.ti's "project only" export
        try:
            self.zip = zipfile.ZipFile(path)
        except zipfile.BadZipFile as err:
            raise ValueError(f"{path}: not a readable .qdpx zip archive ({err})") from None
        unsafe = []
        for info in self.zip.infolist():
            name = _safe_name(info.filename)
            if name is None:
                unsafe.append(info.filename)
            elif not info.is_dir():
                self.members.setdefault(name.lower(), info)
        if unsafe:
            report.add(f"{path.name}: ignored {len(unsafe)} archive member(s) whose names are absolute "
                       f"or climb out of the archive: {_shown(unsafe)}")

    def close(self) -> None:
        if self.zip is not None:
            self.zip.close()

    def _read_member(self, info: zipfile.ZipInfo) -> bytes:
        what = f"{self.path.name}:{info.filename}"
        if info.file_size > self.limit:
            raise ValueError(f"{what} expands to {info.file_size:,} bytes, over the limit of "
                             f"{self.limit:,} (max_member_bytes=); refusing a possible zip bomb")
        assert self.zip is not None
        chunks, total = [], 0
        try:
            with self.zip.open(info) as f:
                # the header's size can lie: count what actually comes out
                while True:
                    chunk = f.read(min(2**20, self.limit + 1 - total))
                    if not chunk:
                        break
                    total += len(chunk)
                    if total > self.limit:
                        raise ValueError(f"{what} expands past the limit of {self.limit:,} bytes "
                                         "(max_member_bytes=); refusing a possible zip bomb")
                    chunks.append(chunk)
        except (zipfile.BadZipFile, RuntimeError, NotImplementedError, EOFError) as err:
            raise ValueError(f"{what}: cannot be read ({err})") from None
        return b"".join(chunks)

    def project_xml(self) -> bytes:
        if self.zip is None:
            size = self.path.stat().st_size
            if size > self.limit:
                raise ValueError(f"{self.path} is {size:,} bytes, over the limit of {self.limit:,} "
                                 "(max_member_bytes=)")
            return self.path.read_bytes()
        qde = [k for k in self.members if "/" not in k and k.endswith(".qde")]
        if not qde:
            raise ValueError(f"{self.path}: the archive has no project.qde at its top level; "
                             f"members are {_shown(i.filename for i in self.members.values())}")
        key = "project.qde" if "project.qde" in qde else sorted(qde)[0]
        return self._read_member(self.members[key])

    def source_text(self, path: Optional[str]) -> tuple[Optional[str], str]:
        """(text, why not) for a ``plainTextPath``; only ``internal://`` is read."""
        if not path:
            return None, "no plainTextPath"
        scheme, sep, rest = path.partition("://")
        if not sep or scheme.lower() != "internal":
            return None, f"{path!r} lies outside the archive and is not opened"
        if self.zip is None:
            return None, f"{path!r}: a bare .qde file carries no sources"
        name = _safe_name(rest)
        info = None if name is None else self.members.get(f"sources/{name}".lower())
        if info is None:
            return None, f"{path!r} is not in the archive"
        data = self._read_member(info)
        try:
            return data.decode("utf-8-sig"), ""
        except UnicodeDecodeError as err:
            raise ValueError(f"{self.path.name}:{info.filename} is not UTF-8 text ({err}); "
                             "REFI-QDA plain texts are UTF-8") from None


def _parse_xml(data: bytes, what: str) -> ET.Element:
    from defusedxml import ElementTree as SafeET
    from defusedxml.common import DefusedXmlException

    try:
        return SafeET.fromstring(data, forbid_dtd=False, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as err:
        raise ValueError(
            f"{what}: refused ({type(err).__name__}: {err}); REFI-QDA files declare no XML "
            "entities or external references, and these are how billion-laughs and "
            "external-entity attacks work"
        ) from None
    except ET.ParseError as err:
        raise ValueError(f"{what}: not well-formed XML ({err})") from None


def _check_root(root: ET.Element, ns: str, tag: str, what: str) -> None:
    uri = root.tag[1:].partition("}")[0] if root.tag.startswith("{") else ""
    local = _local(root.tag)
    kind = "project (.qde)" if tag == "Project" else "codebook (.qdc)"
    if local != tag:
        raise ValueError(f"{what}: root element is <{local}>, not <{tag}>; not a REFI-QDA {kind}")
    if uri != ns:
        version = re.fullmatch(r"urn:QDA-XML:(?:project|codebook):(.+)", uri)
        if version:
            raise ValueError(f"{what}: REFI-QDA schema version {version.group(1)!r} ({uri}) is not "
                             f"supported; qdacore reads version 1.0 ({ns})")
        raise ValueError(f"{what}: namespace {uri or 'none'!r} is not REFI-QDA's {ns!r}; "
                         f"not a REFI-QDA {kind}")


# -- parsing --------------------------------------------------------------------------
def _child_text(el: ET.Element, tag: str, ns: str = NS) -> Optional[str]:
    child = el.find(_q(tag, ns))
    if child is None:
        return None
    return child.text or ""


def _note_refs(el: ET.Element) -> Optional[str]:
    refs = [r.get("targetGUID") or "" for r in el.findall(_q("NoteRef"))]
    return " ".join(refs) if refs else None


def _audit(el: ET.Element) -> list:
    return [el.get("creatingUser"), el.get("creationDateTime"),
            el.get("modifyingUser"), el.get("modifiedDateTime")]


_AUDIT = ["created_by", "created", "modified_by", "modified"]


def _unique_ids(names: list, fallback: list) -> list:
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


def _parse_codes(codes_el: Optional[ET.Element], ns: str) -> pd.DataFrame:
    rows: list = []
    stack = [] if codes_el is None else [(c, None, ()) for c in reversed(codes_el.findall(_q("Code", ns)))]
    while stack:
        el, parent, path = stack.pop()
        name = el.get("name") or ""
        guid = el.get("guid") or stable_guid("code", *path, name, len(rows))
        me = len(rows)
        codable = el.get("isCodable")
        rows.append({
            "name": name, "guid": guid, "color": el.get("color"),
            "description": _child_text(el, "Description", ns),
            "is_codable": None if codable is None else codable.strip().lower() in ("true", "1"),
            "note_refs": _note_refs(el) if ns == NS else None,
            "_parent": parent, "_path": path + (name,),
        })
        stack.extend((c, me, path + (name,)) for c in reversed(el.findall(_q("Code", ns))))
    names = [r["name"] for r in rows]
    paths = [" > ".join(r["_path"]) for r in rows]
    ids = _unique_ids(names, _unique_ids(paths, [f"{p} [{r['guid']}]" for p, r in zip(paths, rows)]))
    parent = [None if r["_parent"] is None else ids[r["_parent"]] for r in rows]
    codes = pd.DataFrame({
        "code": pd.Series(ids, dtype=object), "parent": pd.Series(parent, dtype=object),
        "level": pd.Series([None] * len(rows), dtype=object),
    })
    for col in ("name", "guid", "color", "description", "is_codable", "note_refs"):
        values = [r[col] for r in rows]
        if col in ("color", "note_refs") and not any(v is not None for v in values):
            continue
        codes[col] = pd.Series(values, dtype=bool if col == "is_codable" and None not in values else object)
    return codes


def _split_set_name(name: str, has_codes: bool, has_other: bool) -> tuple[str, str]:
    if "::" in name:
        set_name, _, group = name.partition("::")
        if set_name.strip() and group.strip():
            return set_name.strip(), group.strip()
    return (DOCUMENT_SETS if has_other and not has_codes else SETS), name


def _parse_sets(sets: list, ns: str, code_of: dict, report: _Report, member_attr: str,
                doc_keys: frozenset = frozenset()) -> tuple[pd.DataFrame, pd.DataFrame, list]:
    """Groups, code memberships and (group, member GUID) memberships of the
    imported sources and notes (``doc_keys``)."""
    rows, members, doc_members, unknown, not_imported = [], [], [], [], []
    for el in sets:
        codes = [m.get(member_attr) for m in el.findall(_q("MemberCode", ns))]
        others = [m.get("targetGUID") for tag in ("MemberSource", "MemberNote")
                  for m in el.findall(_q(tag, ns))]
        not_imported.extend(g for g in others if _gkey(g) not in doc_keys)
        others = [g for g in others if _gkey(g) in doc_keys]
        name = el.get("name") or ""
        set_name, group = _split_set_name(name, bool(codes), bool(others))
        rows.append({"group": group, "set": set_name, "name": name,
                     "guid": el.get("guid") or stable_guid("set", name, len(rows)),
                     "description": _child_text(el, "Description", ns)})
        for g in codes:
            code = code_of.get(_gkey(g))
            if code is None:
                unknown.append(g)
            else:
                members.append((len(rows) - 1, code))
        doc_members.extend((len(rows) - 1, g) for g in others)
    groups = pd.DataFrame(rows, columns=["group", "set", "name", "guid", "description"], dtype=object)
    if len(groups):
        groups["group"] = _unique_ids(groups["group"].tolist(),
                                      [f"{s}::{g}" for s, g in zip(groups["set"], groups["group"])])
    if unknown:
        report.add(f"{len(unknown)} set membership(s) name codes that are not in the codebook and "
                   f"were left out: {_shown(unknown)}")
    if not_imported:
        report.add(f"{len(not_imported)} set membership(s) name sources or notes that were not imported: "
                   f"{_shown(not_imported)}")
    member_df = pd.DataFrame({
        "group": pd.Series([groups["group"].iat[g] for g, _ in members], dtype=object),
        "code": pd.Series([c for _, c in members], dtype=object),
    }).drop_duplicates(ignore_index=True)
    doc_members = [(groups["group"].iat[g], m) for g, m in doc_members]
    return groups, member_df, doc_members


def _codebook(codes: pd.DataFrame, groups: pd.DataFrame, members: pd.DataFrame) -> "Codebook":
    from ..codebook import Codebook

    clash = set(groups["set"]) & {f"depth{d}" for d in range(1, 64)}
    if clash:  # a set named like a depth level would make level= ambiguous
        groups = groups.assign(set=groups["set"].where(~groups["set"].isin(clash), "set " + groups["set"]))
    return Codebook(codes, groups, members, allow_empty=True)


@dataclass
class _Parsed:
    """Rows gathered while walking a project's XML, before the positions are resolved."""

    docs: list = field(default_factory=list)
    sels: list = field(default_factory=list)
    codings: list = field(default_factory=list)
    values: list = field(default_factory=list)  # (doc index, variable key, value)


def _variable_value(vv: ET.Element) -> tuple[Optional[str], Any]:
    ref = vv.find(_q("VariableRef"))
    target = _gkey(ref.get("targetGUID")) if ref is not None else None
    for child in vv:
        tag = _local(child.tag)
        if tag.endswith("Value"):
            return target, (tag, child.text or "")
    return target, None


def _walk_text_source(el: ET.Element, kind: str, parsed: _Parsed, archive: _Archive) -> None:
    d = len(parsed.docs)
    inline = _child_text(el, "PlainTextContent")
    text, why = (inline, "") if inline is not None else archive.source_text(el.get("plainTextPath"))
    parsed.docs.append([el.get("guid"), el.get("name"), kind, text, why, el.get("plainTextPath"),
                        _child_text(el, "Description"), _note_refs(el)] + _audit(el))
    for sel in el.findall(_q("PlainTextSelection")):
        s = len(parsed.sels)
        parsed.sels.append([d, sel.get("guid"), sel.get("name"), sel.get("startPosition"),
                            sel.get("endPosition"), _child_text(sel, "Description"),
                            _note_refs(sel), "selection"] + _audit(sel))
        for c in sel.findall(_q("Coding")):
            _coding(c, s, parsed)
    whole = el.findall(_q("Coding"))
    if whole:  # codings of the whole source become one item spanning its text
        s = len(parsed.sels)
        parsed.sels.append([d, None, None, None, None, None, None, "source", None, None, None, None])
        for c in whole:
            _coding(c, s, parsed)
    for vv in el.findall(_q("VariableValue")):
        parsed.values.append((d,) + _variable_value(vv))


def _coding(c: ET.Element, sel: int, parsed: _Parsed) -> None:
    ref = c.find(_q("CodeRef"))
    parsed.codings.append([sel, None if ref is None else ref.get("targetGUID"), c.get("guid"),
                           c.get("creatingUser"), c.get("creationDateTime"), _note_refs(c)])


def _datetimes(values: pd.Series, where: str, report: _Report) -> pd.Series:
    out = pd.to_datetime(values, utc=True, errors="coerce", format="ISO8601")
    lost = out.isna() & values.notna()
    if lost.any():
        report.add(f"{where}: {int(lost.sum())} date(s) are not ISO 8601 and were left out: "
                   f"{_shown(values[lost].tolist())}")
    return out


# -- positions ------------------------------------------------------------------------
def _prior(origin: str) -> tuple[str, str]:
    o = origin.lower()
    if "nvivo" in o:
        return "utf16", f"origin {origin!r}: NVivo counts UTF-16 code units"
    if "atlas.ti" in o:
        return "codepoints-crlf1", f"origin {origin!r}: ATLAS.ti counts a CRLF line break as 1"
    return "codepoints", f"origin {origin!r}: the REFI-QDA standard counts code points"


@dataclass
class _TextIndex:
    """A document's code points and word mask, computed once per text."""

    cp: np.ndarray
    bad: np.ndarray  # boundaries inside a word or a CRLF

    @classmethod
    def of(cls, text: str) -> "_TextIndex":
        cp = pos.codepoints(text)
        return cls(cp, pos.inside_word(cp, pos.word_mask(text)))


def _excerpts(names: np.ndarray) -> tuple[pd.Series, np.ndarray]:
    """Selection names as excerpts to compare: trailing ellipsis dropped,
    whitespace runs made one space; and their lengths (0: no name)."""
    wanted = pd.Series(names, dtype=object).astype(str).str.replace(r"(…|\.\.\.)\s*$", "", regex=True) \
        .str.replace(r"\s+", " ", regex=True).str.strip()
    return wanted, wanted.str.len().to_numpy(dtype=np.int64)


def _score(index: _TextIndex, text: str, start: np.ndarray, end: np.ndarray, wanted: pd.Series,
           lengths: np.ndarray, convention: str) -> tuple[int, int]:
    """(evidence for ``convention``, number of tests): selection ends between
    words, plus excerpt names that match the text they would select."""
    table = pos.offset_table(index.cp, convention)
    s, s_ok, s_exact = pos.to_codepoints(table, start, "start")
    e, e_ok, e_exact = pos.to_codepoints(table, end, "end")
    hits = int((s_exact & ~index.bad[s]).sum() + (e_exact & ~index.bad[e]).sum())
    tests = 2 * len(start)
    named = np.flatnonzero(s_ok & e_ok & (s <= e) & (lengths > 0))
    if len(named):
        # enough text for the excerpt even where whitespace runs will shrink
        stop = np.minimum(e[named], s[named] + 2 * lengths[named] + 16)
        got = pd.Series(list(map(getitem, repeat(text), map(slice, s[named], stop))), dtype=object) \
            .str.replace(r"\s+", " ", regex=True).str.strip()
        prefix = pd.Series(list(map(getitem, got, map(slice, repeat(0), lengths[named]))), dtype=object)
        hits += int((prefix.to_numpy() == wanted.to_numpy()[named]).sum())
        tests += len(named)
    return hits, tests


def _decide(positions: str, origin: str, texts: list, report: _Report) -> str:
    """The convention to read positions with (``texts``: (index, text, start, end, names))."""
    if positions != "auto":
        return positions
    prior, why = _prior(origin)
    # only texts where the conventions disagree (CRLF or astral characters) say anything
    telling = [t for t in texts if len(t[2]) and ((t[0].cp > 0xFFFF).any() or
                                                  ((t[0].cp[:-1] == 13) & (t[0].cp[1:] == 10)).any())]
    if not telling:
        if prior != "codepoints":
            log.info("positions: %s; no text tells the conventions apart", why)
        return prior
    samples = []  # evenly spaced selections of each text: plenty of evidence, bounded cost
    for index, text, start, end, names in telling:
        keep = np.unique(np.linspace(0, len(start) - 1, min(len(start), _EVIDENCE)).astype(np.int64))
        samples.append((index, text, start[keep], end[keep]) + _excerpts(names[keep]))
    scores = {}
    for conv in (prior,) + tuple(c for c in pos.CONVENTIONS if c != prior):
        hits = tests = 0
        for sample in samples:
            h, n = _score(*sample, conv)
            hits, tests = hits + h, tests + n
        scores[conv] = (hits, tests)
    best = max(scores, key=lambda c: scores[c][0])  # ties keep the prior (first)
    margin = scores[best][0] - scores[prior][0]
    chosen = best if margin >= max(2, 0.01 * scores[prior][1]) else prior
    evidence = "; ".join(f"{c}: {h:,} of {n:,}" for c, (h, n) in scores.items())
    message = (f"positions='auto' read the file's positions as {chosen} ({why}"
               f"{'' if chosen == prior else f', overruled by the texts'}); selection ends "
               f"between words and matching excerpt names under each convention: {evidence}. "
               "Offsets in the Project are code points.")
    if chosen != "codepoints" or chosen != prior:
        report.add(message, PositionsWarning)
    else:
        log.info("%s", message)
    return chosen


def _resolve(parsed: _Parsed, positions: str, origin: str, report: _Report) -> pd.DataFrame:
    """Items with code-point offsets and texts, from the raw selection rows."""
    sel = pd.DataFrame(parsed.sels, columns=["_doc", "guid", "name", "_start", "_end", "description",
                                             "note_refs", "scope"] + _AUDIT)
    raw_start = pd.to_numeric(sel["_start"], errors="coerce").to_numpy(dtype=float)
    raw_end = pd.to_numeric(sel["_end"], errors="coerce").to_numpy(dtype=float)
    doc_of = sel["_doc"].to_numpy(dtype=np.int64)
    whole = (sel["scope"] == "source").to_numpy()
    names = sel["name"].fillna("").astype(str).to_numpy(dtype=object)
    order = np.argsort(doc_of, kind="stable")
    bounds = np.searchsorted(doc_of[order], np.arange(len(parsed.docs) + 1))
    texts = []
    for d, doc in enumerate(parsed.docs):
        rows = order[bounds[d]:bounds[d + 1]]
        rows = rows[~whole[rows]]
        if doc[3] is not None:
            texts.append((_TextIndex.of(doc[3]), doc[3], raw_start[rows], raw_end[rows], names[rows]))
        else:
            texts.append(None)
    convention = _decide(positions, origin, [t for t in texts if t is not None], report)

    start = np.full(len(sel), np.nan)
    end = np.full(len(sel), np.nan)
    outside = np.zeros(len(sel), dtype=bool)
    split = 0
    text_out = np.full(len(sel), None, dtype=object)
    no_text_rows = []
    for d, doc in enumerate(parsed.docs):
        rows = order[bounds[d]:bounds[d + 1]]
        if not len(rows):
            continue
        text = doc[3]
        if text is None:  # nothing to convert against: keep the positions as written
            ok = ~np.isnan(raw_start[rows]) & ~np.isnan(raw_end[rows]) & (raw_start[rows] >= 0) \
                & (raw_start[rows] <= raw_end[rows])
            start[rows[ok]], end[rows[ok]] = raw_start[rows[ok]], raw_end[rows[ok]]
            outside[rows[~ok & ~whole[rows]]] = True
            no_text_rows.extend(rows.tolist())
            continue
        index = texts[d][0]
        table = pos.offset_table(index.cp, convention)
        s, s_ok, s_exact = pos.to_codepoints(table, raw_start[rows], "start")
        e, e_ok, e_exact = pos.to_codepoints(table, raw_end[rows], "end")
        ok = s_ok & e_ok & (s <= e)
        w = whole[rows]
        s, e, ok = np.where(w, 0, s), np.where(w, len(index.cp), e), ok | w
        split += int((ok & ~w & ~(s_exact & e_exact)).sum())
        start[rows[ok]], end[rows[ok]] = s[ok], e[ok]
        outside[rows[~ok]] = True
        text_out[rows[ok]] = list(map(getitem, repeat(text), map(slice, s[ok], e[ok])))

    items = sel.drop(columns=["_doc", "_start", "_end"])
    items.insert(0, "_doc", doc_of)
    items.insert(1, "start", pd.array(start, dtype="Int64") if len(sel) else pd.array([], dtype="Int64"))
    items.insert(2, "end", pd.array(end, dtype="Int64") if len(sel) else pd.array([], dtype="Int64"))
    items.insert(3, "text", pd.Series(text_out, dtype=object))
    items["outside"] = outside
    if outside.any():
        items["raw_start"] = pd.array(np.where(outside, raw_start, np.nan), dtype="Int64")
        items["raw_end"] = pd.array(np.where(outside, raw_end, np.nan), dtype="Int64")
        bad = np.flatnonzero(outside)
        lengths = [None if parsed.docs[doc_of[i]][3] is None else len(parsed.docs[doc_of[i]][3]) for i in bad]
        shown = [f"{sel['guid'].iat[i]} [{sel['_start'].iat[i]}, {sel['_end'].iat[i]}) in "
                 f"{parsed.docs[doc_of[i]][1]!r} of {n if n is not None else 'unknown'} characters"
                 for i, n in zip(bad[:_SHOWN], lengths[:_SHOWN])]
        report.add(f"{len(bad)} selection(s) fall outside their source text (read as {convention}) and "
                   f"are kept with outside=True, start/end missing and the file's positions in "
                   f"raw_start/raw_end: {'; '.join(shown)}" + (" ..." if len(bad) > _SHOWN else ""))
    if split:
        report.add(f"{split} selection(s) start or end inside a character under {convention}; "
                   "they were widened to whole characters")
    if no_text_rows:
        docs_without = sorted({parsed.docs[doc_of[i]][1] or parsed.docs[doc_of[i]][0] for i in no_text_rows})
        log.info("selections of %s keep the positions as written (no text)", docs_without)
    return items


# -- reading ---------------------------------------------------------------------------
def read_qdpx(
    path: Union[str, Path],
    positions: str = "auto",
    *,
    max_member_bytes: int = MAX_MEMBER_BYTES,
) -> "Project":
    """Read a REFI-QDA project (``.qdpx`` archive, or a bare ``.qde`` XML file).

    Parameters
    ----------
    path : str or Path
    positions : {"auto", "codepoints", "utf16", "codepoints-crlf1", "utf16-crlf1"}
        How the file counts text positions (see the module docstring);
        ``"auto"`` decides from the ``origin`` attribute, checked against the
        texts, and reports its choice with a :class:`PositionsWarning` when it
        is not the standard's.
    max_member_bytes : int
        Largest decompressed size accepted for any one archive member.

    Returns
    -------
    Project
        See the module docstring for the mapping. Offsets are code points.

    Raises
    ------
    ValueError
        Not a zip or not well-formed XML; XML with entity declarations or
        external references; a member over ``max_member_bytes``; a root
        element of another schema or version; a plain text that is not UTF-8.
    FileNotFoundError
        ``path`` does not exist.

    Warns
    -----
    QdpxWarning
        Sources whose text is missing, selections outside their text, unsafe
        member names, and content that a Project cannot hold (listed).
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
    if isinstance(max_member_bytes, bool) or not isinstance(max_member_bytes, (int, np.integer)) \
            or max_member_bytes < 1:
        raise ValueError(f"max_member_bytes must be a positive whole number, got {max_member_bytes!r}")
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"path={str(path)!r} is not a file")
    report = _Report()
    archive = _Archive(path, int(max_member_bytes), report)
    try:
        root = _parse_xml(archive.project_xml(), f"{path.name}: project.qde")
        _check_root(root, NS, "Project", f"{path.name}: project.qde")
        project = _build(root, archive, positions, report, path)
    finally:
        archive.close()
    report.emit()
    return project


def _build(root: ET.Element, archive: _Archive, positions: str, report: _Report, path: Path) -> "Project":
    from ..project import Project

    users = {}
    for u in root.iterfind(f"{_q('Users')}/{_q('User')}"):
        users[_gkey(u.get("guid"))] = u.get("name") or u.get("id") or u.get("guid")
    codes = _parse_codes(root.find(f"{_q('CodeBook')}/{_q('Codes')}"), NS)
    code_of = dict(zip(codes["guid"].map(_gkey), codes["code"])) if len(codes) else {}

    parsed = _Parsed()
    skipped: dict[str, int] = {}
    sources = root.find(_q("Sources"))
    for el in [] if sources is None else list(sources):
        tag = _local(el.tag)
        if tag == "TextSource":
            _walk_text_source(el, "text", parsed, archive)
        else:
            skipped[tag] = skipped.get(tag, 0) + 1
            skipped["selections"] = skipped.get("selections", 0) + sum(
                1 for s in el.iter() if _local(s.tag) in _SELECTION_TAGS)
            skipped["codings"] = skipped.get("codings", 0) + sum(1 for s in el.iter() if _local(s.tag) == "Coding")
    for el in root.iterfind(f"{_q('Notes')}/{_q('Note')}"):
        _walk_text_source(el, "note", parsed, archive)
    if skipped:
        what = ", ".join(f"{n} {k}" for k, n in skipped.items() if k not in ("selections", "codings"))
        report.add(f"{what} with {skipped.get('selections', 0)} selection(s) and "
                   f"{skipped.get('codings', 0)} coding(s) were not imported: qdacore analyses text sources")
    for tag in ("Links", "Graphs"):
        n = len(root.findall(f"{_q(tag)}/*"))
        if n:
            report.add(f"{n} {tag.lower()} were not imported (a Project has no place for them)")

    missing = [(d[1] or d[0], d[4]) for d in parsed.docs if d[3] is None and d[2] == "text"]
    if missing:
        report.add(f"{len(missing)} text source(s) have no text, so their selections keep the positions "
                   f"as written and have no text: " + "; ".join(f"{n!r}: {why}" for n, why in missing[:_SHOWN])
                   + (" ..." if len(missing) > _SHOWN else ""))

    # documents
    docs = pd.DataFrame(parsed.docs, columns=["guid", "name", "kind", "text", "_why", "_path", "description",
                                              "note_refs"] + _AUDIT)
    fallback = [f"{n or ''} [{g}]".strip() for n, g in zip(docs["name"], docs["guid"])]
    missing_guid = docs["guid"].isna()
    if missing_guid.any():
        docs.loc[missing_guid, "guid"] = [stable_guid("source", n, i) for i, n in
                                          zip(np.flatnonzero(missing_guid), docs["name"][missing_guid])]
    docs.insert(0, "doc", pd.Series(_unique_ids(docs["name"].tolist(), fallback), dtype=object))
    docs = docs.drop(columns=["_why", "_path"])
    for col in ("created", "modified"):
        docs[col] = _datetimes(docs[col], f"documents.{col}", report)

    items = _resolve(parsed, positions, root.get("origin") or "", report)
    item_doc = items.pop("_doc").to_numpy(dtype=np.int64)
    items.insert(0, "doc", docs["doc"].to_numpy(dtype=object)[item_doc] if len(items) else
                 pd.Series([], dtype=object))
    whole = (items["scope"] == "source").to_numpy()
    guid = items["guid"].copy()
    guid[whole] = docs["guid"].to_numpy(dtype=object)[item_doc[whole]]
    no_guid = guid.isna().to_numpy()
    guid[no_guid] = [stable_guid("selection", d, s, e, k) for k, d, s, e in
                     zip(np.flatnonzero(no_guid), items["doc"][no_guid], items["start"][no_guid],
                         items["end"][no_guid])]
    rank = guid.groupby(guid.to_numpy(), sort=False).cumcount().to_numpy()
    item_ids = guid.astype(str).to_numpy(dtype=object, copy=True)
    item_ids[whole] = np.char.add(item_ids[whole].astype(str), "#source").astype(object)
    repeated = rank > 0  # one GUID on several selections (ATLAS.ti does it)
    item_ids[repeated] = item_ids[repeated] + "#" + (rank[repeated] + 1).astype(str).astype(object)
    items.insert(0, "item", pd.Series(item_ids, dtype=object))
    items["guid"] = np.where(whole, None, guid.to_numpy(dtype=object))
    for col in ("created", "modified"):
        items[col] = _datetimes(items[col], f"items.{col}", report)
    if not whole.any():
        items = items.drop(columns="scope")
    else:
        items["scope"] = items["scope"].astype(object)

    codings = _codings(parsed, items, code_of, codes, users, report)
    codes = codings.attrs.pop("codes")
    _add_variables(root, docs, report)
    groups, members, doc_members = _parse_sets(root.findall(f"{_q('Sets')}/{_q('Set')}"), NS, code_of,
                                               report, "targetGUID", frozenset(docs["guid"].map(_gkey)))
    _add_document_sets(docs, doc_members)
    docs = _drop_empty(docs, ("note_refs",))
    items = _drop_empty(items, ("note_refs",))
    codebook = _codebook(codes, groups, members)
    return Project(codebook, docs, items, codings, name=root.get("name") or path.stem,
                   allow_empty=True)


def _drop_empty(df: pd.DataFrame, optional: tuple) -> pd.DataFrame:
    return df.drop(columns=[c for c in optional if c in df.columns and df[c].isna().all()])


def _codings(parsed: _Parsed, items: pd.DataFrame, code_of: dict, codes: pd.DataFrame, users: dict,
             report: _Report) -> pd.DataFrame:
    raw = pd.DataFrame(parsed.codings, columns=["_sel", "_code", "guid", "coder_guid", "created", "note_refs"])
    keys = raw["_code"].map(_gkey)
    code = keys.map(code_of)
    unknown = code.isna()
    if unknown.any():  # keep the coding: a placeholder code stands for the missing one
        missing = pd.unique(raw["_code"][unknown].fillna("(none)"))
        report.add(f"{int(unknown.sum())} coding(s) refer to {len(missing)} code GUID(s) missing from the "
                   f"codebook; placeholder root codes '[missing code <guid>]' keep them: {_shown(missing)}")
        extra = pd.DataFrame({"code": [f"[missing code {g}]" for g in missing], "parent": None, "level": None,
                              "name": [f"[missing code {g}]" for g in missing],
                              "guid": [g if g != "(none)" and _GUID_RE.fullmatch(g) else stable_guid("missing", g)
                                       for g in missing]})
        if "is_codable" in codes.columns:
            extra["is_codable"] = True
        codes = pd.concat([codes, extra.astype(object)], ignore_index=True)
        if "is_codable" in codes.columns and codes["is_codable"].notna().all():
            codes["is_codable"] = codes["is_codable"].astype(bool)
        code[unknown] = "[missing code " + raw["_code"][unknown].fillna("(none)").astype(str) + "]"
    sel = raw["_sel"].to_numpy(dtype=np.int64)
    coder = raw["coder_guid"].map(_gkey).map(users)
    coder = coder.where(coder.notna(), raw["coder_guid"])
    lengths = items["end"].to_numpy(dtype=float, na_value=np.nan) - items["start"].to_numpy(dtype=float, na_value=np.nan)
    out = pd.DataFrame({
        "item": items["item"].to_numpy(dtype=object)[sel] if len(sel) else pd.Series([], dtype=object),
        "code": code.astype(object),
        "coder": coder.astype(object),
        "start": pd.array(np.where(np.isnan(lengths[sel]), np.nan, 0.0), dtype="Int64"),
        "end": pd.array(lengths[sel], dtype="Int64"),
        "guid": raw["guid"].astype(object),
        "coder_guid": raw["coder_guid"].astype(object),
        "created": _datetimes(raw["created"], "codings.created", report),
        "note_refs": raw["note_refs"].astype(object),
    })
    no_guid = out["guid"].isna().to_numpy()
    if no_guid.any():
        out.loc[no_guid, "guid"] = [stable_guid("coding", i, c, k) for k, i, c in
                                    zip(np.flatnonzero(no_guid), out["item"][no_guid], out["code"][no_guid])]
    out = _drop_empty(out, ("note_refs",))
    out.attrs["codes"] = codes
    return out


_VALUE_TYPES = {"TextValue": "Text", "BooleanValue": "Boolean", "IntegerValue": "Integer",
                "FloatValue": "Float", "DateValue": "Date", "DateTimeValue": "DateTime"}


def _typed(values: pd.Series, kind: str) -> pd.Series:
    """A variable's column in the dtype its REFI type maps to (plain when nothing is missing)."""
    full = values.notna().all()
    if kind == "Boolean":
        b = values.astype(object).where(values.notna(), None).astype(str).str.strip().str.lower().isin(["true", "1"])
        return b if full else b.astype("boolean").where(values.notna().to_numpy(), pd.NA)
    if kind == "Integer":
        n = pd.to_numeric(values, errors="coerce")
        return n.astype(np.int64) if full and n.notna().all() else n.astype("Int64")
    if kind == "Float":
        return pd.to_numeric(values, errors="coerce").astype(float)
    if kind == "Date":
        return pd.to_datetime(values, errors="coerce", format="ISO8601").astype("datetime64[ns]")
    if kind == "DateTime":
        return pd.to_datetime(values, errors="coerce", utc=True, format="ISO8601").astype("datetime64[ns, UTC]")
    return values.astype(object)


_RESERVED = {"doc", "name", "guid", "kind", "text", "description", "note_refs", "case", "case_guid",
             "case_description", *_AUDIT}


def _add_variables(root: ET.Element, docs: pd.DataFrame, report: _Report) -> None:
    """Cases and variable values as documents columns (in place)."""
    variables = {}
    for v in root.iterfind(f"{_q('Variables')}/{_q('Variable')}"):
        variables[_gkey(v.get("guid"))] = (v.get("name") or v.get("guid"), v.get("typeOfVariable") or "Text")
    doc_of = dict(zip(docs["guid"].map(_gkey), range(len(docs))))
    values: dict[str, dict[int, Any]] = {}
    kinds: dict[str, str] = {}

    def put(d: int, target: Optional[str], value: Any, override: bool) -> None:
        if value is None:
            return
        tag, text = value
        name, kind = variables.get(target, (target or "variable", _VALUE_TYPES.get(tag, "Text")))
        column = name if name not in _RESERVED and not str(name).startswith(SET_COLUMN) else f"variable:{name}"
        kinds.setdefault(column, kind)
        if override or d not in values.setdefault(column, {}):
            values.setdefault(column, {})[d] = text

    case_rows: dict[int, list] = {}
    ignored = 0
    for case in root.iterfind(f"{_q('Cases')}/{_q('Case')}"):
        refs = [doc_of.get(_gkey(r.get("targetGUID"))) for r in case.findall(_q("SourceRef"))]
        refs = [r for r in refs if r is not None]
        ignored += len(case.findall(_q("CodeRef"))) + len(case.findall(_q("SelectionRef")))
        if not refs:
            report.add(f"case {case.get('name')!r} lists no imported source and was not kept")
            continue
        case_values = [_variable_value(vv) for vv in case.findall(_q("VariableValue"))]
        for d in refs:
            case_rows.setdefault(d, []).append((case.get("name"), case.get("guid"),
                                                _child_text(case, "Description")))
            if len(case_rows[d]) == 1:
                for target, value in case_values:
                    put(d, target, value, override=False)
    if ignored:
        report.add(f"{ignored} code or selection reference(s) of cases were not imported")
    several = [docs["doc"].iat[d] for d, rows in case_rows.items() if len(rows) > 1]
    if several:
        report.add(f"{len(several)} document(s) belong to several cases; the first case is kept: {_shown(several)}")
    for d_target in _source_values(root, doc_of):
        put(*d_target, override=True)  # a source's own value wins over its case's
    if case_rows:
        first = {d: rows[0] for d, rows in case_rows.items()}
        for k, col in enumerate(("case", "case_guid", "case_description")):
            column = pd.Series([first[d][k] if d in first else None for d in range(len(docs))], dtype=object)
            if col != "case_description" or column.notna().any():
                docs[col] = column
    for column, by_doc in values.items():
        raw = pd.Series([by_doc.get(d) for d in range(len(docs))], dtype=object)
        docs[column] = _typed(raw, kinds[column])


def _source_values(root: ET.Element, doc_of: dict) -> list:
    out = []
    containers = list(root.iterfind(f"{_q('Sources')}/{_q('TextSource')}")) + \
        list(root.iterfind(f"{_q('Notes')}/{_q('Note')}"))
    for el in containers:
        d = doc_of.get(_gkey(el.get("guid")))
        for vv in el.findall(_q("VariableValue")):
            target, value = _variable_value(vv)
            out.append((d, target, value))
    return [o for o in out if o[0] is not None]


def _add_document_sets(docs: pd.DataFrame, doc_members: list) -> None:
    """One boolean column ``set:<group>`` per set that lists imported documents (in place)."""
    if not doc_members:
        return
    row_of = dict(zip(docs["guid"].map(_gkey), range(len(docs))))
    pairs = pd.DataFrame(doc_members, columns=["group", "member"])
    rows = pairs["member"].map(_gkey).map(row_of).to_numpy(dtype=np.int64)
    for group, at in pairs.groupby("group", sort=False).indices.items():
        flag = np.zeros(len(docs), dtype=bool)
        flag[rows[at]] = True
        docs[f"{SET_COLUMN}{group}"] = flag


# -- codebooks (.qdc) -------------------------------------------------------------------
def read_qdc(path: Union[str, Path], *, max_member_bytes: int = MAX_MEMBER_BYTES) -> "Codebook":
    """Read a REFI-QDA codebook (``.qdc``) as a :class:`~qdacore.Codebook`.

    Codes and sets map as in :func:`read_qdpx`. Raises ``ValueError`` for
    hostile or malformed XML and for other schema versions.

    Examples
    --------
    >>> import tempfile, qdacore as qc
    >>> cb = qc.datasets.megaregion_codebook()
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     back = qc.read_qdc(qc.write_qdc(cb, f"{tmp}/framework.qdc"))
    >>> back.codes[["code", "parent"]].head(3)
        code parent
    0    COE   None
    1  COE-1    COE
    2  COE-1.sub-centre  COE-1
    >>> back.sets
    ['vision', 'mismatch']
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"path={str(path)!r} is not a file")
    size = path.stat().st_size
    if size > max_member_bytes:
        raise ValueError(f"{path} is {size:,} bytes, over the limit of {max_member_bytes:,} (max_member_bytes=)")
    root = _parse_xml(path.read_bytes(), path.name)
    _check_root(root, CODEBOOK_NS, "CodeBook", path.name)
    report = _Report()
    codes = _parse_codes(root.find(_q("Codes", CODEBOOK_NS)), CODEBOOK_NS)
    code_of = dict(zip(codes["guid"].map(_gkey), codes["code"])) if len(codes) else {}
    groups, members, _ = _parse_sets(root.findall(f"{_q('Sets', CODEBOOK_NS)}/{_q('Set', CODEBOOK_NS)}"),
                                     CODEBOOK_NS, code_of, report, "guid")
    report.emit()
    return _codebook(codes, groups, members)


# -- writing ----------------------------------------------------------------------------
def _t(tag: str, ns: str = NS) -> str:
    """Tags are written unqualified under a default ``xmlns`` on the root
    (ElementTree cannot otherwise give a default namespace to plain attributes)."""
    return tag


def _s(value: Any, where: str) -> str:
    """``value`` as XML text, refusing characters XML 1.0 cannot hold."""
    text = str(value)
    bad = _XML_ILLEGAL.search(text)
    if bad:
        raise ValueError(f"{where}: character U+{ord(bad.group()):04X} cannot be written to XML; "
                         f"remove it from {text[:40]!r}")
    return text


def _iso(values: pd.Series) -> np.ndarray:
    """xsd:dateTime strings in UTC (``...Z``), None where missing."""
    out = np.full(len(values), None, dtype=object)
    if not len(values):
        return out
    t = pd.to_datetime(values, errors="coerce", utc=True)
    ok = t.notna().to_numpy()
    if ok.any():
        whole = t[ok].dt.strftime("%Y-%m-%dT%H:%M:%S")
        frac = (t[ok].dt.microsecond * 1000 + t[ok].dt.nanosecond).to_numpy()
        out[ok] = np.where(frac == 0, whole + "Z", whole + "." + pd.Series(frac).astype(str).str.zfill(9)
                           .str.rstrip("0").to_numpy(dtype=object) + "Z")
    return out


class _Audit:
    """creatingUser / creationDateTime / modifyingUser / modifiedDateTime per row of a table."""

    def __init__(self, df: pd.DataFrame) -> None:
        cols = {}
        for col, attr in (("created_by", "creatingUser"), ("modified_by", "modifyingUser")):
            v = _column(df, col).astype(object)
            ok = v.notna() & v.astype(str).str.fullmatch(_GUID_RE.pattern)
            cols[attr] = np.where(ok.to_numpy(), v.to_numpy(dtype=object), None)
        for col, attr in (("created", "creationDateTime"), ("modified", "modifiedDateTime")):
            cols[attr] = _iso(_column(df, col))
        self.cols = cols

    def attrs(self, row: int, keys: tuple = ("creatingUser", "creationDateTime", "modifyingUser",
                                              "modifiedDateTime")) -> dict:
        return {k: self.cols[k][row] for k in keys if self.cols[k][row] is not None}


def _description(el: ET.Element, value: Any, where: str, ns: str = NS) -> None:
    if _nonnull(value):
        ET.SubElement(el, _t("Description", ns)).text = _s(value, where)


def _note_ref_elements(el: ET.Element, value: Any) -> None:
    if _nonnull(value):
        for target in str(value).split():
            if _GUID_RE.fullmatch(target):
                ET.SubElement(el, _t("NoteRef"), targetGUID=target)


def _write_codes(parent: ET.Element, codes: pd.DataFrame, parent_pos: np.ndarray, guids: np.ndarray,
                 ns: str) -> None:
    names = _column(codes, "name")
    names = names.where(names.notna(), codes["code"]).to_numpy(dtype=object)
    colors = _column(codes, "color").to_numpy(dtype=object)
    codable = _column(codes, "is_codable").to_numpy(dtype=object)
    desc = _column(codes, "description").to_numpy(dtype=object)
    notes = _column(codes, "note_refs").to_numpy(dtype=object) if ns == NS else np.full(len(codes), None)
    bad = [c for c in colors if _nonnull(c) and not _COLOR_RE.fullmatch(str(c))]
    if bad:
        raise ValueError(f"codebook.codes.color holds values that are not #RRGGBB colours: {_shown(bad)}")
    children: list = [[] for _ in range(len(codes) + 1)]
    for i, p in enumerate(parent_pos):  # codebook order, under each parent
        children[p if p >= 0 else len(codes)].append(i)
    stack = [(parent, i) for i in reversed(children[len(codes)])]
    while stack:
        container, i = stack.pop()
        attrs = {"guid": guids[i], "name": _s(names[i], "codebook.codes.name"),
                 "isCodable": "false" if _nonnull(codable[i]) and not bool(codable[i]) else "true"}
        if _nonnull(colors[i]):
            attrs["color"] = str(colors[i])
        el = ET.SubElement(container, _t("Code", ns), attrs)
        _description(el, desc[i], "codebook.codes.description", ns)
        _note_ref_elements(el, notes[i])
        stack.extend((el, j) for j in reversed(children[i]))


def _set_names(groups: pd.DataFrame) -> np.ndarray:
    composed = np.where(groups["set"].isin([SETS, DOCUMENT_SETS]).to_numpy(), groups["group"].astype(str),
                        groups["set"].astype(str) + "::" + groups["group"].astype(str))
    names = _column(groups, "name")
    return np.where(names.notna().to_numpy(), names.to_numpy(dtype=object), composed)


def _write_sets(parent: ET.Element, codebook: "Codebook", code_guids: np.ndarray, ns: str,
                doc_members: Optional[dict] = None) -> None:
    groups = codebook.groups
    extra = [] if doc_members is None else [g for g in doc_members if g not in set(groups["group"])]
    if not len(groups) and not extra:
        return
    sets = ET.SubElement(parent, _t("Sets", ns))
    guids = _guids(_column(groups, "guid"), "group", groups["group"], "codebook.groups.guid")
    names = _set_names(groups)
    desc = _column(groups, "description").to_numpy(dtype=object)
    code_pos = codebook.code_index.get_indexer(codebook.members["code"])
    member_group = pd.Index(groups["group"]).get_indexer(codebook.members["group"])
    order = np.argsort(member_group, kind="stable")
    bounds = np.searchsorted(member_group[order], np.arange(len(groups) + 1))
    attr = "targetGUID" if ns == NS else "guid"
    for g in range(len(groups)):
        el = ET.SubElement(sets, _t("Set", ns), guid=guids[g], name=_s(names[g], "codebook.groups.name"))
        _description(el, desc[g], "codebook.groups.description", ns)
        for c in code_pos[order[bounds[g]:bounds[g + 1]]]:
            ET.SubElement(el, _t("MemberCode", ns), {attr: code_guids[c]})
        for tag, target in (doc_members or {}).get(groups["group"].iat[g], ()):
            ET.SubElement(el, _t(tag), targetGUID=target)
    for group in extra:
        el = ET.SubElement(sets, _t("Set"), guid=stable_guid("group", group), name=_s(group, "documents"))
        for tag, target in doc_members[group]:  # type: ignore[index]
            ET.SubElement(el, _t(tag), targetGUID=target)


def _variable_type(values: pd.Series) -> str:
    dtype = values.dtype
    if pd.api.types.is_bool_dtype(dtype):
        return "Boolean"
    if pd.api.types.is_integer_dtype(dtype):
        return "Integer"
    if pd.api.types.is_float_dtype(dtype):
        return "Float"
    if isinstance(dtype, pd.DatetimeTZDtype):
        return "DateTime"
    if pd.api.types.is_datetime64_any_dtype(dtype):
        t = values.dropna()
        return "Date" if (t == t.dt.normalize()).all() else "DateTime"
    return "Text"


def _variable_strings(values: pd.Series, kind: str) -> np.ndarray:
    out = np.full(len(values), None, dtype=object)
    ok = values.notna().to_numpy()
    if not ok.any():
        return out
    v = values[ok]
    if kind == "Boolean":
        out[ok] = np.where(v.astype(bool).to_numpy(), "true", "false")
    elif kind == "Integer":
        out[ok] = v.astype(np.int64).astype(str).to_numpy(dtype=object)
    elif kind == "Float":
        finite = np.isfinite(v.to_numpy(dtype=float))
        ok[np.flatnonzero(ok)[~finite]] = False
        out[ok] = [np.format_float_positional(x, unique=True, trim="-") for x in v.to_numpy(dtype=float)[finite]]
    elif kind == "Date":
        out[ok] = v.dt.strftime("%Y-%m-%d").to_numpy(dtype=object)
    elif kind == "DateTime":
        out[ok] = _iso(v)
    else:
        out[ok] = v.astype(str).to_numpy(dtype=object)
    return out


def _value_element(parent: ET.Element, guid: str, kind: str, text: str) -> None:
    vv = ET.SubElement(parent, _t("VariableValue"))
    ET.SubElement(vv, _t("VariableRef"), targetGUID=guid)
    ET.SubElement(vv, _t(f"{kind}Value")).text = _s(text, "documents")


def write_qdpx(project: "Project", path: Union[str, Path], *, origin: Optional[str] = None) -> Path:
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
    >>> names[0], len(names)
    ('project.qde', 22)
    """
    from .. import __version__
    from ..project import Project

    if not isinstance(project, Project):
        raise TypeError(f"project must be a qdacore.Project, got {type(project).__name__}")
    path = Path(path)
    report = _Report()
    root, files = _project_tree(project, origin or f"qdacore {__version__}", report)
    xml = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in [("project.qde", xml)] + [(n, _utf8(t, n)) for n, t in files]:
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


def _project_tree(project: "Project", origin: str, report: _Report) -> tuple[ET.Element, list]:
    cb = project.codebook
    docs, items, codings = project.documents, project.items, project.codings
    root = ET.Element("Project", {"xmlns": NS, "name": _s(project.name, "project name"),
                                  "origin": _s(origin, "origin")})

    # users: coders, plus whoever created or modified something
    coder = _column(codings, "coder")
    coder_guid = _column(codings, "coder_guid").astype(object)
    fill = coder_guid.isna() & coder.notna()
    coder_guid[fill] = [stable_guid("user", c) for c in coder[fill]]
    coder_guid = coder_guid.where(coder_guid.notna(), None)
    _check_guids(coder_guid[coder_guid.notna()], "codings.coder_guid")
    users: dict = {}
    for g, n in zip(coder_guid, coder):
        if g is not None:
            users.setdefault(_gkey(g), (g, n))
    audits = {"documents": _Audit(docs), "items": _Audit(items)}
    for audit in audits.values():
        for k in ("creatingUser", "modifyingUser"):
            for g in pd.unique(pd.Series(audit.cols[k], dtype=object).dropna()):
                users.setdefault(_gkey(g), (g, None))
    if users:
        el = ET.SubElement(root, _t("Users"))
        for g, n in users.values():
            attrs = {"guid": g}
            if _nonnull(n):
                attrs["name"] = _s(n, "codings.coder")
            ET.SubElement(el, _t("User"), attrs)

    code_guids = _guids(_column(cb.codes, "guid"), "code", cb.codes["code"], "codebook.codes.guid")
    if len(cb.codes):
        codes_el = ET.SubElement(ET.SubElement(root, _t("CodeBook")), _t("Codes"))
        _write_codes(codes_el, cb.codes, cb.parent_positions, code_guids, NS)

    doc_guids = _guids(_column(docs, "guid"), "doc", docs["doc"], "documents.guid")
    variables = [c for c in docs.columns if c not in _RESERVED and not str(c).startswith(SET_COLUMN)]
    var_guid = {c: stable_guid("variable", c) for c in variables}
    var_kind = {c: _variable_type(docs[c]) for c in variables}
    var_text = {c: _variable_strings(docs[c], var_kind[c]) for c in variables}
    if variables:
        el = ET.SubElement(root, _t("Variables"))
        for c in variables:
            name = c[len("variable:"):] if str(c).startswith("variable:") else c
            ET.SubElement(el, _t("Variable"), guid=var_guid[c], name=_s(name, "documents column"),
                          typeOfVariable=var_kind[c])
    on_case = _write_cases(root, docs, doc_guids, variables, var_guid, var_kind, var_text)

    # items by document, codings by item (CSR from the project's arrays)
    arrays = project.arrays
    item_order = np.argsort(arrays.item_doc, kind="stable")
    item_bounds = np.searchsorted(arrays.item_doc[item_order], np.arange(len(docs) + 1))
    coding_rows = np.arange(len(codings)) if arrays.order is None else arrays.order
    start, end = _item_offsets(items)
    item_guids = _guids(_column(items, "guid"), "item", items["item"], "items.guid")
    item_names = _column(items, "name")
    item_names = item_names.where(item_names.notna(), items["item"]).to_numpy(dtype=object)
    scope = _column(items, "scope").to_numpy(dtype=object)
    coding_guids = _coding_guids(codings)
    code_pos = cb.code_index.get_indexer(codings["code"])
    coding_created = _iso(_column(codings, "created"))
    _warn_partial(codings, items, start, end, report)
    doc_text = _column(docs, "text").to_numpy(dtype=object)
    kind = _column(docs, "kind").to_numpy(dtype=object)
    doc_names = _column(docs, "name")
    doc_names = doc_names.where(doc_names.notna(), docs["doc"]).to_numpy(dtype=object)
    ctx = {"items": items, "codings": codings, "start": start, "end": end, "item_guids": item_guids,
           "item_names": item_names, "scope": scope, "coding_guids": coding_guids, "code_pos": code_pos,
           "code_guids": code_guids, "coder_guid": coder_guid.to_numpy(dtype=object),
           "coding_created": coding_created, "indptr": arrays.indptr, "coding_rows": coding_rows,
           "audit": audits["items"], "report": report}
    files: list = []
    sources = notes = None
    synthesised = 0
    for d in range(len(docs)):
        rows = item_order[item_bounds[d]:item_bounds[d + 1]]
        text = doc_text[d] if _nonnull(doc_text[d]) else None
        if text is None and len(rows) and np.isnan(start[rows]).all() and not _has_raw(items, rows):
            text, start[rows], end[rows] = _synthesise(items, rows)
            synthesised += len(rows)
        elif len(rows):
            lost = rows[np.isnan(start[rows]) & ~_raw_mask(items, rows) & (scope[rows] != "source")]
            if len(lost):
                raise ValueError(f"items {_shown(items['item'].iloc[lost])} of document {docs['doc'].iat[d]!r} "
                                 "have no start/end; give their offsets in the document's text")
        if kind[d] == "note":
            notes = ET.SubElement(root, _t("Notes")) if notes is None else notes
            container, tag = notes, "Note"
        else:
            sources = ET.SubElement(root, _t("Sources")) if sources is None else sources
            container, tag = sources, "TextSource"
        attrs = {"guid": doc_guids[d], "name": _s(doc_names[d], "documents.name")}
        if text is not None:
            member = f"{doc_guids[d].strip('{}')}.txt"
            attrs["plainTextPath"] = f"internal://{member}"
            files.append((f"sources/{member}", text))
        attrs.update(audits["documents"].attrs(d))
        el = ET.SubElement(container, _t(tag), attrs)
        _description(el, _column(docs, "description").iat[d], "documents.description")
        _write_items(el, rows, ctx)
        _note_ref_elements(el, _column(docs, "note_refs").iat[d])
        for c in variables:
            if not on_case.get((d, c)) and var_text[c][d] is not None:
                _value_element(el, var_guid[c], var_kind[c], var_text[c][d])
    if synthesised:
        report.add(f"{synthesised} item(s) had neither offsets nor a document text; each document's text "
                   "was made of its items' texts (or ids), one per line")

    doc_members: dict = {}
    for c in docs.columns:
        if str(c).startswith(SET_COLUMN):
            flags = docs[c].fillna(False).astype(bool).to_numpy()
            doc_members[c[len(SET_COLUMN):]] = [("MemberNote" if kind[d] == "note" else "MemberSource",
                                                 doc_guids[d]) for d in np.flatnonzero(flags)]
    _write_sets(root, cb, code_guids, NS, doc_members)
    return root, files


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
    start = _column(items, "start").to_numpy(dtype=float, na_value=np.nan, copy=True) if "start" in items else nan.copy()
    end = _column(items, "end").to_numpy(dtype=float, na_value=np.nan, copy=True) if "end" in items else nan.copy()
    if "raw_start" in items.columns and "raw_end" in items.columns:
        use = np.isnan(start)
        start[use] = items["raw_start"].to_numpy(dtype=float, na_value=np.nan)[use]
        end[use] = items["raw_end"].to_numpy(dtype=float, na_value=np.nan)[use]
    return start, end


def _synthesise(items: pd.DataFrame, rows: np.ndarray) -> tuple[str, np.ndarray, np.ndarray]:
    texts = _column(items, "text").iloc[rows]
    labels = texts.where(texts.notna(), items["item"].iloc[rows]).astype(str)
    lengths = labels.str.len().to_numpy(dtype=np.int64)
    starts = np.cumsum(lengths + 1) - (lengths + 1)
    return "\n".join(labels), starts.astype(float), (starts + lengths).astype(float)


def _coding_guids(codings: pd.DataFrame) -> np.ndarray:
    def text(col: str) -> pd.Series:
        values = _column(codings, col).astype(object)
        return values.where(values.notna(), "").astype(str)

    key = text("item") + "\x1f" + text("code")
    if "coder" in codings.columns:
        key = key + "\x1f" + text("coder")
    rank = key.groupby(key.to_numpy()).cumcount().astype(str)
    derived = ("coding\x1f" + key + "\x1f" + rank).map(lambda k: str(uuid.uuid5(_GUID_NS, k)))
    given = _column(codings, "guid")
    values = given.where(given.notna(), derived)
    return _guids(values, "coding", codings["item"], "codings.guid")


def _warn_partial(codings: pd.DataFrame, items: pd.DataFrame, start: np.ndarray, end: np.ndarray,
                  report: _Report) -> None:
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
    desc = _column(items, "description")
    notes = _column(items, "note_refs")
    whole = []
    for i in rows:
        if ctx["scope"][i] == "source":
            whole.append(i)
            continue
        attrs = {"guid": ctx["item_guids"][i], "name": _s(ctx["item_names"][i], "items.name"),
                 "startPosition": str(int(start[i])), "endPosition": str(int(end[i]))}
        attrs.update(ctx["audit"].attrs(i))
        el = ET.SubElement(source, _t("PlainTextSelection"), attrs)
        _description(el, desc.iat[i], "items.description")
        _write_codings(el, i, ctx)
        _note_ref_elements(el, notes.iat[i])
    for i in whole:
        _write_codings(source, i, ctx)


def _write_codings(parent: ET.Element, item: int, ctx: dict) -> None:
    notes = _column(ctx["codings"], "note_refs")
    for k in ctx["coding_rows"][ctx["indptr"][item]:ctx["indptr"][item + 1]]:
        attrs = {"guid": ctx["coding_guids"][k]}
        if ctx["coder_guid"][k] is not None:
            attrs["creatingUser"] = ctx["coder_guid"][k]
        if ctx["coding_created"][k] is not None:
            attrs["creationDateTime"] = ctx["coding_created"][k]
        el = ET.SubElement(parent, _t("Coding"), attrs)
        ET.SubElement(el, _t("CodeRef"), targetGUID=ctx["code_guids"][ctx["code_pos"][k]])
        _note_ref_elements(el, notes.iat[k])


def _write_cases(root: ET.Element, docs: pd.DataFrame, doc_guids: np.ndarray, variables: list,
                 var_guid: dict, var_kind: dict, var_text: dict) -> dict:
    """Cases from the ``case`` column; a variable goes on the case when all its
    documents agree, else on each source. Returns {(doc, variable): True} for
    values written on a case."""
    if "case" not in docs.columns or not docs["case"].notna().any():
        return {}
    on_case: dict = {}
    cases_el = ET.SubElement(root, _t("Cases"))
    case = docs["case"]
    guid = _column(docs, "case_guid")
    desc = _column(docs, "case_description")
    for name in pd.unique(case.dropna()):
        rows = np.flatnonzero((case == name).to_numpy())
        g = guid.iloc[rows].dropna()
        case_guid = str(g.iat[0]) if len(g) and _GUID_RE.fullmatch(str(g.iat[0])) else stable_guid("case", name)
        el = ET.SubElement(cases_el, _t("Case"), guid=case_guid, name=_s(name, "documents.case"))
        d = desc.iloc[rows].dropna()
        _description(el, d.iat[0] if len(d) else None, "documents.case_description")
        for c in variables:
            values = var_text[c][rows]
            if len(set(values.tolist())) == 1 and values[0] is not None:
                _value_element(el, var_guid[c], var_kind[c], values[0])
                on_case.update({(r, c): True for r in rows})
        for r in rows:
            ET.SubElement(el, _t("SourceRef"), targetGUID=doc_guids[r])
    return on_case


def write_qdc(codebook: Union["Codebook", "Project"], path: Union[str, Path], *,
              origin: Optional[str] = None) -> Path:
    """Write a codebook (or a project's) as a REFI-QDA ``.qdc`` file that
    validates against the standard's ``Codebook.xsd``.

    Codes keep their nesting, ``name`` (else the id), ``guid`` (else a stable
    one), ``color``, ``description`` and ``is_codable``; groups become sets
    (``set::group`` unless in the default ``sets``) with their member codes.

    Examples
    --------
    >>> import tempfile, qdacore as qc
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     text = qc.write_qdc(qc.datasets.megaregion_codebook(), f"{tmp}/f.qdc").read_text("utf-8")
    >>> text.count("<Code "), text.count("<Set ")
    (73, 6)
    """
    from .. import __version__
    from ..codebook import Codebook
    from ..project import Project

    if isinstance(codebook, Project):
        codebook = codebook.codebook
    if not isinstance(codebook, Codebook):
        raise TypeError(f"codebook must be a qdacore.Codebook or Project, got {type(codebook).__name__}")
    if not len(codebook.codes):
        raise ValueError("codebook has no codes; a REFI-QDA codebook needs at least one")
    root = ET.Element("CodeBook", {"xmlns": CODEBOOK_NS,
                                   "origin": _s(origin or f"qdacore {__version__}", "origin")})
    guids = _guids(_column(codebook.codes, "guid"), "code", codebook.codes["code"], "codebook.codes.guid")
    _write_codes(ET.SubElement(root, _t("Codes", CODEBOOK_NS)), codebook.codes, codebook.parent_positions,
                 guids, CODEBOOK_NS)
    _write_sets(root, codebook, guids, CODEBOOK_NS)
    path = Path(path)
    path.write_bytes(ET.tostring(root, encoding="utf-8", xml_declaration=True))
    return path
