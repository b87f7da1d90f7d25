"""Project.agreement, agreement_report and coding_comparison against the
krippendorff package, scikit-learn and NVivo's documented example, on presence
matrices built independently here with pandas."""
from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import qdacore as qc

import reference
from conftest import project_from


def presence_matrix(tables, level, target, coders):
    """Units x coders presence (1/0) of a target, NaN outside a coder's documents."""
    pairs, _ = reference.rollup(tables["codes"], tables["groups"], tables["members"], level)
    codings = tables["codings"].merge(tables["items"][["item", "doc"]], on="item")
    codings = codings[codings["coder"].isin(coders)]
    scope = {c: set(codings.loc[codings["coder"] == c, "doc"]) for c in coders}
    items = tables["items"][tables["items"]["doc"].isin(set().union(*scope.values()))]
    hits = codings.merge(pairs[pairs["target"] == target], on="code")
    marked = set(zip(hits["item"], hits["coder"]))
    return np.array([[(1.0 if (i, c) in marked else 0.0) if d in scope[c] else np.nan
                      for c in coders] for i, d in zip(items["item"], items["doc"])])


@pytest.mark.parametrize("seed", range(12))
def test_alpha_per_code_equals_krippendorff_package(seed):
    krippendorff = pytest.importorskip("krippendorff")
    tables = reference.random_tables(seed)
    tables["codings"] = tables["codings"].dropna(subset=["coder"])
    project = project_from(tables)
    coders = list(pd.unique(tables["codings"]["coder"]))
    if len(coders) < 2:
        pytest.skip("this seed draws a single coder")
    level = tables["codes"]["level"].iloc[0]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        table = project.agreement(level, ci=None)
    stacked = []
    for target in table.index[:-1]:
        matrix = presence_matrix(tables, level, target, coders)
        stacked.append(matrix)
        defined = np.unique(matrix[~np.isnan(matrix)]).size > 1
        if defined and (np.sum(~np.isnan(matrix), axis=1) >= 2).any():
            expected = krippendorff.alpha(reliability_data=matrix.T, level_of_measurement="nominal")
            assert table.loc[target, "krippendorff"] == pytest.approx(expected, abs=1e-9), target
        else:
            assert np.isnan(table.loc[target, "krippendorff"])
    pooled = np.vstack(stacked)
    if np.unique(pooled[~np.isnan(pooled)]).size > 1:
        expected = krippendorff.alpha(reliability_data=pooled.T, level_of_measurement="nominal")
        assert table.loc["(all)", "krippendorff"] == pytest.approx(expected, abs=1e-9)


def test_cohen_per_code_equals_sklearn():
    from sklearn.metrics import cohen_kappa_score

    project = qc.datasets.megaregions(n_coders=2)
    table = project.agreement("subtheme", method="cohen", ci=None)
    codings = project.codings.merge(project.codebook.membership("subtheme"), on="code")
    for target in ["CON-1", "COO-3", "COE-4"]:
        marked = codings[codings["subtheme"] == target]
        a = project.items["item"].isin(marked.loc[marked["coder"] == "coder1", "item"])
        b = project.items["item"].isin(marked.loc[marked["coder"] == "coder2", "item"])
        assert table.loc[target, "cohen"] == pytest.approx(cohen_kappa_score(a, b), abs=1e-12)


def test_second_coder_leaves_the_calibrated_coder_alone():
    one, two = qc.datasets.megaregions(), qc.datasets.megaregions(n_coders=2)
    first = two.codings[two.codings["coder"] == "coder1"].reset_index(drop=True)
    pd.testing.assert_frame_equal(first, one.codings)
    assert two.codings.loc[two.codings["coder"] == "coder2", "synthetic"].all()
    assert two.frequencies("vision", by="coder")["coder1"].tolist() == [496, 484, 598]


