"""Weight matrices in a/b order: qdacore.agree against irrCAC 0.4.4 run on the same
input. With two coders ``w[k, l]`` weighs coder a saying k and coder b saying l (Cohen
1968; irrCAC's two-rater tables, ``irrCAC.table.CAC``, whose rows are a's categories
and columns b's); with more coders an asymmetric matrix counts as (W + W^T) / 2 and a
UserWarning says so (irrCAC's raw-data formulas symmetrise it the same way)."""
from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from qdacore import agree

table_module = pytest.importorskip("irrCAC.table")
datasets = pytest.importorskip("irrCAC.datasets")

# irrCAC's tests (test/unit/irrCAC/table/test_*.py, "custom_weights") weight the 4 x 4
# table of 223 psychiatric patients (datasets.table_cont4x4diagnosis: rows the clinical
# diagnosis, columns the research diagnosis) with this asymmetric matrix and publish,
# to 3 digits: Cohen's weighted kappa (Cohen 1968) 0.439, Scott's pi 0.441, Gwet's AC2
# 0.461, Brennan-Prediger 0.447, weighted percent agreement 0.689.
CUSTOM = np.array([[1.00, 0.67, 0.33, 0.00],
                   [0.00, 1.00, 0.67, 0.33],
                   [0.00, 0.00, 1.00, 0.67],
                   [0.33, 0.00, 0.00, 1.00]])
PUBLISHED = {"cohen": 0.439, "scott": 0.441, "gwet": 0.461, "bp": 0.447, "pa2": 0.689}


def diagnosis() -> pd.DataFrame:
    return datasets.table_cont4x4diagnosis()


def ratings_of(table: pd.DataFrame) -> tuple[list, list]:
    """The two coders' ratings behind a contingency table: one unit per count,
    coder a's category from the row, coder b's from the column."""
    counts = table.to_numpy()
    rows, cols = np.indices(counts.shape)
    a = np.repeat(table.index.to_numpy()[rows.ravel()], counts.ravel())
    b = np.repeat(table.columns.to_numpy()[cols.ravel()], counts.ravel())
    return list(a), list(b)


def irrcac(table: pd.DataFrame, weights, name: str) -> float:
    return table_module.CAC(table, weights=weights, digits=15).__getattribute__(name)()[
        "est"]["coefficient_value"]


# qdacore's two-coder forms and the irrCAC table coefficient each reproduces
TWO_CODER = [
    ("cohen_kappa", lambda a, b, **kw: agree.cohen_kappa(a, b, **kw), "cohen"),
    ("conger_kappa", lambda a, b, **kw: agree.conger_kappa([a, b], **kw), "cohen"),
    ("fleiss_kappa", lambda a, b, **kw: agree.fleiss_kappa([a, b], **kw), "scott"),
    ("gwet_ac1", lambda a, b, **kw: agree.gwet_ac1([a, b], **kw), "gwet"),
    ("brennan_prediger", lambda a, b, **kw: agree.brennan_prediger([a, b], **kw), "bp"),
    ("percent_agreement", lambda a, b, **kw: agree.percent_agreement([a, b], **kw), "pa2"),
]
IDS = [case[0] for case in TWO_CODER]


@pytest.mark.parametrize("case", TWO_CODER, ids=IDS)
def test_custom_weights_table_equals_irrcac(case):
    """irrCAC's custom-weight table tests: raw ratings of the labels (categories= in the
    table's order) and of their positions give irrCAC's value on the table itself."""
    _, ours, name = case
    table = diagnosis()
    expected = irrcac(table, CUSTOM, name)
    assert round(expected, 3) == PUBLISHED[name]  # the peer as its own tests publish it
    a, b = ratings_of(table)
    assert ours(a, b, weights=CUSTOM, categories=list(table.index)) == pytest.approx(
        expected, abs=1e-12)
    position = {label: i for i, label in enumerate(table.index)}
    a_pos, b_pos = [position[x] for x in a], [position[x] for x in b]
    assert ours(a_pos, b_pos, weights=CUSTOM) == pytest.approx(expected, abs=1e-12)


