"""qdacore.agree against published worked examples and peer libraries
(krippendorff, statsmodels, scikit-learn, irrCAC) run on the same input."""
from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from qdacore import agree

nan = np.nan
# Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", section C
SECTION_C = [[1, 2, 3, 3, 2, 1, 4, 1, 2, nan, nan, nan],
             [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, nan, nan],
             [nan, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, 3],
             [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, nan]]


def from_counts(counts):
    """Raw ratings (raters x subjects) from a subjects x categories count table."""
    counts = np.asarray(counts)
    return np.array([np.repeat(np.arange(counts.shape[1]), row) for row in counts]).T


# -- published values ----------------------------------------------------------------

@pytest.mark.parametrize("metric, published", [("nominal", 0.743), ("ordinal", 0.815),
                                               ("interval", 0.849), ("ratio", 0.797)])
def test_krippendorff_2011_section_c(metric, published):
    assert round(agree.krippendorff_alpha(SECTION_C, metric=metric), 3) == published


def test_krippendorff_2011_sections_a_and_b():
    # Section A: two observers, binary data, 10 units: alpha = 0.095
    a = [[0, 1, 0, 0, 0, 0, 0, 0, 1, 0], [1, 1, 1, 0, 0, 1, 0, 0, 0, 0]]
    assert round(agree.krippendorff_alpha(a), 3) == 0.095
    # Section B: two observers, nominal values a..e, 12 units: alpha = 0.692
    b = [list("aabbdcccedda"), list("babbbcccedddd")[:12]]
    b[1] = list("babbbcccedd") + ["d"]
    assert round(agree.krippendorff_alpha(b), 3) == 0.692


FLEISS_1971 = [[0, 0, 0, 0, 14], [0, 2, 6, 4, 2], [0, 0, 3, 5, 6], [0, 3, 9, 2, 0],
               [2, 2, 8, 1, 1], [7, 7, 0, 0, 0], [3, 2, 6, 3, 0], [2, 5, 3, 2, 2],
               [6, 5, 2, 1, 0], [0, 2, 2, 3, 7]]


def test_fleiss_1971_example():
    """Fleiss (1971), 10 subjects rated by 14 raters into 5 categories: 0.210."""
    assert round(agree.fleiss_kappa(from_counts(FLEISS_1971)), 3) == 0.210


@pytest.mark.parametrize("table, fleiss, free", [
    ([[7, 1], [3, 5]], 0.161905, 0.214286),
    ([[6, 1, 0], [0, 7, 0]], 0.708333, 0.785714),
])
def test_statsmodels_published_randolph_values(table, fleiss, free):
    """statsmodels' test_inter_rater quotes Randolph's online calculator: fixed-
    marginal (Fleiss) and free-marginal kappa (Brennan-Prediger for 2 categories
    read as q = number of table columns)."""
    data = from_counts(table)
    assert agree.fleiss_kappa(data, categories=range(len(table[0]))) == pytest.approx(fleiss, abs=6e-6)
    assert agree.brennan_prediger(data, categories=range(len(table[0]))) == pytest.approx(free, abs=6e-6)


def test_irr_diagnoses_value_quoted_by_statsmodels():
    """statsmodels quotes R irr's kappam.fleiss(diagnoses) = 0.4302445."""
    tests = pytest.importorskip("statsmodels.stats.tests.test_inter_rater")
    assert agree.fleiss_kappa(tests.diagnoses.T) == pytest.approx(0.4302445, abs=1e-7)


