"""Project.subset: documents, codes (with their descendants), coders and
codings chosen, checked against pandas filters of the same tables."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import qdacore as qc

import reference
from conftest import project_from


@pytest.fixture(scope="module")
def two():
    return qc.datasets.megaregions(n_coders=2)


def test_nothing_chosen_is_the_project(two):
    assert two.subset().equals(two)


@pytest.mark.parametrize("docs", [["YN", "BJ"], "mask", "series", "BJ"])
def test_documents_take_their_items_and_codings(two, docs):
    chosen = {"BJ"} if docs == "BJ" else {"YN", "BJ"}
    if docs == "mask":
        docs = two.documents["doc"].isin(chosen).to_numpy()
    elif docs == "series":
        docs = two.documents["doc"].isin(chosen)
    part = two.subset(docs=docs)
    assert set(part.documents["doc"]) == chosen
    assert part.documents.equals(two.documents[two.documents["doc"].isin(chosen)].reset_index(drop=True))
    items = two.items[two.items["doc"].isin(chosen)].reset_index(drop=True)
    assert part.items.equals(items)
    assert part.codings.equals(two.codings[two.codings["item"].isin(items["item"])].reset_index(drop=True))
    assert part.codebook == two.codebook


def test_a_code_brings_its_descendants_and_keeps_its_ancestors(two):
    codes = two.codebook.codes
    part = two.subset(codes=["COE-1", "CON"])
    pairs = reference.ancestors(codes)
    below = set(pairs.loc[pairs["ancestor"].isin(["COE-1", "CON"]), "code"])
    assert set(part.codings["code"]) <= below
    assert part.codings.equals(two.codings[two.codings["code"].isin(below)].reset_index(drop=True))
    kept = set(pairs.loc[pairs["code"].isin(below), "ancestor"])
    assert set(part.codebook.codes["code"]) == kept and "COE" in kept and "COO" not in kept
    assert part.codebook.levels == two.codebook.levels
    assert part.frequencies("theme").to_dict() == {
        "COE": int(two.frequencies("subtheme")["COE-1"]), "CON": int(two.frequencies("theme")["CON"])}
    # every group stays; memberships follow the codes kept
    assert part.codebook.groups.equals(two.codebook.groups)
    assert set(part.codebook.members["code"]) <= kept
    assert part.items.equals(two.items)  # items stay with their documents


def test_codes_by_mask_and_unknown_codes(two):
    mask = two.codebook.codes["level"] == "theme"
    assert two.subset(codes=mask).codings.equals(two.codings)
    with pytest.raises(ValueError, match=r"codes= names 'NOPE', not in the codebook's codes"):
        two.subset(codes=["COE", "NOPE"])
    with pytest.raises(ValueError, match="boolean mask of 2 values for 73 rows"):
        two.subset(codes=[True, False])


def test_coders_and_where(two):
    one = two.subset(coders=["coder2"])
    assert one.codings.equals(two.codings[two.codings["coder"] == "coder2"].reset_index(drop=True))
    assert one.subset(coders="coder2").equals(one)
    with pytest.raises(ValueError, match=r"coders= names 'nobody', who made no codings; coders are 'coder1', 'coder2'"):
        two.subset(coders=["nobody"])
    series = two.codings["code"].str.startswith("CON")
    assert two.subset(where=series).codings.equals(two.codings[series].reset_index(drop=True))
    assert two.subset(where=series.to_numpy()).equals(two.subset(where=series))
    # a query sees the columns of the codings, their items and their documents
    query = two.subset(where="coder == 'coder1' and region == 'Central-Yunnan' and number < 20")
    wide = reference.frequencies(two.codebook.codes, two.codebook.groups, two.codebook.members,
                                 two.documents, two.items,
                                 two.codings.merge(two.items[["item", "doc", "number"]], on="item")
                                 .merge(two.documents[["doc", "region"]], on="doc")
                                 .query("coder == 'coder1' and region == 'Central-Yunnan' and number < 20")
                                 [two.codings.columns], "theme")
    assert query.frequencies("theme").equals(wide.rename("codings").astype(np.int64))


def test_bad_where(two):
    with pytest.raises(ValueError, match=r"where='no_such_column > 1': 'no_such_column' is not a column "
                                         r"of the codings, their items or their documents \(columns: 'item'"):
        two.subset(where="no_such_column > 1")
    with pytest.raises(ValueError, match="'coder' is a column of str, not of True/False; compare it"):
        two.subset(where="coder")
    with pytest.raises(ValueError, match="boolean Series whose index lacks rows"):
        two.subset(where=pd.Series([True], index=[10**9]))
    with pytest.raises(ValueError, match=r"True/False per coding \(3149 values\)"):
        two.subset(where=[True, False])
    with pytest.raises(ValueError, match="where='  ' is empty"):
        two.subset(where="  ")
    with pytest.raises(ValueError, match=r"where='coder ==': not a condition Python can read"):
        two.subset(where="coder ==")
    with pytest.raises(ValueError, match=r"'coder < 3' cannot be computed \(TypeError"):
        two.subset(where="coder < 3")
    with pytest.raises(ValueError, match=r"'1 / 0' cannot be computed \(ZeroDivisionError"):
        two.subset(where="1 / 0 == 1")
    with pytest.raises(ValueError, match="'coder' is not a number"):
        two.subset(where="coder + 1 > 2")
    with pytest.raises(ValueError, match="back quote at character 0 is not closed"):
        two.subset(where="`coder == 'A'")
    with pytest.raises(ValueError, match="too long or too deeply nested"):
        two.subset(where="+".join(["number"] * 5000) + " > 1")


# Conditions that pandas' eval ran as code (issue: hostile-input review); each is
# refused before anything is evaluated, so the marker file is never written.
ATTACKS = [
    ("@check.os.system('touch {marker}') == 0", r"@ \(a Python variable\) is not allowed"),
    ("@pd.read_csv('{marker}') == 0", r"@ \(a Python variable\) is not allowed"),
    ("coder.__class__.__init__.__globals__['os'].system('touch {marker}') == 0", r"\(a call\) is not allowed"),
    ("coder.__class__.__init__.__globals__ == 0", r"\(an attribute\) is not allowed"),
    ("coder.to_csv('{marker}') == 0", r"coder.to_csv\('.*\(a call\) is not allowed"),
    ("__import__('os').system('touch {marker}') == 0", r"\(a call\) is not allowed"),
    ("(lambda: open('{marker}', 'w'))() == 0", r"\(a call\) is not allowed"),
    ("[open('{marker}', 'w') for x in [1]] == 0", r"\(a comprehension\) is not allowed"),
    ("f'{{open(\"{marker}\", \"w\")}}' == 'x'", r"\(an f-string\) is not allowed"),
    ("coder[0] == 'c'", r"'coder\[0\]' \(indexing\) is not allowed"),
    ("_private == 1", "names starting with _ are not allowed"),
    ("(x := 1) == 1", r"\(an assignment\) is not allowed"),
    ("coder ** 2 > 1", r"the operator is not allowed \(only \+ - \* / on numbers\)"),
    ("coder in coder", "in / not in need a list of constants"),
    ("coder in ['a', coder]", "only strings, numbers, True, False and None are constants"),
    ("b'x' == coder", "only strings, numbers, True, False and None are constants"),
    ("coder if substitute else code", r"\(an if-expression\) is not allowed"),
]


@pytest.mark.parametrize("attack, message", ATTACKS)
def test_where_refuses_code_and_runs_nothing(two, tmp_path, attack, message):
    marker = tmp_path / "PWNED"
    where = attack.format(marker=marker)
    with pytest.raises(ValueError, match=r"^where=.*" + message + ".*; a condition may hold column names.*"
                                         r"nothing else \(no @variables, attributes, calls, indexing\)$"):
        two.subset(where=where)
    assert not marker.exists()


@pytest.fixture(scope="module")
def wide(two):
    """The codings with the columns of their items and documents, for pandas' query."""
    return (two.codings.reset_index()
            .merge(two.items.drop(columns=["text"], errors="ignore"), on="item", suffixes=("", "_item"))
            .merge(two.documents.drop(columns=["text"], errors="ignore"), on="doc", suffixes=("", "_doc"))
            .set_index("index").sort_index())