@pytest.mark.parametrize("case", TWO_CODER, ids=IDS)
def test_swapping_the_coders_reads_the_transposed_table(case):
    """Coder b first is irrCAC on the transposed table, and the same as W^T in a/b order."""
    _, ours, name = case
    table = diagnosis()
    a, b = ratings_of(table)
    cats = list(table.index)
    swapped = ours(b, a, weights=CUSTOM, categories=cats)
    assert swapped == pytest.approx(irrcac(table.T, CUSTOM, name), abs=1e-12)
    assert swapped == pytest.approx(ours(a, b, weights=CUSTOM.T, categories=cats), abs=1e-12)
    if name in ("cohen", "scott", "pa2"):  # the order shows in these (BP and AC2 too, less)
        assert abs(swapped - ours(a, b, weights=CUSTOM, categories=cats)) > 1e-3


def test_long_data_and_agreement_read_the_same_order():
    """Long reliability data (coders in sorted order) and agreement(), with its
    bootstrap, read the matrix as the wide functions do."""
    table = diagnosis()
    a, b = ratings_of(table)
    cats = list(table.index)
    long = pd.DataFrame({"unit": np.tile(np.arange(len(a)), 2),
                         "coder": ["a"] * len(a) + ["b"] * len(b), "value": a + b})
    assert agree.conger_kappa(long, weights=CUSTOM, categories=cats) == pytest.approx(
        irrcac(table, CUSTOM, "cohen"), abs=1e-12)
    for method, name in [("conger", "cohen"), ("fleiss", "scott"), ("gwet", "gwet"),
                         ("brennan_prediger", "bp"), ("percent", "pa2")]:
        row = agree.agreement([a, b], method, weights=CUSTOM, categories=cats, n_boot=200,
                              seed=2)
        assert row["value"] == pytest.approx(irrcac(table, CUSTOM, name), abs=1e-12), method
        assert row["ci_low"] < row["value"] < row["ci_high"], method
        # the replicates re-tally in C in the same order: swapping the coders and
        # transposing the matrix draws the same interval
        swapped = agree.agreement([b, a], method, weights=CUSTOM.T, categories=cats,
                                  n_boot=200, seed=2)
        assert swapped[["ci_low", "ci_high"]].tolist() == pytest.approx(
            row[["ci_low", "ci_high"]].tolist(), abs=1e-12), method


@pytest.mark.parametrize("seed", range(12))
def test_random_asymmetric_weights_equal_irrcac(seed):
    """Seeded random two-coder data and asymmetric matrices (diagonal 1, as weights
    are); cohen_kappa also with missing ratings, compared on the units both rated."""
    rng = np.random.default_rng(seed)
    q, n = int(rng.integers(2, 6)), int(rng.integers(8, 80))
    a = rng.integers(0, q, n)
    b = np.where(rng.random(n) < 0.6, a, rng.integers(0, q, n))
    w = rng.random((q, q))
    np.fill_diagonal(w, 1)
    table = pd.crosstab(pd.Categorical(a, categories=range(q)),
                        pd.Categorical(b, categories=range(q)), dropna=False)
    for label, ours, name in TWO_CODER:
        value = ours(list(a), list(b), weights=w, categories=range(q))
        assert value == pytest.approx(irrcac(table, w, name), abs=1e-10), label
    missing_a = np.where(rng.random(n) < 0.2, np.nan, a)
    both = ~np.isnan(missing_a)
    table = pd.crosstab(pd.Categorical(a[both], categories=range(q)),
                        pd.Categorical(b[both], categories=range(q)), dropna=False)
    assert agree.cohen_kappa(missing_a, b, weights=w, categories=range(q)) == pytest.approx(
        irrcac(table, w, "cohen"), abs=1e-10)