def test_sklearn_published_kappas():
    """scikit-learn's test_cohen_kappa: Artstein and Poesio (2008) tables."""
    y1, y2 = [0] * 40 + [1] * 60, [0] * 20 + [1] * 20 + [0] * 10 + [1] * 50
    assert round(agree.cohen_kappa(y1, y2), 3) == 0.348
    y1, y2 = [0] * 46 + [1] * 44 + [2] * 10, [0] * 52 + [1] * 32 + [2] * 16
    assert round(agree.cohen_kappa(y1, y2), 4) == 0.8013
    y1, y2 = [0] * 46 + [1] * 44 + [2] * 10, [0] * 50 + [1] * 40 + [2] * 10
    assert round(agree.cohen_kappa(y1, y2), 4) == 0.9315
    assert round(agree.cohen_kappa(y1, y2, weights="linear"), 4) == 0.9412
    assert round(agree.cohen_kappa(y1, y2, weights="quadratic"), 4) == 0.9541


# -- peers on seeded random data -------------------------------------------------------

def random_data(seed, missing=0.2, n_units=None, n_coders=None, n_values=None):
    rng = np.random.default_rng(seed)
    n_units = n_units or int(rng.integers(5, 60))
    n_coders = n_coders or int(rng.integers(2, 6))
    n_values = n_values or int(rng.integers(2, 7))
    truth = rng.integers(1, n_values + 1, size=n_units)
    noise = rng.integers(1, n_values + 1, size=(n_coders, n_units))
    data = np.where(rng.random((n_coders, n_units)) < 0.6, truth, noise).astype(float)
    data[rng.random(data.shape) < missing] = np.nan
    data[:2, 0] = [1, 1 + (n_values > 1)]  # at least one paired unit, two values
    return data


@pytest.mark.parametrize("seed", range(30))
def test_alpha_equals_krippendorff_package(seed):
    krippendorff = pytest.importorskip("krippendorff")
    data = random_data(seed)
    for metric in agree.METRICS:
        ours = agree.krippendorff_alpha(data, metric=metric)
        theirs = krippendorff.alpha(reliability_data=data, level_of_measurement=metric)
        assert ours == pytest.approx(theirs, abs=1e-9), metric


@pytest.mark.parametrize("seed", range(30))
def test_fleiss_equals_statsmodels_on_complete_data(seed):
    from statsmodels.stats.inter_rater import aggregate_raters, fleiss_kappa

    data = random_data(seed, missing=0)
    table, _ = aggregate_raters(data.T.astype(int))
    assert agree.fleiss_kappa(data) == pytest.approx(fleiss_kappa(table), abs=1e-9)
    assert agree.brennan_prediger(data) == pytest.approx(
        fleiss_kappa(table, method="randolph"), abs=1e-9)


@pytest.mark.parametrize("seed", range(30))
@pytest.mark.parametrize("weights", [None, "linear", "quadratic"])
def test_cohen_equals_sklearn(seed, weights):
    from sklearn.metrics import cohen_kappa_score

    data = random_data(seed, missing=0.1, n_coders=2)
    both = ~np.isnan(data).any(axis=0)
    a, b = data[0][both].astype(int), data[1][both].astype(int)
    theirs = cohen_kappa_score(a, b, weights=weights)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        ours = agree.cohen_kappa(data[0], data[1], weights=weights)
    assert ours == pytest.approx(theirs, abs=1e-9) or (np.isnan(ours) and np.isnan(theirs))


@pytest.mark.parametrize("seed", range(25))
@pytest.mark.parametrize("weights", ["identity", "linear", "quadratic", "ordinal", "radical"])
def test_gwet_family_equals_irrcac(seed, weights):
    raw = pytest.importorskip("irrCAC.raw")
    data = random_data(seed)
    frame = pd.DataFrame(data.T)  # subjects x raters
    # categories given explicitly: irrCAC (which pins pandas < 3) would count NaN
    # as a category under pandas 3
    cats = sorted(np.unique(data[~np.isnan(data)]).tolist())
    cac = raw.CAC(frame, weights=weights, digits=15, categories=cats)
    for ours, name in [(agree.fleiss_kappa, "fleiss"), (agree.gwet_ac1, "gwet"),
                       (agree.brennan_prediger, "bp"), (agree.conger_kappa, "conger")]:
        expected = getattr(cac, name)()["est"]["coefficient_value"]
        assert ours(data, weights=weights) == pytest.approx(expected, abs=1e-9), (name, weights)


