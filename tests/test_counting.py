"""Project.frequencies and code_document_table against independent pandas
computations (tests/reference.py) on seeded random projects, and on the
study's figures."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import qdacore as qc

import reference

BYS = [None, "doc", "region", "coder", "part", ["region", "coder"], ["doc", "part"]]


def dimensions(tables):
    return [None, *pd.unique(tables["codes"]["level"]), *pd.unique(tables["groups"]["set"])]


def oracle(tables, level, by, unit):
    return reference.frequencies(tables["codes"], tables["groups"], tables["members"],
                                 tables["documents"], tables["items"], tables["codings"],
                                 level, by, unit)


@pytest.mark.parametrize("unit", ["coding", "item"])
def test_frequencies_equal_pandas_groupby(random_project, unit):
    tables, project = random_project
    for level in dimensions(tables):
        for by in BYS:
            ours = project.frequencies(level, by=by, unit=unit)
            expected = oracle(tables, level, by, unit)
            if by is None:
                np.testing.assert_array_equal(ours.to_numpy(), expected.to_numpy(),
                                              err_msg=f"level={level} unit={unit}")
                assert list(ours.index) == list(expected.index)
                continue
            # every group that pandas sees is among ours; ours adds unused values as zeros
            assert set(expected.columns) <= set(ours.columns), (level, by)
            aligned = expected.reindex(columns=ours.columns, fill_value=0)
            np.testing.assert_array_equal(ours.to_numpy(), aligned.to_numpy(),
                                          err_msg=f"level={level} by={by} unit={unit}")


def test_dropna_false_keeps_missing_values_as_a_group(random_project):
    tables, project = random_project
    level = tables["codes"]["level"].iloc[0]
    for by in ["coder", "region"]:
        ours = project.frequencies(level, by=by, dropna=False)
        wide = tables["codings"].merge(tables["items"], on="item").merge(tables["documents"], on="doc")
        pairs, targets = reference.rollup(tables["codes"], tables["groups"], tables["members"], level)
        hits = wide.merge(pairs, on="code")
        expected = (hits.groupby(["target", by], dropna=False).size()
                    .unstack(by, fill_value=0).reindex(targets, fill_value=0))
        expected = expected.reindex(columns=ours.columns, fill_value=0)
        np.testing.assert_array_equal(ours.to_numpy(), expected.to_numpy())
        # nothing is lost: the total equals all codings that reach a target
        assert ours.to_numpy().sum() == len(hits)


@pytest.mark.parametrize("normalize", [None, "row", "column", "total"])
@pytest.mark.parametrize("margins", [False, True])
def test_code_document_table_equals_pandas_crosstab(random_project, normalize, margins):
    tables, project = random_project
    level = tables["codes"]["level"].iloc[0]
    pairs, targets = reference.rollup(tables["codes"], tables["groups"], tables["members"], level)
    hits = tables["codings"].merge(tables["items"], on="item").merge(pairs, on="code")
    ours = project.code_document_table(level, by="doc", normalize=normalize, margins=margins)
    if hits.empty:
        assert ours.to_numpy(dtype=float).sum() == 0 or np.isnan(ours.to_numpy(dtype=float)).all()
        return
    pandas_name = {None: False, "row": "index", "column": "columns", "total": "all"}[normalize]
    expected = pd.crosstab(hits["target"], hits["doc"], normalize=pandas_name,
                           margins=margins, margins_name="Total")
    # pandas shows only rows and columns with codings: compare on those
    common = ours.loc[expected.index, expected.columns]
    np.testing.assert_allclose(common.to_numpy(dtype=float), expected.to_numpy(dtype=float),
                               rtol=1e-12, atol=0)
    unused_rows = ours.index.difference(expected.index)
    if normalize in (None, "column", "total"):
        assert (ours.loc[unused_rows].fillna(0).to_numpy() == 0).all()


def test_percent_scales_shares(megaregions):
    shares = megaregions.code_document_table("theme", normalize="total")
    percent = megaregions.code_document_table("theme", normalize="total", percent=True)
    np.testing.assert_allclose(percent.to_numpy(), 100 * shares.to_numpy())
    assert percent.to_numpy().sum() == pytest.approx(100.0)


def test_zero_total_rows_are_nan_not_zero():
    codebook = pd.DataFrame({"code": ["used", "unused"]})
    project = qc.Project(codebook, pd.DataFrame({"doc": ["d"]}),
                         pd.DataFrame({"item": ["d:1"], "doc": ["d"]}),
                         pd.DataFrame({"item": ["d:1"], "code": ["used"]}))
    table = project.code_document_table(None, normalize="row")
    assert table.loc["used", "d"] == 1.0
    assert np.isnan(table.loc["unused", "d"])


def test_items_unit_is_groundedness_on_a_hand_example():
    """An item coded twice with one code counts twice as codings, once as items;
    a group reached through two member codes counts once per coding."""
    codes = pd.DataFrame({"code": ["T", "a", "b"], "parent": [None, "T", "T"],
                          "level": ["theme", "code", "code"]})
    groups = pd.DataFrame({"group": ["G", "H"], "set": ["s", "s"]})
    members = pd.DataFrame({"group": ["G", "G"], "code": ["a", "T"]})
    project = qc.Project(qc.Codebook(codes, groups, members), pd.DataFrame({"doc": ["d"]}),
                         pd.DataFrame({"item": ["i1", "i2"], "doc": ["d", "d"]}),
                         pd.DataFrame({"item": ["i1", "i1", "i2"], "code": ["a", "a", "b"]}))
    assert project.frequencies(None).tolist() == [0, 2, 1]
    assert project.frequencies(None, unit="item").tolist() == [0, 1, 1]
    assert project.frequencies("theme").tolist() == [3]
    assert project.frequencies("theme", unit="item").tolist() == [2]
    assert project.frequencies("s").tolist() == [3, 0]  # a via itself and T: once
    assert project.frequencies("s", unit="item").tolist() == [2, 0]


def test_labels_replace_ids(megaregions):
    english = megaregions.frequencies("vision", labels=True)
    chinese = megaregions.frequencies("vision", labels="label_zh")
    assert english.index.tolist() == ["Morphological polycentricity", "Flow multi-directionality",
                                      "Functional complementarity"]
    assert chinese.to_numpy().tolist() == english.to_numpy().tolist()
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in label) for label in chinese.index)


# -- documents as units, and rates per characters (issue 21) --------------------------------
def test_document_unit_counts_distinct_documents_as_pandas(megaregions):
    """unit='document' against pandas: distinct documents per code, per region."""
    p = megaregions
    rows = p.codings.merge(p.items[["item", "doc"]], on="item").merge(p.documents[["doc", "region"]], on="doc")
    expected = rows.groupby("code")["doc"].nunique().reindex(p.codebook.codes["code"], fill_value=0)
    assert p.frequencies(unit="document").tolist() == expected.tolist()
    by_region = rows.groupby(["code", "region"])["doc"].nunique().unstack(fill_value=0)
    ours = p.frequencies(unit="document", by="region")
    assert (ours.loc[by_region.index, by_region.columns].to_numpy() == by_region.to_numpy()).all()
    assert ours.drop(index=by_region.index).to_numpy().sum() == 0


def test_per_characters_against_pandas():
    """Rates per 10,000 characters on a small synthetic project, by hand in pandas."""
    codes = pd.DataFrame({"code": ["a", "b"]})
    docs = pd.DataFrame({"doc": ["d1", "d2", "d3"], "text": ["x" * 2_000, "y" * 3_000, "z" * 5_000],
                         "kind": ["plan", "plan", "memo"]})
    items = pd.DataFrame({"item": ["i1", "i2", "i3"], "doc": ["d1", "d2", "d3"]})
    codings = pd.DataFrame({"item": ["i1", "i1", "i2", "i3"], "code": ["a", "b", "a", "a"]})
    p = qc.Project(codes, docs, items, codings)
    assert p.frequencies(per_characters=10_000).tolist() == [3.0, 1.0]  # 3 and 1 codings in 10,000 characters
    by_kind = p.frequencies(by="kind", per_characters=10_000)
    lengths = docs.assign(n=docs["text"].str.len()).groupby("kind")["n"].sum()
    counts = codings.merge(items, on="item").merge(docs, on="doc").groupby(["code", "kind"]).size().unstack(fill_value=0)
    assert np.allclose(by_kind[counts.columns].to_numpy(), (counts / lengths * 10_000).to_numpy())
    with pytest.raises(ValueError, match="needs documents columns"):
        p.frequencies(by="code", per_characters=10_000)
    with pytest.raises(ValueError, match="must be >= 1"):
        p.frequencies(per_characters=0)


def test_per_characters_refuses_groups_without_text():
    codes = pd.DataFrame({"code": ["a"]})
    docs = pd.DataFrame({"doc": ["d1", "d2"], "text": ["x" * 100, ""], "kind": ["plan", "memo"]})
    items = pd.DataFrame({"item": ["i1", "i2"], "doc": ["d1", "d2"]})
    p = qc.Project(codes, docs, items, pd.DataFrame({"item": ["i1", "i2"], "code": ["a", "a"]}))
    assert p.frequencies(per_characters=100).tolist() == [2.0]
    with pytest.raises(ValueError, match="the documents of 'memo' have none"):
        p.frequencies(by="kind", per_characters=100)
    with pytest.raises(ValueError, match="at most 10"):
        p.frequencies(per_characters=10**400)


def test_crosstab_of_documents_against_pandas(megaregions):
    """crosstab(unit='document'): documents carrying a theme and a sub-theme
    (through any of their codings, as unit='item' counts items), by brute force
    in pandas: each document once per pair of targets it carries."""
    p = megaregions
    codes = p.codebook.codes.set_index("code")
    parent = codes["parent"]
    level = codes["level"]

    def up(code, to):
        while level[code] != to:
            code = parent[code]
        return code

    rows = p.codings.merge(p.items[["item", "doc"]], on="item")
    deep = rows[rows["code"].map(level).isin(["subtheme", "code"])]
    themes = pd.DataFrame({"doc": deep["doc"], "theme": deep["code"].map(lambda c: up(c, "theme"))})
    subthemes = pd.DataFrame({"doc": deep["doc"], "subtheme": deep["code"].map(lambda c: up(c, "subtheme"))})
    pairs = themes.drop_duplicates().merge(subthemes.drop_duplicates(), on="doc")
    expected = pairs.groupby(["theme", "subtheme"]).size().unstack(fill_value=0)
    table = p.crosstab("theme", "subtheme", unit="document")
    got = table.loc[expected.index, expected.columns].to_numpy()
    assert (got == expected.to_numpy()).all()
    assert table.to_numpy().sum() == expected.to_numpy().sum()