@pytest.mark.parametrize("weights", ["identity", "linear", "quadratic", "ordinal",
                                     "radical", "ratio"])
@pytest.mark.parametrize("name", ["cont3x3abstractors", "cont4x4diagnosis"])
def test_named_weights_equal_irrcac_tables(weights, name):
    """Symmetric (named) weights on irrCAC's two tables, by category position as
    irrCAC weighs them."""
    table = getattr(datasets, f"table_{name}")()
    a, b = ratings_of(table)
    cats = list(table.index)
    for label, ours, peer in TWO_CODER:
        value = ours(a, b, weights=weights, categories=cats, weight_by="position") \
            if label != "percent_agreement" else ours(a, b, weights=weights, categories=cats)
        assert value == pytest.approx(irrcac(table, weights, peer), abs=1e-12), label


# -- more than two coders: the matrix is symmetrised, with a warning ------------------------

# irrCAC's raw-data tests (test/unit/irrCAC/raw/test_*.py, "raw4raters_custom_weights")
# weight Gwet's 4 raters x 12 units (datasets.raw_4raters) with this asymmetric matrix
# and publish Fleiss 0.761, Gwet's AC2 0.783, Brennan-Prediger 0.773, Conger 0.763.
RAW_CUSTOM = np.array([[1.00, 0.75, 0.50, 0.25, 0.00],
                       [0.00, 1.00, 0.75, 0.50, 0.25],
                       [0.25, 0.00, 1.00, 0.75, 0.50],
                       [0.50, 0.25, 0.00, 1.00, 0.75],
                       [0.75, 0.50, 0.25, 0.00, 1.00]])
RAW_PUBLISHED = {"fleiss": 0.761, "gwet": 0.783, "bp": 0.773, "conger": 0.763}
MULTI = [(agree.fleiss_kappa, "fleiss"), (agree.gwet_ac1, "gwet"),
         (agree.brennan_prediger, "bp"), (agree.conger_kappa, "conger")]


@pytest.mark.parametrize("ours, name", MULTI, ids=[m[1] for m in MULTI])
def test_more_coders_warn_and_symmetrise(ours, name):
    raw = pytest.importorskip("irrCAC.raw")
    frame = datasets.raw_4raters().dropna(how="all")
    cats = sorted(pd.unique(frame.stack().dropna()))
    expected = raw.CAC(frame, weights=RAW_CUSTOM, digits=15, categories=cats).__getattribute__(
        name)()["est"]["coefficient_value"]
    assert round(expected, 3) == RAW_PUBLISHED[name]
    data = frame.to_numpy(dtype=float).T  # coders x units
    with pytest.warns(UserWarning, match=r"weights= is not symmetric.*\(W \+ W\^T\) / 2") as rec:
        value = ours(data, weights=RAW_CUSTOM, categories=cats)
    assert rec[0].filename == __file__  # points at the caller
    assert value == pytest.approx(expected, abs=1e-12)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a symmetric matrix says nothing
        assert ours(data, weights=(RAW_CUSTOM + RAW_CUSTOM.T) / 2, categories=cats) == \
            pytest.approx(expected, abs=1e-12)


def test_agreement_warns_with_more_coders_only():
    frame = datasets.raw_4raters().dropna(how="all")
    data = frame.to_numpy(dtype=float).T
    with pytest.warns(UserWarning, match=r"agreement\(method='gwet'\) compares 4 coders"):
        agree.agreement(data, "gwet", weights=RAW_CUSTOM, categories=[1, 2, 3, 4, 5], ci=None)
    table = diagnosis()
    a, b = ratings_of(table)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # two coders: the a/b order is the answer, no warning
        agree.agreement([a, b], "gwet", weights=CUSTOM, categories=list(table.index), ci=None)
        agree.gwet_ac1([a, b], weights=CUSTOM, categories=list(table.index))
        agree.cohen_kappa(a, b, weights=CUSTOM, categories=list(table.index))
