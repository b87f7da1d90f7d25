"""Codes and sets, both directions, shared by projects (``.qdpx``) and
codebooks (``.qdc``): nested ``Code`` elements and ``Set`` elements to and from
a :class:`~qdacore.Codebook`, sets of documents to and from ``set:<group>``
documents columns, and :func:`read_qdc` / :func:`write_qdc`."""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import TYPE_CHECKING, Optional, Union

import numpy as np
import pandas as pd

from ..._model import CodedProject
from ..._version import __version__
from ...codebook import Codebook
from ._archive import MAX_MEMBER_BYTES, check_root, existing_file, member_limit, parse_xml, read_capped
from ._guids import gkey, guids, repair_guids, repair_references, stable_guid, unique_ids
from ._report import Report, shown
from ._xml import (
    CODEBOOK_NS,
    NS,
    child_text,
    column,
    description,
    nonnull,
    note_ref_elements,
    note_refs,
    plain_tag,
    qname,
    to_bytes,
    xml_text,
)

if TYPE_CHECKING:  # pragma: no cover
    from ...project import Project

SETS, DOCUMENT_SETS = "sets", "document sets"
SET_COLUMN = "set:"
_COLOR_RE = re.compile(r"#([A-Fa-f0-9]{6}|[A-Fa-f0-9]{3})")


# -- reading --------------------------------------------------------------------------
#: Deepest nesting of codes read: far beyond any codebook (a few levels), and
#: past it a file is hostile (each level costs its depth in the code paths).
MAX_CODE_DEPTH = 10_000


def parse_codes(codes_el: Optional[ET.Element], ns: str, hierarchy: Optional[str], report: Report,
                where: str) -> tuple[pd.DataFrame, dict]:
    """The rows of ``codebook.codes`` from a ``Codes`` element (None: no codes);
    with ``hierarchy`` (a separator such as ``"::"``), top-level codes named
    ``Parent::Child`` become children of ``Parent`` (see :func:`_nest`).
    Repeated or malformed GUIDs are repaired first (:func:`repair_guids`, its
    warning to ``report``), so that ids made from GUIDs are made from the ones
    written back; returns the codes and the {GUID key: code id} that
    references resolve by, the old keys of malformed GUIDs included."""
    rows: list = []
    depth: list[int] = []
    stack: list[tuple[ET.Element, Optional[int]]] = (
        [] if codes_el is None else [(c, None) for c in reversed(codes_el.findall(qname("Code", ns)))])
    while stack:
        el, parent = stack.pop()
        name = el.get("name") or ""
        me = len(rows)
        depth.append(1 if parent is None else depth[parent] + 1)
        if depth[me] > MAX_CODE_DEPTH:
            raise ValueError(f"the codebook nests codes more than {MAX_CODE_DEPTH:,} deep (at code "
                             f"{name!r}); no codebook needs that: the file is damaged or made to hurt")
        guid = el.get("guid") or stable_guid("code", *_path(rows, parent), name, me)
        codable = el.get("isCodable")
        rows.append({
            "name": name, "guid": guid, "color": el.get("color"),
            "description": child_text(el, "Description", ns),
            # missing (the schema requires it): codable, as write_qdc writes a code without it
            "is_codable": codable is None or codable.strip().lower() in ("true", "1"),
            "note_refs": note_refs(el) if ns == NS else None,
            "_parent": parent,
        })
        stack.extend((c, me) for c in reversed(el.findall(qname("Code", ns))))
    if hierarchy:
        _nest(rows, hierarchy)
    repaired, renamed = repair_guids(pd.Series([r["guid"] for r in rows], dtype=object), "code", where, report)
    for r, guid in zip(rows, repaired):
        r["guid"] = guid
    names = [r["name"] for r in rows]
    # a code's path names it only where its name does not (empty or repeated);
    # paths are made for those codes alone, as a path costs its depth
    counts = pd.Series(names, dtype=object).value_counts()
    unnamed = [k for k, name in enumerate(names) if not name or counts[name] > 1]
    paths = [" > ".join(_path(rows, k)) for k in unnamed]
    by_path = unique_ids(paths, [f"{path} [{rows[k]['guid']}]" for k, path in zip(unnamed, paths)])
    fallback: list = list(names)
    for k, path_id in zip(unnamed, by_path):
        fallback[k] = path_id
    ids = unique_ids(names, fallback)
    parents = [None if r["_parent"] is None else ids[r["_parent"]] for r in rows]
    codes = pd.DataFrame({
        "code": pd.Series(ids, dtype=object), "parent": pd.Series(parents, dtype=object),
        "level": pd.Series([None] * len(rows), dtype=object),
    })
    for col in ("name", "guid", "color", "description", "is_codable", "note_refs"):
        values = [r[col] for r in rows]
        if col in ("color", "note_refs") and not any(v is not None for v in values):
            continue
        codes[col] = pd.Series(values, dtype=bool if col == "is_codable" and None not in values else object)
    code_of = codes_by_guid(codes)
    code_of.update({old: code_of[gkey(new)] for old, new in renamed.items()})
    return codes, code_of