@pytest.mark.parametrize("name", ["raw_4raters", "raw_5observers", "raw_ben_gerry", "raw_gender", "raw_g1g2"])
def test_irrcac_example_datasets(name):
    """Gwet's example datasets shipped with irrCAC, each coefficient equal to irrCAC."""
    datasets = pytest.importorskip("irrCAC.datasets")
    raw = pytest.importorskip("irrCAC.raw")
    frame = getattr(datasets, name)().dropna(how="all")
    frame = frame.astype(object).where(frame.notna(), np.nan)
    data = frame.to_numpy(dtype=object).T
    cats = sorted(pd.unique(frame.stack().dropna()))
    cac = raw.CAC(frame, digits=15, categories=cats)
    for ours, peer in [(agree.fleiss_kappa, "fleiss"), (agree.gwet_ac1, "gwet"),
                       (agree.brennan_prediger, "bp"), (agree.conger_kappa, "conger")]:
        expected = cac.__getattribute__(peer)()["est"]["coefficient_value"]
        assert ours(data, categories=cats) == pytest.approx(expected, abs=1e-9), peer
    # Gwet's alpha formulation equals Krippendorff's on nominal data
    expected = cac.krippendorff()["est"]["coefficient_value"]
    assert agree.krippendorff_alpha(data, categories=cats) == pytest.approx(expected, abs=1e-9)


def test_long_and_wide_inputs_agree():
    wide = pd.DataFrame(SECTION_C, index=["A", "B", "C", "D"])
    long = wide.stack().rename("value").rename_axis(["coder", "unit"]).reset_index()
    assert agree.krippendorff_alpha(long) == agree.krippendorff_alpha(wide)
    renamed = long.rename(columns={"unit": "item", "coder": "who", "value": "code"})
    assert agree.krippendorff_alpha(renamed, unit_column="item", coder_column="who",
                                    value_column="code") == \
        agree.krippendorff_alpha(SECTION_C)


def test_percent_holsti_scott():
    data = [["a", "b", None, "a"], ["a", "c", "c", "a"]]
    assert agree.percent_agreement(data) == pytest.approx(2 / 3)
    assert agree.holsti(data) == pytest.approx(2 * 2 / (3 + 4))
    # Scott's pi: shared marginals of the units both rated
    a, b = ["a", "b", "a"], ["a", "c", "a"]
    pe = (4 / 6) ** 2 + (1 / 6) ** 2 + (1 / 6) ** 2
    assert agree.scott_pi(a, b) == pytest.approx((2 / 3 - pe) / (1 - pe))


# -- bootstrap ------------------------------------------------------------------------

def r_expected(tally):
    from qdacore import _core

    return _core.agree_coefficient(tally, "alpha")[1]


def test_intervals_are_seeded_and_bracket_the_estimate():
    from qdacore import _core

    first = agree.agreement(SECTION_C, n_boot=500, seed=3)
    assert first.equals(agree.agreement(SECTION_C, n_boot=500, seed=3))
    r = agree.reliability_data(SECTION_C)
    tally = _core.agree_tally(r.codes, 5)
    draws = [_core.alpha_bootstrap(tally, n_boot=200, seed=s) for s in (3, 3, 4)]
    assert (draws[0] == draws[1]).all() and not (draws[0] == draws[2]).all()
    # replicates draw as many value pairs as the data pair (Krippendorff's algorithm),
    # so a nominal D_o moves in steps of 1 / pairs
    steps = (1 - draws[0]) * r_expected(tally) * tally["pairs"]
    np.testing.assert_allclose(steps, np.round(steps), atol=1e-9)
    assert first["ci_low"] < first["value"] < first["ci_high"] <= 1
    units = agree.agreement(SECTION_C, n_boot=500, seed=3, bootstrap="units")
    assert units["ci_low"] < units["value"] <= units["ci_high"]
    for method in ["fleiss", "gwet", "conger", "brennan_prediger"]:
        row = agree.agreement(SECTION_C, method, n_boot=300, seed=1)
        assert row["ci_low"] <= row["value"] <= row["ci_high"], method
    assert np.isnan(agree.agreement(SECTION_C, ci=None)["ci_low"])