def test_report_has_table_and_figure():
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    report = qc.datasets.megaregions(n_coders=2).agreement_report("theme", n_boot=100)
    assert list(report.table.index) == ["COE", "CON", "COO", "(all)"]
    html = report._repr_html_()
    assert "<table" in html and "data:image/png;base64," in html
    assert len(report.figure.axes[0].lines) >= 3  # estimates, overall, guidelines


def text_project(texts, spans):
    """Documents with text, one item per document spanning it, codings by span."""
    docs = pd.DataFrame({"doc": list(texts), "text": list(texts.values())})
    items = pd.DataFrame({"item": [f"{d}:1" for d in texts], "doc": list(texts),
                          "start": 0, "end": [len(t) for t in texts.values()]})
    codings = pd.DataFrame(spans, columns=["doc", "code", "coder", "start", "end"])
    codings["item"] = codings["doc"] + ":1"
    codes = pd.DataFrame({"code": sorted(set(codings["code"]))})
    return qc.Project(codes, docs, items, codings.drop(columns="doc"))


def test_nvivo_documented_percentage_example():
    """NVivo help, "How is the percentage agreement calculated?": 1000 characters,
    50 coded by both users, 150 by one only, 800 by neither: 85 %."""
    project = text_project({"src": "x" * 1000},
                           [("src", "node", "A", 0, 150), ("src", "node", "B", 100, 200)])
    row = project.coding_comparison().iloc[0]
    assert row["agreement"] == pytest.approx(85.0)
    assert (row["a_and_b"], row["not_a_and_not_b"], row["disagreement"]) == (5.0, 80.0, 15.0)


@pytest.mark.parametrize("seed", range(10))
def test_character_kappa_equals_sklearn(seed):
    from sklearn.metrics import cohen_kappa_score

    rng = np.random.default_rng(seed)
    texts = {f"d{i}": "字" * int(rng.integers(20, 120)) for i in range(3)}
    spans = []
    for doc, text in texts.items():
        for _ in range(int(rng.integers(1, 8))):
            start = int(rng.integers(0, len(text)))
            spans.append((doc, rng.choice(["p", "q"]), rng.choice(["A", "B"]), start,
                          int(min(len(text), start + rng.integers(0, 30)))))
    project = text_project(texts, spans)
    table = project.coding_comparison(coders=["A", "B"])
    frame = pd.DataFrame(spans, columns=["doc", "code", "coder", "start", "end"])
    for row in table.itertuples():
        n = len(texts[row.doc])
        chars = {c: np.zeros(n, bool) for c in "AB"}
        for s in frame[(frame["doc"] == row.doc) & (frame["code"] == row.code)].itertuples():
            chars[s.coder][s.start:s.end] = True
        a, b = chars["A"], chars["B"]
        assert row.agreement == pytest.approx(100 * (a == b).mean())
        if (a == b).all():
            assert row.kappa == 1.0  # NVivo: complete agreement is 1
        else:
            assert row.kappa == pytest.approx(cohen_kappa_score(a, b), abs=1e-12)


BAD = [
    ("one coder", lambda: qc.datasets.megaregions().agreement("theme"), "at least 2 coders"),
    ("unknown coder", lambda: qc.datasets.megaregions(n_coders=2).agreement("theme", coders=["coder1", "zoe"]), "zoe"),
    ("cohen of three", lambda: qc.datasets.megaregions(n_coders=3).agreement("theme", method="cohen"), "two coders"),
    ("bad method", lambda: qc.datasets.megaregions(n_coders=2).agreement("theme", method="alpha2"), "method"),
    ("bad unit", lambda: qc.datasets.megaregions(n_coders=2).agreement("theme", unit="span"), "unit"),
    ("no text", lambda: qc.datasets.megaregions(n_coders=2).coding_comparison(), "documents.text"),
    ("bad coders count", lambda: qc.datasets.megaregions(n_coders=0), "coders"),
]


@pytest.mark.parametrize("case", BAD, ids=[c[0] for c in BAD])
def test_bad_input(case):
    _, call, words = case
    with pytest.raises(ValueError, match=words):
        call()