def _path(rows: list, k: Optional[int]) -> tuple[str, ...]:
    """The names from the top code down to row ``k`` (none for None)."""
    names = []
    while k is not None:
        names.append(rows[k]["name"])
        k = rows[k]["_parent"]
    return tuple(reversed(names))


def _nest(rows: list, separator: str) -> None:
    """Top-level codes named ``A<sep>B<sep>C`` become ``C``, a child of ``B``,
    a child of ``A`` (in place): ATLAS.ti's flat codebooks name a hierarchy so.
    A parent missing from the codebook is added as a code that is not codable,
    its GUID derived from its path. Shorter names go first, so ``A::B`` is the
    parent of ``A::B::C`` in whatever order the file lists them."""
    def split(r: dict) -> Optional[list]:
        parts = [p.strip() for p in r["name"].split(separator)]
        return parts if r["_parent"] is None and len(parts) > 1 and all(parts) else None

    parts_of: dict[int, list] = {}
    paths: list = []  # the rows come parents first (parse_codes walks the tree in order)
    by_path: dict = {}
    for k, r in enumerate(rows):
        paths.append((() if r["_parent"] is None else paths[r["_parent"]]) + (r["name"],))
        parts = split(r)
        if parts is None:
            by_path.setdefault(paths[k], k)
        else:
            parts_of[k] = parts
    for k in sorted(parts_of, key=lambda k: len(parts_of[k])):
        parts = parts_of[k]
        parent: Optional[int] = None
        for depth in range(1, len(parts)):
            path = tuple(parts[:depth])
            if path not in by_path:
                rows.append({"name": parts[depth - 1], "guid": stable_guid("code path", *path), "color": None,
                             "description": None, "is_codable": False, "note_refs": None,
                             "_parent": parent})
                by_path[path] = len(rows) - 1
            parent = by_path[path]
        rows[k]["name"], rows[k]["_parent"] = parts[-1], parent
        by_path.setdefault(tuple(parts), k)
    # nesting order (each parent, then its children in file order), as the
    # nested XML an export writes reads back
    children: dict = {}
    for k, r in enumerate(rows):
        children.setdefault(r["_parent"], []).append(k)
    order: list = []
    stack = list(reversed(children.get(None, [])))
    while stack:
        k = stack.pop()
        order.append(k)
        stack.extend(reversed(children.get(k, [])))
    new_index = {old: new for new, old in enumerate(order)}
    nested = [rows[k] for k in order]
    for r in nested:
        r["_parent"] = None if r["_parent"] is None else new_index[r["_parent"]]
    rows[:] = nested


def check_hierarchy(hierarchy: Optional[str]) -> Optional[str]:
    if hierarchy is not None and (not isinstance(hierarchy, str) or not hierarchy.strip()):
        raise ValueError(f"hierarchy must be None or a separator such as '::', got {hierarchy!r}")
    return hierarchy


def codes_by_guid(codes: pd.DataFrame) -> dict:
    """{GUID key: code id} of the parsed codes."""
    return dict(zip(codes["guid"].map(gkey), codes["code"])) if len(codes) else {}


def _split_set_name(name: str, has_codes: bool, has_other: bool) -> tuple[str, str]:
    if "::" in name:
        set_name, _, group = name.partition("::")
        if set_name.strip() and group.strip():
            return set_name.strip(), group.strip()
    return (DOCUMENT_SETS if has_other and not has_codes else SETS), name


