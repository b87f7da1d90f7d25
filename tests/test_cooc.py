"""Co-occurrence, cross-tabulation and code networks against independent
computations: scipy.sparse products of indicator matrices, brute-force pure
Python over spans and windows, scipy.stats and statsmodels for the measures,
pandas for cross-tables, and ATLAS.ti's documented c-coefficient example."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from scipy import stats

import qdacore as qc

import reference
from conftest import project_from

SEEDS = range(25)


def dimensions(tables):
    return [None, *pd.unique(tables["codes"]["level"]), *pd.unique(tables["groups"]["set"])]


def hits_of(tables, level):
    """Codings joined with items, documents and the roll-up (code -> target)."""
    pairs, targets = reference.rollup(tables["codes"], tables["groups"], tables["members"], level)
    items = tables["items"].drop(columns=[c for c in ("start", "end") if c in tables["items"]])
    wide = tables["codings"].drop(columns=[c for c in ("start", "end") if c in tables["codings"]])
    wide = wide.merge(items, on="item").merge(tables["documents"], on="doc")
    return wide.merge(pairs, on="code"), targets


def indicator_products(tables, level, context, by):
    """{group: X.T @ X} with X the binary unit-by-target matrix (scipy.sparse)."""
    hits, targets = hits_of(tables, level)
    column = {"item": "item", "document": "doc"}[context]
    grouped = [(None, hits)] if by is None else list(hits.groupby(by, dropna=True))
    t = pd.Index(targets)
    out = {}
    for key, sub in grouped:
        units = pd.Index(pd.unique(sub[column]))
        x = sp.csr_matrix((np.ones(len(sub)), (units.get_indexer(sub[column]), t.get_indexer(sub["target"]))),
                          shape=(len(units), len(t)))
        x.sum_duplicates()
        x.data[:] = 1
        out[key] = (x.T @ x).toarray()
    return out


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("context", ["item", "document"])
def test_counts_equal_indicator_product(seed, context):
    tables = reference.random_tables(seed)
    project = project_from(tables)
    for level in dimensions(tables):
        ours = project.cooccurrence(level, context=context)
        expected = indicator_products(tables, level, context, None)[None]
        np.testing.assert_array_equal(ours.to_numpy(), expected, err_msg=f"level={level}")
        for by in ["region", "part", "coder"]:
            split = project.cooccurrence(level, context=context, by=by, as_dict=True)
            for key, matrix in indicator_products(tables, level, context, by).items():
                np.testing.assert_array_equal(split[key].to_numpy(), matrix,
                                              err_msg=f"level={level} by={by}={key}")
            # groups without codings are all zeros, in the same code order
            for frame in split.values():
                assert list(frame.index) == list(ours.index)


def span_segments(tables, level):
    """Quotations in pure Python: (space, start, end, group, targets)."""
    pairs, _ = reference.rollup(tables["codes"], tables["groups"], tables["members"], level)
    reach = pairs.groupby("code")["target"].apply(set).to_dict()
    item_start = tables["items"].set_index("item")["start"]
    item_doc = tables["items"].set_index("item")["doc"]
    quotations: dict = {}
    for row in tables["codings"].itertuples(index=False):
        offset = item_start[row.item]
        space = ("doc", item_doc[row.item]) if not pd.isna(offset) else ("item", row.item)
        shift = 0 if pd.isna(offset) else int(offset)
        key = (space, row.start + shift, row.end + shift, 0)
        quotations.setdefault(key, set()).update(reach.get(row.code, set()))
    return [(*key, tset) for key, tset in quotations.items()]


def as_matrix(counts, targets, group=0):
    index = {t: i for i, t in enumerate(targets)}
    m = np.zeros((len(targets), len(targets)), dtype=np.int64)
    for (g, a, b), n in counts.items():
        if g == group:
            m[index[a], index[b]] = m[index[b], index[a]] = n
    return m


@pytest.mark.parametrize("seed", SEEDS)
def test_spans_equal_brute_force(seed):
    tables = reference.random_span_tables(seed)
    project = project_from(tables)
    for level in dimensions(tables):
        _, targets = reference.rollup(tables["codes"], tables["groups"], tables["members"], level)
        segments = span_segments(tables, level)
        expected = reference.brute_force_cooccurrence(
            segments, targets, lambda s, t: reference.span_cooccurs(s[1], s[2], t[1], t[2]))
        ours = project.cooccurrence(level, context="span")
        np.testing.assert_array_equal(ours.to_numpy(), as_matrix(expected, targets),
                                      err_msg=f"level={level}")


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("window", [0, 1, 3])
def test_windows_equal_brute_force(seed, window):
    tables = reference.random_tables(seed)
    project = project_from(tables)
    items = tables["items"]
    rank = items.groupby("doc").cumcount()
    position = dict(zip(items["item"], zip(items["doc"], rank)))
    for level in dimensions(tables):
        pairs, targets = reference.rollup(tables["codes"], tables["groups"], tables["members"], level)
        reach = pairs.groupby("code")["target"].apply(set).to_dict()
        carried: dict = {}
        for row in tables["codings"].itertuples(index=False):
            carried.setdefault(row.item, set()).update(reach.get(row.code, set()))
        segments = [(position[i][0], position[i][1], position[i][1], 0, tset)
                    for i, tset in carried.items()]
        expected = reference.brute_force_cooccurrence(
            segments, targets, lambda s, t: abs(s[1] - t[1]) <= window)
        ours = project.cooccurrence(level, context="window", window=window)
        np.testing.assert_array_equal(ours.to_numpy(), as_matrix(expected, targets),
                                      err_msg=f"level={level} window={window}")
        if window == 0:
            np.testing.assert_array_equal(ours.to_numpy(), project.cooccurrence(level).to_numpy())


def test_span_rule_worked_example():
    """The rule of the user guide: within, encloses, overlaps count; touching does
    not; a zero-length span counts when it lies within or on the edge of another."""
    codes = pd.DataFrame({"code": ["A", "B", "C"]})
    items = pd.DataFrame({"item": ["d:1"], "doc": ["d"]})
    codings = pd.DataFrame({"item": ["d:1"] * 6, "code": ["A", "B", "C", "B", "A", "C"],
                            "start": [0, 2, 10, 10, 20, 30], "end": [10, 5, 12, 10, 25, 30]})
    project = qc.Project(codes, pd.DataFrame({"doc": ["d"]}), items, codings)
    table = project.cooccurrence(context="span")
    assert table.loc["A", "B"] == 2   # [2,5) within [0,10); [10,10) on its edge
    assert table.loc["A", "C"] == 0   # [0,10) touches [10,12); [30,30) is far from [20,25)
    assert table.loc["B", "C"] == 1   # [10,10) and [10,12) share their start
    assert np.diag(table).tolist() == [2, 2, 2]


def test_atlas_ti_c_coefficient_example():
    """ATLAS.ti manual, "Code Co-occurrence Coefficient" (Distortion due to unequal
    frequencies): 100 quotations coded A, 10 coded B, 5 co-occurrences give
    c = 5 / (100 + 10 - 5) = 0.048."""
    items = pd.DataFrame({"item": [f"q{i}" for i in range(105)], "doc": "d"})
    codings = pd.concat([
        pd.DataFrame({"item": items["item"][:100], "code": "A"}),
        pd.DataFrame({"item": items["item"][95:], "code": "B"}),
    ])
    project = qc.Project(pd.DataFrame({"code": ["A", "B"]}), pd.DataFrame({"doc": ["d"]}),
                         items, codings)
    assert project.cooccurrence().loc["A", "B"] == 5
    assert round(project.cooccurrence(measure="c").loc["A", "B"], 3) == 0.048


def indicator(tables, level):
    hits, targets = hits_of(tables, level)
    items = pd.Index(tables["items"]["item"])
    x = np.zeros((len(items), len(targets)), dtype=bool)
    x[items.get_indexer(hits["item"]), pd.Index(targets).get_indexer(hits["target"])] = True
    return x, targets


@pytest.mark.parametrize("seed", range(8))
def test_measures_equal_scipy_and_statsmodels(seed):
    from scipy.spatial.distance import cosine, jaccard
    from statsmodels.stats.multitest import multipletests

    tables = reference.random_tables(seed)
    project = project_from(tables)
    level = tables["codes"]["level"].iloc[0]
    x, targets = indicator(tables, level)
    n = len(x)
    got = {m: project.cooccurrence(level, measure=m).to_numpy()
           for m in ("c", "jaccard", "cosine", "conditional", "lift", "npmi", "expected",
                     "zscore", "pvalue", "qvalue")}
    pvalues, cells = [], []
    for i in range(len(targets)):
        for j in range(len(targets)):
            a, b = x[:, i], x[:, j]
            n_ab, n_a, n_b = int((a & b).sum()), int(a.sum()), int(b.sum())
            if n_a and n_b:
                assert got["c"][i, j] == pytest.approx(1 - jaccard(a, b))
                assert got["cosine"][i, j] == pytest.approx(1 - cosine(a.astype(float), b.astype(float)))
                assert got["conditional"][i, j] == pytest.approx(n_ab / n_a)
                h = stats.hypergeom(n, n_a, n_b)
                assert got["expected"][i, j] == pytest.approx(h.mean())
                assert got["lift"][i, j] == pytest.approx(n_ab / h.mean())
                if h.std() > 0:
                    assert got["zscore"][i, j] == pytest.approx((n_ab - h.mean()) / h.std())
                # one-sided Fisher exact test = hypergeometric upper tail
                table = [[n_ab, n_a - n_ab], [n_b - n_ab, n - n_a - n_b + n_ab]]
                fisher = stats.fisher_exact(table, alternative="greater").pvalue
                assert got["pvalue"][i, j] == pytest.approx(fisher, rel=1e-9, abs=1e-15)
                p_ab = n_ab / n
                expected_npmi = (-1.0 if n_ab == 0 else 1.0 if n_ab == n
                                 else np.log(p_ab / (n_a / n * n_b / n)) / -np.log(p_ab))
                assert got["npmi"][i, j] == pytest.approx(expected_npmi)
                if i < j:
                    pvalues.append(fisher)
                    cells.append((i, j))
            else:
                # a target no item carries: c is 0 beside a used one, 0/0 = NaN otherwise
                assert got["c"][i, j] == 0 if n_a + n_b else np.isnan(got["c"][i, j])
                assert np.isnan(got["cosine"][i, j])
    # BH over every pair of distinct targets; pairs of unused targets have p = 1
    t = len(targets)
    family = t * (t - 1) // 2
    if pvalues:
        padded = np.r_[pvalues, np.ones(family - len(pvalues))]
        q = multipletests(padded, method="fdr_bh")[1][: len(pvalues)]
        for (i, j), expected_q in zip(cells, q):
            assert got["qvalue"][i, j] == pytest.approx(expected_q)


@pytest.mark.parametrize("seed", range(10))
def test_edges_are_the_upper_triangle(seed):
    tables = reference.random_tables(seed)
    project = project_from(tables)
    for level in dimensions(tables):
        matrix = project.cooccurrence(level)
        c = project.cooccurrence(level, measure="c")
        edges = project.cooccurrence_edges(level, measures=["count", "c"])
        iu = np.triu_indices(len(matrix), k=1)
        present = matrix.to_numpy()[iu] > 0
        assert len(edges) == present.sum()
        lookup = edges.set_index(["source", "target"])
        for i, j in zip(iu[0][present], iu[1][present]):
            row = lookup.loc[(matrix.index[i], matrix.columns[j])]
            assert row["count"] == matrix.iat[i, j]
            assert row["c"] == pytest.approx(c.iat[i, j])
        assert (edges["count"] > 0).all()
        by = project.cooccurrence_edges(level, by="coder")
        split = project.cooccurrence(level, by="coder", as_dict=True)
        for coder, frame in split.items():
            sub = by[by["coder"] == coder]
            upper = frame.to_numpy()[iu]
            assert len(sub) == (upper > 0).sum()
            assert sub["count"].sum() == upper.sum()


def test_sparse_counting_equals_dense(monkeypatch, megaregions):
    import qdacore.cooc as cooc

    dense = megaregions.cooccurrence("code", context="window", window=2, by="substitute")
    monkeypatch.setattr(cooc, "_DENSE_CELLS", 0)
    sparse = megaregions.cooccurrence("code", context="window", window=2, by="substitute")
    pd.testing.assert_frame_equal(dense, sparse)


def test_min_count_and_top_k(megaregions):
    edges = megaregions.cooccurrence_edges("code")
    assert megaregions.cooccurrence_edges("code", min_count=3)["count"].min() >= 3
    top = megaregions.cooccurrence_edges("code", top_k=2, measures=["c"])
    for node in pd.unique(top[["source", "target"]].to_numpy().ravel()):
        mine = edges[(edges["source"] == node) | (edges["target"] == node)]
        cut = np.sort(mine.assign(c=mine["count"] / 1.0)["count"].to_numpy())[::-1]
        assert len(cut) >= 1
    # every kept edge is among the two strongest (by c) of one of its ends
    c_edges = megaregions.cooccurrence_edges("code", measures=["c"])
    strongest = {}
    for node in pd.unique(c_edges[["source", "target"]].to_numpy().ravel()):
        mine = c_edges[(c_edges["source"] == node) | (c_edges["target"] == node)]
        strongest[node] = np.sort(mine["c"].to_numpy())[::-1][:2].min()
    for row in top.itertuples():
        assert row.c >= strongest[row.source] or row.c >= strongest[row.target]


def test_networkx_graph_and_files(megaregions, tmp_path):
    nx = pytest.importorskip("networkx")
    from qdacore.cooc import to_networkx, write_graph

    edges = megaregions.cooccurrence_edges("subtheme", measures=["count", "c"])
    graph = to_networkx(edges)
    assert graph.number_of_edges() == len(edges)
    freq = megaregions.frequencies("subtheme", unit="item")
    assert nx.get_node_attributes(graph, "frequency") == freq.to_dict()
    u, v = edges.loc[0, ["source", "target"]]
    assert graph[u][v]["weight"] == edges.loc[0, "count"]
    for fmt, reader in [("graphml", nx.read_graphml), ("gexf", nx.read_gexf)]:
        path = write_graph(edges, tmp_path / f"g.{fmt}", format=fmt)
        back = reader(path)
        assert back.number_of_edges() == len(edges)
    with pytest.raises(ValueError, match="several groups"):
        to_networkx(megaregions.cooccurrence_edges("subtheme", by="substitute"))


@pytest.mark.parametrize("seed", range(15))
@pytest.mark.parametrize("unit", ["coding", "item"])
def test_crosstab_equals_pandas(seed, unit):
    tables = reference.random_tables(seed)
    project = project_from(tables)
    dims = dimensions(tables)
    rollups = {d: reference.rollup(tables["codes"], tables["groups"], tables["members"], d)
               for d in dims}
    codings = tables["codings"].reset_index(drop=True).reset_index(names="_row")
    for level_a in dims:
        for level_b in dims[::-1]:
            ours = project.crosstab(level_a, level_b, unit=unit)
            (pa, ta), (pb, tb) = rollups[level_a], rollups[level_b]
            a = codings.merge(pa.rename(columns={"target": "a"}), on="code")
            b = codings.merge(pb.rename(columns={"target": "b"}), on="code")
            if unit == "coding":
                both = a.merge(b[["_row", "b"]], on="_row")
            else:
                both = a[["item", "a"]].merge(b[["item", "b"]], on="item").drop_duplicates()
            expected = pd.crosstab(both["a"], both["b"]).reindex(index=ta, columns=tb, fill_value=0)
            np.testing.assert_array_equal(ours.to_numpy(), expected.to_numpy(),
                                          err_msg=f"{level_a} x {level_b}")


def test_crosstab_margins_shares_chi2_and_by(megaregions):
    table, test = megaregions.crosstab("subtheme", "mismatch", unit="item", chi2=True)
    observed = table.loc[table.sum(axis=1) > 0, table.sum(axis=0) > 0].to_numpy(dtype=float)
    expected = observed.sum(1, keepdims=True) * observed.sum(0, keepdims=True) / observed.sum()
    assert test.statistic == pytest.approx(((observed - expected) ** 2 / expected).sum())
    assert test.dof == (observed.shape[0] - 1) * (observed.shape[1] - 1)
    rows = megaregions.crosstab("theme", "mismatch", normalize="row", percent=True)
    np.testing.assert_allclose(rows.sum(axis=1), 100.0)
    stacked = megaregions.crosstab("theme", "vision", by="substitute", margins=True)
    assert stacked.index.names == ["substitute", "theme"]
    assert stacked.loc[(True, "Total"), "Total"] + stacked.loc[(False, "Total"), "Total"] == 1578


def test_label_and_dict_outputs(megaregions):
    by_region = megaregions.cooccurrence("theme", by="region", as_dict=True)
    assert len(by_region) == 19
    assert all(list(f.index) == ["COE", "CON", "COO"] for f in by_region.values())
    total = sum(f.to_numpy() for f in by_region.values())
    np.testing.assert_array_equal(total, megaregions.cooccurrence("theme").to_numpy())
    long = megaregions.cooccurrence("theme", by="region", measure="c")
    assert list(long.columns) == ["region", "source", "target", "c"] and len(long) == 19 * 9
    chinese = megaregions.cooccurrence("theme", labels="label_zh")
    assert list(chinese.index) == ["共存", "连通", "合作"]


BAD = [
    ("unknown level", lambda p: p.cooccurrence("nope"), ValueError, "level='nope'"),
    ("unknown context", lambda p: p.cooccurrence("theme", context="sentence"), ValueError, "context"),
    ("negative window", lambda p: p.cooccurrence("theme", context="window", window=-1), ValueError, "window"),
    ("window missing", lambda p: p.cooccurrence("theme", context="window"), ValueError, "window"),
    ("window on items", lambda p: p.cooccurrence("theme", window=2), ValueError, "window=2"),
    ("spans without offsets", lambda p: p.cooccurrence("theme", context="span"), ValueError, "codings.start"),
    ("unknown measure", lambda p: p.cooccurrence("theme", measure="pearson"), ValueError, "measure"),
    ("pvalue of events", lambda p: p.cooccurrence("theme", context="window", window=1, measure="pvalue"), ValueError, "each unit counts once"),
    ("bad top_k", lambda p: p.cooccurrence_edges("theme", top_k=0), ValueError, "top_k"),
    ("bad min_count", lambda p: p.cooccurrence_edges("theme", min_count=-1), ValueError, "min_count"),
    ("crosstab unit", lambda p: p.crosstab("theme", "vision", unit="documents"), ValueError, "unit"),
    ("crosstab level", lambda p: p.crosstab("theme", "visions"), ValueError, "level='visions'"),
    ("crosstab percent", lambda p: p.crosstab("theme", "vision", percent=True), ValueError, "percent"),
]


@pytest.mark.parametrize("case", BAD, ids=[c[0] for c in BAD])
def test_bad_input(case, megaregions):
    _, call, exc, words = case
    with pytest.raises(exc, match=words):
        call(megaregions)


def test_missing_and_backwards_spans():
    codes = pd.DataFrame({"code": ["A"]})
    docs = pd.DataFrame({"doc": ["d"]})
    items = pd.DataFrame({"item": ["d:1"], "doc": ["d"]})
    with pytest.raises(ValueError, match="start > end"):
        qc.Project(codes, docs, items, pd.DataFrame({"item": ["d:1"], "code": ["A"], "start": [5], "end": [2]}))
    project = qc.Project(codes, docs, items, pd.DataFrame(
        {"item": ["d:1", "d:1"], "code": ["A", "A"], "start": [1.0, np.nan], "end": [2.0, np.nan]}))
    with pytest.warns(UserWarning, match=r"1 coding\(s\) have no span .* and take no part"):
        table = project.cooccurrence(context="span")
    assert table.loc["A", "A"] == 1  # the one coding with a span
