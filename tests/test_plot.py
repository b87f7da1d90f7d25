"""qdacore.plot: what is drawn equals what the counting functions return
(themselves checked against pandas in test_counting.py), and bad input raises."""
from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

import qdacore as qc  # noqa: E402


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def test_bars_are_the_frequencies(megaregions):
    freq = megaregions.frequencies("subtheme", labels=True)
    ax = qc.plot.frequencies(freq)
    widths = [p.get_width() for p in ax.patches]
    assert widths == freq.tolist()
    assert [t.get_text() for t in ax.get_yticklabels()] == list(freq.index)


def test_grouped_bars_for_a_split(megaregions):
    table = megaregions.frequencies("theme", by="substitute")
    ax = qc.plot.frequencies(table, horizontal=False)
    heights = np.array([p.get_height() for p in ax.patches]).reshape(table.shape[1], -1).T
    np.testing.assert_array_equal(heights, table.to_numpy())
    assert ax.get_legend() is not None


def test_heatmap_cells_are_the_table(megaregions):
    table = megaregions.code_document_table("theme", by="region")
    ax = qc.plot.heatmap(table)
    shown = ax.images[0].get_array()
    np.testing.assert_array_equal(np.asarray(shown), table.to_numpy())
    assert len(ax.texts) == table.size
    masked = qc.plot.heatmap(megaregions.cooccurrence("theme"), mask_diagonal=True)
    assert np.ma.getmaskarray(masked.images[0].get_array()).diagonal().all()


def test_network_has_every_node_and_edge(megaregions):
    edges = megaregions.cooccurrence_edges("subtheme")
    ax = qc.plot.cooccurrence_network(edges)
    from matplotlib.collections import LineCollection, PathCollection

    nodes = [c for c in ax.collections if isinstance(c, PathCollection)]
    lines = [c for c in ax.collections if isinstance(c, LineCollection)]
    assert len(nodes[0].get_offsets()) == 11
    assert len(lines[0].get_segments()) == len(edges)


def test_sankey_bands_carry_the_crosstabs(megaregions):
    ax = qc.plot.sankey(megaregions, ("vision", "theme", "subtheme"))
    # 3 + 3 + 11 node bars; one band per non-zero cell of the two crosstabs
    bands = sum(int((megaregions.crosstab(a, b).to_numpy() > 0).sum())
                for a, b in [("vision", "theme"), ("theme", "subtheme")])
    assert len(ax.patches) == 17 + bands


def test_chinese_labels_use_a_cjk_font(megaregions):
    font = qc.plot.cjk_font()
    if font is None:
        pytest.skip("no CJK font installed (make test installs fonts-noto-cjk)")
    ax = qc.plot.frequencies(megaregions.frequencies("vision", labels="label_zh"))
    families = ax.get_yticklabels()[0].get_fontfamily()
    assert font in families
    ax.figure.canvas.draw()  # renders without missing-glyph warnings turned errors


@pytest.mark.parametrize("call, exc, words", [
    (lambda: qc.plot.frequencies([1, 2]), TypeError, "Series or DataFrame"),
    (lambda: qc.plot.frequencies(pd.Series(dtype=float)), ValueError, "empty"),
    (lambda: qc.plot.heatmap(np.zeros((2, 2))), TypeError, "DataFrame"),
    (lambda: qc.plot.heatmap(pd.DataFrame()), ValueError, "empty"),
    (lambda: qc.plot.cooccurrence_network(pd.DataFrame({"a": [1]})), ValueError, "source"),
    (lambda: qc.plot.sankey(qc.datasets.megaregions(), ("vision",)), ValueError, "at least two"),
    (lambda: qc.plot.cooccurrence_network(qc.datasets.megaregions().cooccurrence_edges("theme"), layout="x"),
     ValueError, "layout"),
])
def test_bad_input(call, exc, words):
    with pytest.raises(exc, match=words):
        call()