def parse_sets(sets: list, ns: str, code_of: dict, report: Report, member_attr: str,
               doc_keys: frozenset = frozenset()) -> tuple[pd.DataFrame, pd.DataFrame, list]:
    """Groups, code memberships and (group, member GUID) memberships of the
    imported sources and notes (``doc_keys``)."""
    rows: list[dict] = []
    members: list[tuple] = []
    doc_members: list[tuple] = []
    unknown: list = []
    not_imported: list = []
    for el in sets:
        codes = [m.get(member_attr) for m in el.findall(qname("MemberCode", ns))]
        others = [m.get("targetGUID") for tag in ("MemberSource", "MemberNote")
                  for m in el.findall(qname(tag, ns))]
        not_imported.extend(g for g in others if gkey(g) not in doc_keys)
        # a set of sources is a document set even when its sources (pictures,
        # PDFs, media) are not imported
        name = el.get("name") or ""
        set_name, group = _split_set_name(name, bool(codes), bool(others))
        if set_name in (SETS, DOCUMENT_SETS) and name.startswith(f"{set_name}::"):
            name = group  # the default set named only to keep a set without members one
        others = [g for g in others if gkey(g) in doc_keys]
        rows.append({"group": group, "set": set_name, "name": name,
                     "guid": el.get("guid") or stable_guid("set", name, len(rows)),
                     "description": child_text(el, "Description", ns)})
        for g in codes:
            code = code_of.get(gkey(g))
            if code is None:
                unknown.append(g)
            else:
                members.append((len(rows) - 1, code))
        doc_members.extend((len(rows) - 1, g) for g in others)
    groups = pd.DataFrame(rows, columns=["group", "set", "name", "guid", "description"], dtype=object)
    if len(groups):
        groups["group"] = unique_ids(groups["group"].tolist(),
                                     [f"{s}::{g}" for s, g in zip(groups["set"], groups["group"])])
    if unknown:
        report.add(f"{len(unknown)} set membership(s) name codes that are not in the codebook and "
                   f"were left out: {shown(unknown)}")
    if not_imported:
        report.add(f"{len(not_imported)} set membership(s) name sources or notes that were not imported: "
                   f"{shown(not_imported)}")
    member_df = pd.DataFrame({
        "group": pd.Series([groups["group"].iat[g] for g, _ in members], dtype=object),
        "code": pd.Series([c for _, c in members], dtype=object),
    }).drop_duplicates(ignore_index=True)
    doc_members = [(groups["group"].iat[g], m) for g, m in doc_members]
    return groups, member_df, doc_members


def make_codebook(codes: pd.DataFrame, groups: pd.DataFrame, members: pd.DataFrame) -> Codebook:
    """The :class:`~qdacore.Codebook` of the parsed codes, groups and memberships."""
    clash = set(groups["set"]) & {f"depth{d}" for d in range(1, 64)}
    if clash:  # a set named like a depth level would make level= ambiguous
        groups = groups.assign(set=groups["set"].where(~groups["set"].isin(clash), "set " + groups["set"]))
    return Codebook(codes, groups, members, allow_empty=True)


def add_document_sets(docs: pd.DataFrame, doc_members: list, groups: pd.DataFrame, report: Report) -> None:
    """The document sets as documents columns (in place): the sets named
    ``variable: value`` (ATLAS.ti's way of recording a document variable) as
    one column ``variable`` holding each document's value, the others as a
    boolean column ``set:<group>`` each."""
    row_of = dict(zip(docs["guid"].map(gkey), range(len(docs))))
    pairs = pd.DataFrame(doc_members, columns=["group", "member"])
    rows = pairs["member"].map(gkey).map(row_of).to_numpy(dtype=np.int64)
    members = {g: rows[at] for g, at in pairs.groupby("group", sort=False).indices.items()}
    as_variable: set = set()
    for variable, sets in _variable_sets(groups).items():
        value = np.full(len(docs), None, dtype=object)
        taken = np.zeros(len(docs), dtype=np.int64)
        for group, text in sets:
            at = members.get(group, np.zeros(0, dtype=np.int64))
            value[at] = text
            taken[at] += 1
        if variable in docs.columns or (taken > 1).any():
            report.add(f"document sets {shown([g for g, _ in sets])} name values of {variable!r}, but "
                       + ("the documents already have that column" if variable in docs.columns else
                          "a document is in two of them") + "; they stay set:<group> columns")
            continue
        docs[variable] = _typed(pd.Series(value, dtype=object))
        as_variable.update(g for g, _ in sets)
    for group, at in members.items():
        if group not in as_variable:
            flag = np.zeros(len(docs), dtype=bool)
            flag[at] = True
            docs[f"{SET_COLUMN}{group}"] = flag


_VARIABLE_SET = re.compile(r"\s*([^:]*[^:\s])\s*:\s+(\S.*?)\s*")


