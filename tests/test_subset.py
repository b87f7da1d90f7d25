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
    with pytest.raises(ValueError, match="not a query pandas can evaluate.*columns are"):
        two.subset(where="no_such_column > 1")
    with pytest.raises(ValueError, match="does not give True or False per coding"):
        two.subset(where="coder")
    with pytest.raises(ValueError, match="boolean Series whose index lacks rows"):
        two.subset(where=pd.Series([True], index=[10**9]))
    with pytest.raises(ValueError, match=r"True/False per coding \(3149 values\)"):
        two.subset(where=[True, False])


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