@pytest.mark.parametrize("condition", [
    "coder == 'coder1' and region == 'Central-Yunnan' and number < 20",
    "coder == 'coder1' & number < 20",                     # & binds as `and`, as in pandas
    "~(coder == 'coder1') | (number >= 5)",
    "coder in ['coder2'] or not substitute",
    "coder not in ('coder2',) and 10 < number <= 30",
    "number - 1 > 3 and -number < -3",
    "number * 2 / 4 >= 5",
    "substitute",
    "`coder` == 'coder2'",
    "  (coder == 'coder2')\n  and number != 7  ",
])
def test_where_conditions_as_pandas_query(two, wide, condition):
    """The language's answers are those of pandas' query on the same columns
    (the reference; the conditions here are ours)."""
    expected = wide.query(condition.replace("\n", " "), engine="python").index
    got = two.subset(where=condition)
    assert got.codings.equals(two.codings.loc[expected].reset_index(drop=True))


def test_where_missing_values():
    codes = pd.DataFrame({"code": ["A", "B"]})
    documents = pd.DataFrame({"doc": ["d1", "d2", "d3"], "region": ["x", None, "y"],
                              "size": pd.array([1, None, 3], dtype="Int64"),
                              "flag": pd.array([True, None, False], dtype="boolean")})
    items = pd.DataFrame({"item": ["i1", "i2", "i3"], "doc": ["d1", "d2", "d3"]})
    codings = pd.DataFrame({"item": ["i1", "i2", "i3"], "code": ["A", "B", "A"], "coder": "c"})
    project = qc.Project(codes, documents, items, codings)

    def kept(where):
        return project.subset(where=where).codings["item"].tolist()

    assert kept("region == None") == ["i2"]
    assert kept("region != None") == ["i1", "i3"]
    assert kept("size > 0") == ["i1", "i3"]         # a comparison with a missing value is false
    assert kept("not size > 0") == ["i2"]
    assert kept("flag") == ["i1"]
    assert kept("size in [1, 3]") == ["i1", "i3"]
    assert kept("True") == ["i1", "i2", "i3"]


