"""qdacore.plot: what is drawn equals what the counting functions return
(themselves checked against pandas in test_counting.py), no two texts of a
figure overlap (matplotlib's own text extents, measured with the renderer
after layout; test_report.py checks the same in a browser), and bad input
raises."""
from __future__ import annotations

import itertools

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


# -- no overlapping text ------------------------------------------------------------------

def crowded_project():
    """40 codes with long labels that share their start, in 2 groups, coded
    unevenly (Zipf) on 600 items of 30 documents with long names."""
    rng = np.random.default_rng(0)
    codes = pd.DataFrame({"code": [f"c{i}" for i in range(40)] + ["g1", "g2"],
                          "parent": [f"g{1 + i % 2}" for i in range(40)] + [None, None]})
    codes["label"] = [f"A rather long label for the code number {i} of forty" for i in range(40)] \
        + ["First group", "Second group"]
    docs = [f"Document with a long file name number {i % 30}.docx" for i in range(600)]
    items = pd.DataFrame({"item": [f"{d}:{i}" for i, d in enumerate(docs)], "doc": docs})
    codings = pd.DataFrame({"item": np.repeat(items["item"].to_numpy(), 2),
                            "code": [f"c{int(c)}" for c in rng.zipf(1.6, 1200) % 40]})
    return qc.Project(codes, pd.DataFrame({"doc": items["doc"].unique()}), items, codings)


def _drawn_texts(figure):
    """The texts a figure draws: titles, axis and tick labels, texts, legends."""
    texts = []
    for ax in figure.axes:
        texts += [ax.title, ax.xaxis.label, ax.yaxis.label, *ax.get_xticklabels(),
                  *ax.get_yticklabels(), *ax.texts]
        legend = ax.get_legend()
        if legend is not None:
            texts += [legend.get_title(), *legend.get_texts()]
    return [t for t in texts if t.get_visible() and t.get_text().strip()]


def _overlapping(figure, tolerance=0.5):
    """Pairs of drawn texts whose boxes intersect by more than ``tolerance``
    pixels both ways, measured with the renderer after layout."""
    figure.draw_without_rendering()
    renderer = figure.canvas.get_renderer()
    boxes = [(t.get_text(), t.get_window_extent(renderer)) for t in _drawn_texts(figure)]
    return [(a, b) for (a, p), (b, q) in itertools.combinations(boxes, 2)
            if min(p.x1, q.x1) - max(p.x0, q.x0) > tolerance
            and min(p.y1, q.y1) - max(p.y0, q.y0) > tolerance]


@pytest.mark.parametrize("draw", [
    lambda p, m: qc.plot.frequencies(p.frequencies("depth2", labels=True)),
    lambda p, m: qc.plot.frequencies(p.frequencies("depth2", labels=True), horizontal=False),
    lambda p, m: qc.plot.frequencies(m.frequencies("theme", by="region"), horizontal=False),
    lambda p, m: qc.plot.heatmap(p.cooccurrence("depth2", labels=True), mask_diagonal=True),
    lambda p, m: qc.plot.heatmap(p.code_document_table("depth2", labels=True)),
    lambda p, m: qc.plot.heatmap(m.code_document_table("subtheme", by="region", labels=True)),
    lambda p, m: qc.plot.heatmap(m.cooccurrence("theme", measure="c"), annotate=True),
    lambda p, m: qc.plot.sankey(p, ("depth1", "depth2")),
    lambda p, m: qc.plot.sankey(m, ("vision", "theme", "subtheme", "code")),
    lambda p, m: qc.plot.cooccurrence_network(p.cooccurrence_edges("depth2", labels=True)),
    lambda p, m: qc.plot.cooccurrence_network(m.cooccurrence_edges("code", labels=True)),
], ids=["bars", "columns", "grouped-columns", "cooccurrence-40", "code-document-40x30",
        "code-document-11x19", "annotated", "sankey-2x40", "sankey-4-levels", "network-40",
        "network-59"])
def test_no_two_texts_overlap(draw, megaregions):
    ax = draw(crowded_project(), megaregions)
    # the root Figure (ax.get_figure(root=True) needs matplotlib 3.10)
    figure = ax if isinstance(ax, matplotlib.figure.Figure) else ax.figure.figure
    assert not _overlapping(figure)


def test_long_labels_are_shortened_with_an_ellipsis():
    project = crowded_project()
    ax = qc.plot.heatmap(project.cooccurrence("depth2", labels=True))
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert all(len(t) <= 40 and t.endswith("\u2026") for t in labels)
    assert labels[0] == "A rather long label for the code number\u2026"
    bars = qc.plot.frequencies(project.frequencies("depth2", labels=True))
    assert bars.get_yticklabels()[0].get_text() == "A rather long label for the code number 0 of forty"


def test_sankey_leaves_out_targets_without_codings():
    codes = pd.DataFrame({"code": ["a", "b", "x", "y", "z"], "parent": [None, None, "a", "a", "b"]})
    project = qc.Project(codes, pd.DataFrame({"doc": ["d"]}),
                         pd.DataFrame({"item": ["d:1", "d:2"], "doc": ["d", "d"]}),
                         pd.DataFrame({"item": ["d:1", "d:2"], "code": ["x", "y"]}))
    ax = qc.plot.sankey(project, ("depth1", "depth2"), labels=False)
    drawn = {t.get_text() for t in ax.texts}
    assert {"a (2)", "x (1)", "y (1)"} <= drawn
    assert not [t for t in drawn if t.startswith(("b ", "z "))]


def test_network_hides_labels_it_cannot_place(megaregions):
    ax = qc.plot.cooccurrence_network(megaregions.cooccurrence_edges("code", labels=True))
    shown = [t for t in ax.texts if t.get_visible()]
    assert 0 < len(shown) <= len(ax.texts) == 59