# -- edge cases and bad input ------------------------------------------------------------

NAN_CASES = [
    ("all values identical", [[1, 1, 1], [1, 1, 1]], agree.fleiss_kappa),
    ("a single category", [["x", "x"], ["x", "x"]], agree.krippendorff_alpha),
    ("one unit, agreeing", [[2], [2]], agree.gwet_ac1),
]


@pytest.mark.parametrize("case", NAN_CASES, ids=[c[0] for c in NAN_CASES])
def test_undefined_is_nan_with_a_warning(case):
    _, data, fn = case
    with pytest.warns(RuntimeWarning, match="undefined"):
        assert np.isnan(fn(data))


ERROR_CASES = [
    ("one coder", lambda: agree.krippendorff_alpha([[1, 2, 3]]), ValueError, "at least 2 coders"),
    ("all missing", lambda: agree.fleiss_kappa([[nan, nan], [nan, nan]]), ValueError, "nothing to compare"),
    ("no unit rated twice", lambda: agree.fleiss_kappa([[1, nan], [nan, 2]]), ValueError, "no unit is rated by two"),
    ("unordered labels, ordinal", lambda: agree.krippendorff_alpha([["a", "b"], ["b", "b"]], metric="ordinal"), ValueError, "ordered categories"),
    ("labels, interval", lambda: agree.krippendorff_alpha([["a", "b"], ["b", "b"]], metric="interval"), ValueError, "numeric"),
    ("negative ratio", lambda: agree.krippendorff_alpha([[-1, 2], [2, 2]], metric="ratio"), ValueError, "non-negative"),
    ("unknown metric", lambda: agree.krippendorff_alpha(SECTION_C, metric="cardinal"), ValueError, "metric"),
    ("1-d data", lambda: agree.fleiss_kappa([1, 2, 3]), ValueError, "coders x units"),
    ("mixed types", lambda: agree.fleiss_kappa([[1, "a"], [1, "a"]]), TypeError, "categories="),
    ("value outside categories", lambda: agree.fleiss_kappa([[1, 2], [1, 3]], categories=[1, 2]), ValueError, "not among categories"),
    ("bad weights name", lambda: agree.gwet_ac1(SECTION_C, weights="cubic"), ValueError, "weights"),
    ("bad weights shape", lambda: agree.gwet_ac1(SECTION_C, weights=np.eye(2)), ValueError, "5 x 5"),
    ("duplicate long rows", lambda: agree.fleiss_kappa(pd.DataFrame({"unit": [1, 1], "coder": ["a", "a"], "value": [1, 2]})), ValueError, "two values"),
    ("unequal pair", lambda: agree.cohen_kappa([1, 2], [1]), ValueError, "same units"),
    ("no common unit", lambda: agree.cohen_kappa([1, nan], [nan, 2]), ValueError, "both rated"),
    ("bad method", lambda: agree.agreement(SECTION_C, "kappa"), ValueError, "method"),
    ("bad ci", lambda: agree.agreement(SECTION_C, ci=1.5), ValueError, "ci"),
    ("bad n_boot", lambda: agree.agreement(SECTION_C, n_boot=0), ValueError, "n_boot"),
    ("bad bootstrap", lambda: agree.agreement(SECTION_C, "fleiss", bootstrap="krippendorff"), ValueError, "alpha only"),
]


@pytest.mark.parametrize("case", ERROR_CASES, ids=[c[0] for c in ERROR_CASES])
def test_bad_input(case):
    _, call, exc, words = case
    with pytest.raises(exc, match=words):
        call()