def test_bad_selections_name_the_argument(two):
    n = len(two.documents)
    with pytest.raises(ValueError, match=r"docs= is a boolean Series with missing values \(at 20\); fill them"):
        two.subset(docs=pd.Series([True] * (n - 1) + [None], dtype="boolean"))
    with pytest.raises(ValueError, match="where= is a boolean Series with missing values"):
        two.subset(where=pd.Series([True] * (len(two.codings) - 1) + [None], dtype="boolean"))
    with pytest.raises(ValueError, match="docs= is a boolean Series whose index repeats 0; build it"):
        two.subset(docs=pd.Series([True] * n, index=[0] * n))
    with pytest.raises(ValueError, match="where= is a boolean Series whose index repeats"):
        two.subset(where=pd.Series(True, index=[0] * len(two.codings)))
    with pytest.raises(TypeError, match=r"docs= is bytes; give ids as str"):
        two.subset(docs=b"YN")
    with pytest.raises(TypeError, match="codes= is bytes"):
        two.subset(codes=b"COE")
    with pytest.raises(TypeError, match="docs= is a DataFrame; give one of its columns"):
        two.subset(docs=two.documents)
    with pytest.raises(TypeError, match="docs= is a dict"):
        two.subset(docs={"YN": True})
    with pytest.raises(TypeError, match="coders= is int; give a coder's name or a list of names"):
        two.subset(coders=5)
    with pytest.raises(TypeError, match="coders= holds list values; give coders' names"):
        two.subset(coders=[["coder1"]])
    with pytest.raises(TypeError, match="coders= is bytes"):
        two.subset(coders=b"coder1")
    assert two.subset(coders={"coder1"}).equals(two.subset(coders=["coder1"]))


def test_empty_results_are_projects(two):
    none = two.subset(docs=[])
    assert none.sizes[["documents", "items", "codings"]].tolist() == [0, 0, 0]
    assert none.frequencies("theme").tolist() == [0, 0, 0]
    uncoded = two.subset(where=two.codings["coder"] == "nobody")
    assert uncoded.sizes[["documents", "items", "codings"]].tolist() == [21, 1199, 0]
    assert two.subset(codes=[]).codebook.codes.empty


@pytest.mark.parametrize("seed", range(6))
def test_random_projects_against_pandas(seed):
    tables = reference.random_tables(seed)
    project = project_from(tables)
    rng = np.random.default_rng(seed)
    docs = rng.random(len(tables["documents"])) < 0.6
    codes = tables["codes"]["code"].sample(2, random_state=seed).tolist()
    part = project.subset(docs=docs, codes=codes)
    pairs = reference.ancestors(tables["codes"])
    below = set(pairs.loc[pairs["ancestor"].isin(codes), "code"])
    items = tables["items"][tables["items"]["doc"].isin(tables["documents"]["doc"][docs])]
    codings = tables["codings"][tables["codings"]["item"].isin(items["item"]) & tables["codings"]["code"].isin(below)]
    assert part.codings.equals(project_from({**tables, "codings": codings}).codings)
    for level in [None, *part.codebook.levels]:
        expected = reference.frequencies(tables["codes"], tables["groups"], tables["members"],
                                         tables["documents"], items, codings, level)
        got = part.frequencies(level)
        assert got.to_dict() == {k: v for k, v in expected.to_dict().items() if k in set(got.index)}
        if level is None:  # and nothing was counted for a code left out
            assert got.sum() == expected.sum() == len(codings)
