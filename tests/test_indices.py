"""qdacore.indices against published values and peer libraries.

Sources of the values asserted here:

* PySAL ``inequality`` (Rey et al.) on its Mexico example data (per-capita GDP
  of the 32 Mexican states, 1940-2000, shipped with libpysal): the Gini of 1940
  printed in its test suite and the Theil T and TheilD (hanson98 regions)
  decompositions printed in its docstrings; and the library itself, run on the
  same input in the test;
* REAT (Wieland, R package), the values printed in the examples of its manual:
  ``gini`` (Doersam 2004: 0.3, 0.4, 0.5278; German GDP 2015: 0.5009), ``herf``
  (0.34, 0.12), ``theil`` (Stoermann 2009: 0.2326302, Theil L), ``krugman.spec``
  (Farhauer/Kroell 2013: 2), ``locq`` (Farhauer/Kroell 2013: 0.3847623);
* scipy (``stats.entropy``, ``stats.variation``, ``stats.linregress``) and plain
  numpy formulations written out in the test on seeded random inputs (synthetic).
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from qdacore import _core, indices

inequality = pytest.importorskip("inequality", reason="PySAL inequality is a test extra")
libpysal = pytest.importorskip("libpysal", reason="libpysal (Mexico example data) is a test extra")

SEEDS = range(60)
DECADES = [f"pcgdp{d}" for d in range(1940, 2010, 10)]


@pytest.fixture(scope="module")
def mexico():
    try:
        path = libpysal.examples.get_path("mexico.csv")
    except Exception as exc:  # the example would need a download
        pytest.skip(f"libpysal's Mexico example is not available offline: {exc}")
    return pd.read_csv(path)


# -- published values ------------------------------------------------------------
def test_gini_of_mexico_1940_is_pysals(mexico):
    # inequality/tests/test_gini.py: Gini(y[:, 0]).g == 0.35372371173452849
    assert indices.gini(mexico["pcgdp1940"]) == pytest.approx(0.35372371173452849, abs=1e-12)


def test_theil_t_of_mexico_is_pysals(mexico):
    # inequality.theil.Theil docstring: theil_y.T for 1940 .. 2000
    published = [0.20894344, 0.15222451, 0.10472941, 0.10194725, 0.09560113, 0.10511256, 0.10660832]
    ours = [indices.theil(mexico[d]) for d in DECADES]
    np.testing.assert_allclose(ours, published, atol=5e-9)


def test_theil_decomposition_of_mexico_is_pysals(mexico):
    # inequality.theil.TheilD docstring, regimes hanson98
    bg = [0.0345889, 0.02816853, 0.05260921, 0.05931219, 0.03205257, 0.02963731, 0.03635872]
    wg = [0.17435454, 0.12405598, 0.0521202, 0.04263506, 0.06354856, 0.07547525, 0.0702496]
    parts = [indices.theil(mexico[d], by=mexico["hanson98"]) for d in DECADES]
    np.testing.assert_allclose([p.between for p in parts], bg, atol=5e-8)
    np.testing.assert_allclose([p.within for p in parts], wg, atol=5e-8)
    for p in parts:
        assert p.total == pytest.approx(p.between + p.within, rel=1e-12)


def test_mexico_equals_pysal_run_in_the_test(mexico):
    y = mexico[DECADES].to_numpy(dtype=float)
    regimes = mexico["hanson98"].to_numpy()
    theil_d = inequality.theil.TheilD(y, regimes)
    for j, d in enumerate(DECADES):
        assert indices.gini(mexico[d]) == pytest.approx(inequality.gini.Gini(y[:, j]).g, rel=1e-12)
        part = indices.theil(mexico[d], by=regimes)
        assert part.between == pytest.approx(theil_d.bg[j], rel=1e-10)
        assert part.within == pytest.approx(theil_d.wg[j], rel=1e-10)


GDP_DE_2015 = [460.69, 549.19, 124.16, 65.29, 31.59, 109.27, 263.44, 39.87, 258.53,
               645.59, 131.95, 35.03, 112.66, 56.22, 85.61, 56.81]


def test_reat_manual_examples():
    sales = [20, 50, 20, 10]  # REAT gini/herf examples after Doersam (2004)
    assert indices.gini(sales) == pytest.approx(0.3, abs=1e-12)
    assert indices.gini(sales, corrected=True) == pytest.approx(0.4, abs=1e-12)
    assert round(indices.gini([500, 1500, 2500, 4000, 7500, 15000],
                              frequency_weights=[1000, 1200, 1600, 400, 200, 600]), 4) == 0.5278
    assert round(indices.gini(GDP_DE_2015), 4) == 0.5009
    assert indices.hhi(sales) == pytest.approx(0.34, abs=1e-12)
    assert round(indices.hhi(sales, normalized=True), 2) == 0.12
    assert round(indices.theil([10, 10, 10, 20, 50], kind="L"), 7) == 0.2326302
    assert indices.krugman([20, 10, 70, 0, 0], [0, 0, 0, 60, 40]) == pytest.approx(2.0)
    assert round(indices.location_quotient(1714, 79006, 879213, 15593224), 7) == 0.3847623


def test_atkinson_matches_pysal_docstring_and_function():
    incomes = np.array([10, 20, 30, 40, 50])  # inequality.atkinson docstring: 0.06315, 0.13161
    assert round(indices.atkinson(incomes, 0.5), 5) == 0.06315
    assert round(indices.atkinson(incomes, 1), 5) == 0.13161
    rng = np.random.default_rng(3)
    for eps in [0.0, 0.3, 1.0, 1.7, 3.0]:
        x = rng.lognormal(size=50)
        assert indices.atkinson(x, eps) == pytest.approx(inequality.atkinson.atkinson(x, eps), rel=1e-10,
                                                         abs=1e-14)


# -- seeded random inputs (synthetic) against peers and numpy formulas ----------------
def sample(seed, n=None, zeros=False):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(2, 300)) if n is None else n
    x = rng.lognormal(mean=rng.uniform(0, 10), sigma=rng.uniform(0.1, 2.0), size=n)
    if zeros:
        x[rng.random(n) < 0.2] = 0.0
    return rng, x


def gini_by_pairs(x, w=None):
    w = np.ones_like(x) if w is None else w
    mu = (w * x).sum() / w.sum()
    return (w[:, None] * w[None, :] * np.abs(x[:, None] - x[None, :])).sum() / (2 * w.sum() ** 2 * mu)


@pytest.mark.parametrize("seed", SEEDS)
def test_inequality_equals_peers_on_random_input(seed):
    rng, x = sample(seed, zeros=seed % 3 == 0)
    assert indices.gini(x) == pytest.approx(inequality.gini.Gini(x).g, rel=1e-10)
    assert indices.gini(x) == pytest.approx(gini_by_pairs(x), rel=1e-10)
    n = len(x)
    assert indices.gini(x, corrected=True) == pytest.approx(gini_by_pairs(x) * n / (n - 1), rel=1e-10)
    w = rng.integers(0, 5, size=n).astype(float)
    if w.sum() > 0 and (w * x).sum() > 0:
        assert indices.gini(x, frequency_weights=w) == pytest.approx(gini_by_pairs(x, w), rel=1e-10)
        # integer weights are repeated units
        assert indices.gini(x, frequency_weights=w) == pytest.approx(indices.gini(np.repeat(x, w.astype(int))),
                                                           rel=1e-10)
    assert indices.theil(x) == pytest.approx(float(inequality.theil.Theil(x).T), rel=1e-9, abs=1e-15)
    positive = x[x > 0]
    if len(positive) > 1:
        mu = positive.mean()
        assert indices.theil(positive, kind="L") == pytest.approx(np.mean(np.log(mu / positive)), rel=1e-9,
                                                                  abs=1e-15)
    p = x / x.sum()
    assert indices.hhi(x) == pytest.approx((p ** 2).sum(), rel=1e-12)
    assert indices.hhi(x, normalized=True) == pytest.approx(((p ** 2).sum() - 1 / n) / (1 - 1 / n), rel=1e-9,
                                                            abs=1e-15)
    assert indices.equivalent_number(x) == pytest.approx(1 / (p ** 2).sum(), rel=1e-12)
    assert indices.entropy(x) == pytest.approx(stats.entropy(x), rel=1e-12)
    assert indices.entropy(x, normalized=True) == pytest.approx(stats.entropy(x) / np.log(n), rel=1e-12)
    assert indices.cv(x, ddof=0) == pytest.approx(stats.variation(x), rel=1e-10)
    assert indices.cv(x) == pytest.approx(stats.variation(x, ddof=1), rel=1e-10)


@pytest.mark.parametrize("seed", SEEDS)
def test_grouped_calls_equal_pysal_theild_and_separate_calls(seed):
    rng, x = sample(seed)
    k = int(rng.integers(1, 6))
    labels = np.array([f"g{i}" for i in rng.integers(0, k, size=len(x))])
    present = pd.unique(labels)
    d = indices.theil(x, by=labels)
    ref = inequality.theil.TheilD(x, labels)
    assert d.between == pytest.approx(float(ref.bg[0]), rel=1e-9, abs=1e-14)
    assert d.within == pytest.approx(float(ref.wg[0]), rel=1e-9, abs=1e-14)
    assert d.total == pytest.approx(float(ref.T), rel=1e-9)
    assert d.by_group.index.tolist() == list(present)
    for fn in (indices.gini, indices.hhi, indices.cv, indices.entropy,
               lambda v, **kw: indices.atkinson(v, 0.7, **kw), indices.primacy,
               indices.rank_size_slope):
        grouped = fn(x, by=labels)
        assert grouped.index.tolist() == list(present)
        for g in present:
            alone = fn(x[labels == g])
            np.testing.assert_allclose(grouped[g], alone, rtol=1e-12, equal_nan=True)
    for g in present:
        assert d.by_group.loc[g, "theil"] == pytest.approx(indices.theil(x[labels == g]), rel=1e-12, abs=1e-15)


@pytest.mark.parametrize("seed", SEEDS)
def test_polycentricity_equals_scipy_and_numpy(seed):
    rng, x = sample(seed)
    desc = np.sort(x)[::-1]
    for top in (None, 2, 3, 4, 10):
        m = len(x) if top is None else min(top, len(x))
        ranks = np.arange(1, m + 1)
        ref = stats.linregress(np.log(ranks), np.log(desc[:m]))
        assert indices.rank_size_slope(x, top=top) == pytest.approx(ref.slope, rel=1e-9, abs=1e-12)
    assert indices.primacy(x) == pytest.approx(desc[0] / desc[1], rel=1e-12)
    if len(x) >= 4:
        assert indices.primacy(x, k=4) == pytest.approx(desc[0] / desc[1:4].sum(), rel=1e-12)
    else:
        assert np.isnan(indices.primacy(x, k=4))


def numpy_flows(w, core):
    off = w * (1 - np.eye(len(w)))
    total = off.sum()
    out, inn = off.sum(axis=1), off.sum(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = off / out[:, None]
        h = -np.where(p > 0, p * np.log(np.where(p > 0, p, 1)), 0).sum(axis=1)
    sym = np.minimum(off, off.T).sum() / total
    return out, inn, h, sym, off[:, core].sum() / total, off[core].sum() / total, \
        off[np.ix_(~core, ~core)].sum() / total


@pytest.mark.parametrize("seed", SEEDS)
def test_flows_equal_numpy_formulations(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(3, 40))
    w = rng.exponential(size=(n, n)) * (rng.random((n, n)) < 0.7)
    core = rng.random(n) < 0.2
    s = indices.flow_summary(w, core=core)
    out, inn, h, sym, dom, core_out, sec = numpy_flows(w, core)
    np.testing.assert_allclose(s.nodes["outflow"], out, rtol=1e-12)
    np.testing.assert_allclose(s.nodes["inflow"], inn, rtol=1e-12)
    np.testing.assert_allclose(s.nodes["outflow_entropy"], np.where(out > 0, h, np.nan), rtol=1e-10,
                               atol=1e-14)
    np.testing.assert_allclose(s.network[["symmetry", "core_dominance", "core_outflow_share",
                                          "secondary_share"]], [sym, dom, core_out, sec], rtol=1e-12)
    for degree, d in (("in", inn), ("out", out), ("total", inn + out)):
        g = indices.green_polycentricity(w, degree=degree)
        off = w * (1 - np.eye(n))
        density = (off > 0).sum() / (n * (n - 1))
        expected = (1 - d.std() / (d.max() / 2)) * density
        assert g["polycentricity"] == pytest.approx(expected, rel=1e-10)
        assert g["valued_density"] == pytest.approx(off.sum() / (n * (n - 1) * off.max()), rel=1e-12)


@pytest.mark.parametrize("seed", SEEDS)
def test_specialisation_equals_numpy_formulations(seed):
    rng = np.random.default_rng(seed)
    r, c = int(rng.integers(2, 12)), int(rng.integers(2, 15))
    e = rng.integers(0, 100, size=(r, c)).astype(float) + rng.random((r, c))
    lq = (e / e.sum(axis=1, keepdims=True)) / (e.sum(axis=0) / e.sum())
    np.testing.assert_allclose(indices.location_quotient(e), lq, rtol=1e-12)
    shares = e / e.sum(axis=1, keepdims=True)
    rest = e.sum(axis=0) - e
    spec = np.abs(shares - rest / rest.sum(axis=1, keepdims=True)).sum(axis=1)
    np.testing.assert_allclose(indices.krugman(e), spec, rtol=1e-12)
    a, b = e[0], e[1]
    dist = np.abs(a / a.sum() - b / b.sum()).sum()
    assert indices.krugman(a, b) == pytest.approx(dist, rel=1e-12)
    assert indices.hoover(a, b) == pytest.approx(dist / 2, rel=1e-12)
    assert indices.complementarity(a, b) == pytest.approx(100 * (1 - dist / 2), rel=1e-12)
    managers, workers = e[:, 0], e[:, 1]
    fs = (managers / workers) / (managers.sum() / workers.sum()) - 1
    np.testing.assert_allclose(indices.duranton_puga(managers, workers), fs, rtol=1e-10, atol=1e-14)


# -- edge cases: each a documented NaN or a clear exception ----------------------------
ONE, ZEROS = [5.0], [0.0, 0.0, 0.0]
EDGE_NAN = [
    ("gini of one value", lambda: indices.gini(ONE), 0.0),
    ("corrected gini of one value", lambda: indices.gini(ONE, corrected=True), np.nan),
    ("gini of zeros", lambda: indices.gini(ZEROS), np.nan),
    ("theil of zeros", lambda: indices.theil(ZEROS), np.nan),
    ("theil of one value", lambda: indices.theil(ONE), 0.0),
    ("theil L with a zero", lambda: indices.theil([0.0, 1.0, 2.0], kind="L"), np.nan),
    ("theil T with a zero (0 ln 0 = 0)", lambda: indices.theil([0.0, 1.0, 1.0]), np.log(1.5)),
    ("atkinson of zeros", lambda: indices.atkinson(ZEROS, 0.5), np.nan),
    ("atkinson with a zero, eps 2", lambda: indices.atkinson([0.0, 3.0], 2.0), 1.0),
    ("hhi normalized of one value", lambda: indices.hhi(ONE, normalized=True), np.nan),
    ("hhi of zeros", lambda: indices.hhi(ZEROS), np.nan),
    ("entropy normalized of one value", lambda: indices.entropy(ONE, normalized=True), np.nan),
    ("cv of one value", lambda: indices.cv(ONE), np.nan),
    ("cv of zeros", lambda: indices.cv(ZEROS), np.nan),
    ("cv of negative values", lambda: indices.cv([-1.0, -3.0], ddof=0), -0.5),
    ("primacy of one value", lambda: indices.primacy(ONE), np.nan),
    ("primacy with zero second", lambda: indices.primacy([5.0, 0.0]), np.nan),
    ("rank-size of one value", lambda: indices.rank_size_slope(ONE), np.nan),
    ("rank-size with a zero", lambda: indices.rank_size_slope([4.0, 2.0, 0.0]), np.nan),
    ("gini with NaN, propagate", lambda: indices.gini([1.0, np.nan, 3.0]), np.nan),
    ("gini with NaN, omit", lambda: indices.gini([1.0, np.nan, 3.0], nan_policy="omit"), indices.gini([1.0, 3.0])),
    ("flows without flow", lambda: indices.flow_summary(np.zeros((3, 3))).network["symmetry"], np.nan),
    ("green of one node", lambda: indices.green_polycentricity([[4.0]])["polycentricity"], np.nan),
    ("krugman of a zero profile", lambda: indices.krugman([0, 0], [1, 2]), np.nan),
    ("location quotient of a zero region", lambda: indices.location_quotient(0, 0, 5, 10), np.nan),
]


@pytest.mark.parametrize("case", EDGE_NAN, ids=[c[0] for c in EDGE_NAN])
def test_edge_cases_give_documented_values(case):
    _, call, expected = case
    got = call()
    if np.isnan(expected):
        assert np.isnan(got)
    else:
        assert got == pytest.approx(expected, rel=1e-12)


def test_empty_groups_and_left_out_units():
    x = pd.Series([1.0, 2.0, 3.0, 4.0])
    groups = pd.Categorical(["a", "a", None, "a"], categories=["a", "b"])
    g = indices.gini(x, by=pd.Series(groups, name="region"))
    # the missing label leaves unit 2 out; factorize keeps only labels present
    assert g.index.tolist() == ["a"] and g.index.name == "region"
    assert g["a"] == pytest.approx(indices.gini([1.0, 2.0, 4.0]))
    assert np.isnan(_core.gini(np.ones(3), group=np.array([0, 0, 0]), n_groups=2)[1])
    d = indices.theil([1.0, 2.0, np.nan, 4.0], by=["a", "a", "b", "b"], nan_policy="omit")
    assert d.by_group.loc["b", "n"] == 1 and d.by_group.loc["b", "theil"] == 0.0
    p = indices.theil([1.0, 2.0, np.nan, 4.0], by=["a", "a", "b", "b"])
    assert np.isnan(p.total) and np.isnan(p.by_group.loc["b", "theil"])
    assert p.by_group.loc["a", "theil"] == pytest.approx(indices.theil([1.0, 2.0]))


def test_nan_policy_raise_and_omit_in_matrices():
    od = np.array([[0, 1, np.nan], [2, 0, 1], [1, 1, 0]])
    assert np.isnan(indices.flow_summary(od).network["total"])
    assert indices.flow_summary(od, nan_policy="omit").network["total"] == 6
    with pytest.raises(ValueError, match=r"od\[0, 2\] = nan: is NaN"):
        indices.flow_summary(od, nan_policy="raise")


BAD = [
    ("negative value", lambda: indices.gini([1, -2.5, 3]), ValueError, ["gini", "x[1] = -2.5", ">= 0"]),
    ("negative size", lambda: indices.primacy([3, -1]), ValueError, ["sizes[1]", ">= 0"]),
    ("NaN under raise", lambda: indices.theil([1, np.nan], nan_policy="raise"), ValueError, ["x[1]", "NaN"]),
    ("bad nan_policy", lambda: indices.gini([1, 2], nan_policy="drop"), ValueError, ["nan_policy", "'drop'"]),
    ("bad theil kind", lambda: indices.theil([1, 2], kind="M"), ValueError, ["kind", "'M'"]),
    ("string values", lambda: indices.gini(["a", "b"]), TypeError, ["x", "real numbers"]),
    ("boolean values", lambda: indices.hhi(np.array([True, False])), TypeError, ["x"]),
    ("2-d values", lambda: indices.cv(np.ones((2, 2))), ValueError, ["x", "1-dimensional"]),
    ("weights length", lambda: indices.gini([1, 2], frequency_weights=[1]), ValueError, ["weights", "one value per x"]),
    ("negative weight", lambda: indices.gini([1, 2], frequency_weights=[1, -1]), ValueError, ["weights[1]", ">= 0"]),
    ("corrected with weights", lambda: indices.gini([1, 2], corrected=True, frequency_weights=[1, 1]), ValueError, ["corrected"]),
    ("by length", lambda: indices.gini([1, 2], by=["a"]), ValueError, ["by", "one label per value"]),
    ("infinite value", lambda: indices.entropy([1, np.inf]), ValueError, ["x[1]", "finite"]),
    ("negative epsilon", lambda: indices.atkinson([1, 2], -1), ValueError, ["epsilon"]),
    ("epsilon not a number", lambda: indices.atkinson([1, 2], "1"), TypeError, ["epsilon"]),
    ("k below 2", lambda: indices.primacy([1, 2], k=1), ValueError, ["k"]),
    ("top below 2", lambda: indices.rank_size_slope([1, 2], top=1), ValueError, ["top"]),
    ("negative ddof", lambda: indices.cv([1, 2], ddof=-1), ValueError, ["ddof"]),
    ("non-square od", lambda: indices.flow_summary(np.ones((2, 3))), ValueError, ["od", "square"]),
    ("negative flow", lambda: indices.green_polycentricity([[0, -1], [1, 0]]), ValueError, ["od[0, 1] = -1.0", ">= 0"]),
    ("unknown core", lambda: indices.flow_summary(pd.DataFrame(np.ones((2, 2)), index=["a", "b"],
                                                               columns=["a", "b"]), core=["z"]),
     ValueError, ["core", "'z'"]),
    ("od labels differ", lambda: indices.flow_summary(pd.DataFrame(np.ones((2, 2)), index=["a", "b"],
                                                                   columns=["b", "a"])), ValueError, ["od"]),
    ("bad degree", lambda: indices.green_polycentricity(np.ones((2, 2)), degree="both"), ValueError, ["degree"]),
    ("part above total", lambda: indices.location_quotient(10, 5, 20, 100), ValueError, ["e_ij", "exceeds e_j"]),
    ("incomplete REAT form", lambda: indices.location_quotient(1, 2), ValueError, ["e_j, e_i and e"]),
    ("profiles differ", lambda: indices.krugman([1, 2], [1, 2, 3]), ValueError, ["a and b", "same shape"]),
    ("negative export", lambda: indices.complementarity([1, -2], [1, 2]), ValueError, ["exports[0, 1] = -2.0", ">= 0"]),
    ("managers length", lambda: indices.duranton_puga([1, 2], [1]), ValueError, ["managers and production"]),
]


@pytest.mark.parametrize("case", BAD, ids=[c[0] for c in BAD])
def test_bad_input_raises_naming_the_argument(case):
    _, call, exc, words = case
    with pytest.raises(exc) as info:
        call()
    for word in words:
        assert word in str(info.value), str(info.value)


@pytest.mark.parametrize("labels", [
    np.array([320500, 110000, 320500, 440300, 110000, 320500] * 50),  # admin codes: a table
    np.array([-3, 9, -3, 0, 9, 9] * 50, dtype=np.int8),
    pd.Series(np.array([2020, 2010, 2020, 2000, 2010, 2020] * 50, dtype=np.uint16), name="year"),
    pd.Index(np.array([7, 5, 7, 6, 5, 7] * 50)),
    np.array([2**62, -(2**62), 2**62, 0, -(2**62), 2**62] * 50),  # too wide: pandas hashes
    np.array([2**63 + 5, 3, 2**63 + 5, 4, 3, 2**63 + 5] * 50, dtype=np.uint64),
], ids=["int64", "int8", "uint16 series", "index", "wide span", "uint64"])
def test_integer_labels_group_as_pandas_factorize_numbers_them(labels):
    x = np.random.default_rng(1).lognormal(size=len(labels))
    codes, uniques = pd.factorize(labels, sort=False)
    as_text = np.array([f"g{c}" for c in codes])  # the same groups under labels pandas hashes
    for fn in (indices.gini, indices.cv, indices.primacy):
        got = fn(x, by=labels)
        want = fn(x, by=as_text)
        assert got.index.equals(pd.Index(uniques, name=getattr(labels, "name", None) or "group"))
        assert got.index.dtype == pd.Index(uniques).dtype
        np.testing.assert_array_equal(got.to_numpy(), want.to_numpy())
    got = indices.theil(x, by=labels).by_group
    want = indices.theil(x, by=as_text).by_group
    np.testing.assert_array_equal(got.to_numpy(), want.to_numpy())


def test_series_labels_and_group_names_carry_through():
    pop = pd.Series([10.0, 30.0, 60.0], index=["a", "b", "c"])
    fs = indices.duranton_puga(pop, pd.Series([10.0, 10.0, 10.0], index=pop.index))
    assert fs.index.tolist() == ["a", "b", "c"]
    lq = indices.location_quotient(pd.DataFrame([[1, 3], [1, 1]], index=["r1", "r2"], columns=["s1", "s2"]))
    assert lq.index.tolist() == ["r1", "r2"] and lq.columns.tolist() == ["s1", "s2"]


@pytest.mark.skipif(not _core.ALLOC_TESTING, reason="needs a build with QDACORE_ALLOC_TESTING=1 (make asan)")
def test_allocation_failure_in_a_kernel_is_a_memory_error():
    for call in (lambda: _core.gini(np.arange(5.0)), lambda: _core.theil(np.arange(5.0)),
                 lambda: _core.green_polycentricity(np.ones((3, 3)))):
        _core._fail_allocation_after(0)
        try:
            with pytest.raises(MemoryError):
                call()
        finally:
            _core._fail_allocation_after(-1)
    assert _core.gini([20, 50, 20, 10])[0] == pytest.approx(0.3)