def _variable_sets(groups: pd.DataFrame) -> dict:
    """{variable: [(group, value text), ...]} of the document sets named ``variable: value``."""
    out: dict = {}
    names = column(groups, "name")
    for group, set_name, name in zip(groups["group"], groups["set"], names.where(names.notna(), groups["group"])):
        match = _VARIABLE_SET.fullmatch(str(name)) if set_name == DOCUMENT_SETS else None
        if match:
            out.setdefault(match.group(1), []).append((group, match.group(2)))
    return out


def set_variables(groups: pd.DataFrame) -> frozenset:
    """The documents columns that hold the values of ``variable: value`` document sets."""
    return frozenset(_variable_sets(groups))


def _typed(values: pd.Series) -> pd.Series:
    """Whole numbers as Int64 (``age: 25``), other values as given."""
    number = pd.to_numeric(values, errors="coerce")
    given = values.notna()
    if given.any() and number[given].notna().all() and (number[given] % 1 == 0).all() \
            and (number[given].astype("int64").astype(str) == values[given]).all():
        return number.astype("Int64")
    return values


def read_qdc(path: Union[str, Path], *, hierarchy: Optional[str] = None,
             max_member_bytes: int = MAX_MEMBER_BYTES) -> Codebook:
    """Read a REFI-QDA codebook (``.qdc``) as a :class:`~qdacore.Codebook`.

    Codes and sets map as in :func:`read_qdpx` (``hierarchy`` too). Raises
    ``ValueError`` for hostile or malformed XML (codes nested more than
    10,000 deep among it) and for other schema versions.

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
    path = existing_file(path)
    root = parse_xml(read_capped(path, member_limit(max_member_bytes)), path.name)
    check_root(root, CODEBOOK_NS, "CodeBook", path.name)
    report = Report()
    codes, code_of = parse_codes(root.find(qname("Codes", CODEBOOK_NS)), CODEBOOK_NS, check_hierarchy(hierarchy),
                                 report, f"{path.name}: Codes")
    groups, members, _ = parse_sets(root.findall(f"{qname('Sets', CODEBOOK_NS)}/{qname('Set', CODEBOOK_NS)}"),
                                    CODEBOOK_NS, code_of, report, "guid")
    repair_references([(groups, "guid")], "set", path.name, report)
    report.emit()
    return make_codebook(codes, groups, members)


# -- writing --------------------------------------------------------------------------
def write_codes(parent: ET.Element, codes: pd.DataFrame, parent_pos: np.ndarray, code_guids: np.ndarray,
                ns: str) -> None:
    """Nested ``Code`` elements under ``parent``, in codebook order."""
    given = column(codes, "name")
    names = given.where(given.notna(), codes["code"]).to_numpy(dtype=object)
    colors = column(codes, "color").to_numpy(dtype=object)
    codable = column(codes, "is_codable").to_numpy(dtype=object)
    desc = column(codes, "description").to_numpy(dtype=object)
    notes = column(codes, "note_refs").to_numpy(dtype=object) if ns == NS else np.full(len(codes), None)
    bad = [c for c in colors if nonnull(c) and not _COLOR_RE.fullmatch(str(c))]
    if bad:
        raise ValueError(f"codebook.codes.color holds values that are not #RRGGBB colours: {shown(bad)}")
    children: list = [[] for _ in range(len(codes) + 1)]
    for i, p in enumerate(parent_pos):  # codebook order, under each parent
        children[p if p >= 0 else len(codes)].append(i)
    stack = [(parent, i) for i in reversed(children[len(codes)])]
    while stack:
        container, i = stack.pop()
        attrs = {"guid": code_guids[i], "name": xml_text(names[i], "codebook.codes.name"),
                 "isCodable": "false" if nonnull(codable[i]) and not bool(codable[i]) else "true"}
        if nonnull(colors[i]):
            attrs["color"] = str(colors[i])
        el = ET.SubElement(container, plain_tag("Code", ns), attrs)
        description(el, desc[i], "codebook.codes.description", ns)
        note_ref_elements(el, notes[i])
        stack.extend((el, j) for j in reversed(children[i]))


def _set_names(groups: pd.DataFrame) -> np.ndarray:
    composed = np.where(groups["set"].isin([SETS, DOCUMENT_SETS]).to_numpy(), groups["group"].astype(str),
                        groups["set"].astype(str) + "::" + groups["group"].astype(str))
    names = column(groups, "name")
    return np.where(names.notna().to_numpy(), names.to_numpy(dtype=object), composed)


def document_set_members(docs: pd.DataFrame, groups: pd.DataFrame, doc_guids: np.ndarray,
                         kind: np.ndarray) -> dict:
    """{group: [(MemberSource or MemberNote, GUID), ...]} from the ``set:<group>``
    documents columns and the ``variable`` columns of ``variable: value`` sets."""
    def listed(flags: np.ndarray) -> list:
        return [("MemberNote" if kind[d] == "note" else "MemberSource", doc_guids[d])
                for d in np.flatnonzero(flags)]

    doc_members: dict = {}
    for c in docs.columns:
        if str(c).startswith(SET_COLUMN):
            doc_members[c[len(SET_COLUMN):]] = listed(docs[c].fillna(False).astype(bool).to_numpy())
    for variable, sets in _variable_sets(groups).items():
        if variable in docs.columns:
            text = docs[variable].astype(object).map(lambda v: None if not nonnull(v) else str(v))
            for group, value in sets:
                if group not in doc_members:
                    doc_members[group] = listed((text == value).to_numpy(dtype=bool))
            # values the project gained since it was read become sets of their own
            known = {value for _, value in sets}
            for value in pd.unique(text.dropna()):
                if value not in known:
                    doc_members.setdefault(f"{variable}: {value}", listed((text == value).to_numpy(dtype=bool)))
    return doc_members


def write_sets(parent: ET.Element, codebook: Codebook, code_guids: np.ndarray, ns: str,
               doc_members: Optional[dict] = None) -> None:
    """A ``Sets`` element under ``parent``: the codebook's groups with their
    codes, and the sets of documents in ``doc_members`` (see :func:`document_set_members`)."""
    groups = codebook.groups
    extra = [] if doc_members is None else [g for g in doc_members if g not in set(groups["group"])]
    if not len(groups) and not extra:
        return
    sets = ET.SubElement(parent, plain_tag("Sets", ns))
    set_guids = guids(column(groups, "guid"), "group", groups["group"], "codebook.groups.guid")
    names = _set_names(groups)
    desc = column(groups, "description").to_numpy(dtype=object)
    code_pos = codebook.code_index.get_indexer(pd.Index(codebook.members["code"]))
    member_group = pd.Index(groups["group"]).get_indexer(codebook.members["group"])
    order = np.argsort(member_group, kind="stable")
    bounds = np.searchsorted(member_group[order], np.arange(len(groups) + 1))
    attr = "targetGUID" if ns == NS else "guid"
    for g in range(len(groups)):
        group = groups["group"].iat[g]
        name = names[g]
        if groups["set"].iat[g] == DOCUMENT_SETS and not (doc_members or {}).get(group) \
                and bounds[g] == bounds[g + 1]:  # no members to tell what it is: say it
            name = f"{DOCUMENT_SETS}::{name}"
        el = ET.SubElement(sets, plain_tag("Set", ns), guid=set_guids[g],
                           name=xml_text(name, "codebook.groups.name"))
        description(el, desc[g], "codebook.groups.description", ns)
        for c in code_pos[order[bounds[g]:bounds[g + 1]]]:
            ET.SubElement(el, plain_tag("MemberCode", ns), {attr: code_guids[c]})
        for tag, target in (doc_members or {}).get(group, ()):
            ET.SubElement(el, plain_tag(tag), targetGUID=target)
    for group in extra:
        el = ET.SubElement(sets, plain_tag("Set"), guid=stable_guid("group", group),
                           name=xml_text(group, "documents"))
        for tag, target in doc_members[group]:  # type: ignore[index]
            ET.SubElement(el, plain_tag(tag), targetGUID=target)


def write_qdc(codebook: Union[Codebook, Project], path: Union[str, Path], *,
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
    if isinstance(codebook, CodedProject):
        codebook = codebook.codebook
    if not isinstance(codebook, Codebook):
        raise TypeError(f"codebook must be a qdacore.Codebook or Project, got {type(codebook).__name__}")
    if not len(codebook.codes):
        raise ValueError("codebook has no codes; a REFI-QDA codebook needs at least one")
    root = ET.Element("CodeBook", {"xmlns": CODEBOOK_NS,
                                   "origin": xml_text(origin or f"qdacore {__version__}", "origin")})
    code_guids = guids(column(codebook.codes, "guid"), "code", codebook.codes["code"], "codebook.codes.guid")
    write_codes(ET.SubElement(root, plain_tag("Codes", CODEBOOK_NS)), codebook.codes, codebook.parent_positions,
                code_guids, CODEBOOK_NS)
    write_sets(root, codebook, code_guids, CODEBOOK_NS)
    path = Path(path)
    path.write_bytes(to_bytes(root))
    return path
