"""Publication plots on matplotlib: frequencies, heat maps, co-occurrence
networks, a vision-theme-sub-theme Sankey diagram and agreement per code.

Every function draws on ``ax`` (a new figure when None) and returns the
matplotlib Axes. Labels in Chinese are drawn with an installed CJK font (Noto
Sans/Serif CJK, Source Han, WenQuanYi, ...): on Debian ``apt-get install
fonts-noto-cjk``; without one a warning says so and the glyphs show as boxes.
matplotlib is installed with qdacore.
"""
from __future__ import annotations

import re
import unicodedata
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Optional

import numpy as np
import pandas as pd

from .cooc import to_networkx

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from .project import Project

__all__ = ["frequencies", "heatmap", "cooccurrence_network", "sankey", "agreement",
           "AgreementReport", "cjk_font", "PALETTE"]

_CJK = re.compile(r"[\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff]")
_CJK_FAMILIES = ("Noto Sans CJK SC", "Noto Sans CJK JP", "Noto Sans CJK", "Noto Serif CJK SC",
                 "Noto Serif CJK JP", "Source Han Sans SC", "Source Han Sans CN",
                 "WenQuanYi Zen Hei", "WenQuanYi Micro Hei", "SimHei", "Microsoft YaHei",
                 "PingFang SC", "Heiti SC", "Droid Sans Fallback", "AR PL UMing CN")
#: Colours of the study's three visions / themes, in codebook order, then others.
PALETTE = ("#4C72B0", "#DD8452", "#55A868", "#C44E52", "#8172B3", "#937860", "#DA8BC3",
           "#8C8C8C", "#CCB974", "#64B5CD", "#2F4B7C", "#A05195")


@lru_cache(maxsize=1)
def cjk_font() -> Optional[str]:
    """Name of an installed font family with CJK glyphs, or None.

    Examples
    --------
    >>> from qdacore.plot import cjk_font
    >>> font = cjk_font()  # e.g. 'Noto Sans CJK JP' where fonts-noto-cjk is installed
    >>> font is None or isinstance(font, str)
    True
    """
    from matplotlib import font_manager

    def known():
        installed = {f.name for f in font_manager.fontManager.ttflist}
        for family in _CJK_FAMILIES:
            if family in installed:
                return family
        return next((n for n in sorted(installed) if "CJK" in n or "WenQuanYi" in n), None)

    found = known()
    if found is None:
        # matplotlib's font cache predates the font's installation: register the
        # system's CJK font files directly (regular weights first)
        files = [f for f in font_manager.findSystemFonts()
                 if re.search(r"cjk|sourcehan|wqy|wenquanyi|simhei|yahei", f, re.I)]
        for path in sorted(files, key=lambda f: ("Regular" not in f, f)):
            try:
                font_manager.fontManager.addfont(path)
            except (OSError, RuntimeError):
                continue
        found = known()
    return found


def _families(texts: Sequence[Any]) -> Optional[list]:
    """Font families for texts: the default plus a CJK font when any text needs one."""
    if not any(_CJK.search(str(t)) for t in texts):
        return None
    font = cjk_font()
    if font is None:
        warnings.warn("labels contain CJK characters but no CJK font is installed; install "
                      "fonts-noto-cjk (Debian/Ubuntu) or another CJK font", stacklevel=3)
        return None
    import matplotlib as mpl

    return [*mpl.rcParams["font.family"], font] if font not in mpl.rcParams["font.family"] \
        else list(mpl.rcParams["font.family"])


def _apply_fonts(ax: Axes, texts: Sequence[Any]) -> None:
    families = _families(texts)
    if families is None:
        return
    ax.tick_params(labelfontfamily=families)
    for text in (ax.title, ax.xaxis.label, ax.yaxis.label):
        text.set_fontfamily(families)
    legend = ax.get_legend()
    if legend is not None:
        for text in legend.get_texts():
            text.set_fontfamily(families)
        legend.get_title().set_fontfamily(families)


def _width(text: str) -> int:
    """Display width of a text: East Asian wide and full-width characters count two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _shorten(text: Any, limit: int) -> str:
    """``text`` cut to at most ``limit`` display columns, ending in an ellipsis
    when cut (CJK characters count two columns)."""
    text = " ".join(str(text).split())
    if _width(text) <= limit:
        return text
    out, used = [], 1
    for c in text:
        used += _width(c)
        if used > limit:
            break
        out.append(c)
    return "".join(out).rstrip() + "\u2026"


def _root_figure(ax: Axes) -> Figure:
    """The top-level Figure that ``ax`` is drawn on, also when it is on a SubFigure.

    A (Sub)Figure's ``figure`` is its root Figure in every matplotlib the package
    supports; ``ax.get_figure(root=True)`` says the same but needs matplotlib 3.10.
    """
    return ax.figure.figure


def _layout(fig) -> Any:
    """Run the figure's layout (constrained layout moves axes) and return a
    renderer that measures text as it will be drawn."""
    fig.draw_without_rendering()
    return fig.canvas.get_renderer()


def _overlap(a, b, pad: float = 0.0) -> bool:
    """Whether two display boxes intersect (by more than ``-pad`` pixels)."""
    return (a.x0 < b.x1 + pad and b.x0 < a.x1 + pad and a.y0 < b.y1 + pad and b.y0 < a.y1 + pad)


def _fit(text, renderer, limit_px: float, name: str, suffix: str = "") -> None:
    """Set a Text artist to ``name + suffix``, ``name`` shortened (with an
    ellipsis) until the whole is at most ``limit_px`` pixels wide."""
    text.set_text(name + suffix)
    if text.get_window_extent(renderer).width <= limit_px:
        return
    low, high = 1, _width(name)
    while low < high:  # the longest shortened name that fits
        middle = (low + high + 1) // 2
        text.set_text(_shorten(name, middle) + suffix)
        if text.get_window_extent(renderer).width <= limit_px:
            low = middle
        else:
            high = middle - 1
    text.set_text(_shorten(name, low) + suffix)


def _spread(want: np.ndarray, gap: float, low: float, high: float) -> np.ndarray:
    """Positions as close as possible (least squares) to ``want`` that keep
    neighbours at least ``gap`` apart, in the order of ``want``, and inside
    [low, high] when they fit there: the isotonic regression of
    ``want - i * gap`` (pool adjacent violators), clipped to the bounds (which
    keeps it the bounded least-squares fit)."""
    order = np.argsort(want, kind="stable")
    n = len(want)
    shifted = want[order] - gap * np.arange(n)
    blocks: list[list[float]] = []  # [mean, weight]
    for value in shifted:
        blocks.append([float(value), 1.0])
        while len(blocks) > 1 and blocks[-2][0] > blocks[-1][0]:
            value_b, weight_b = blocks.pop()
            value_a, weight_a = blocks[-1]
            blocks[-1] = [(value_a * weight_a + value_b * weight_b) / (weight_a + weight_b),
                          weight_a + weight_b]
    fitted = np.concatenate([np.full(int(w), v) for v, w in blocks]) if n else np.zeros(0)
    if n and low <= high - gap * (n - 1):
        fitted = np.clip(fitted, low, high - gap * (n - 1))
    out = np.empty(n)
    out[order] = fitted + gap * np.arange(n)
    return out


def _axes(ax, figsize):
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=figsize, layout="constrained")
    return ax


def frequencies(data: Any, *, ax: Optional[Axes] = None, title: Optional[str] = None,
                horizontal: bool = True, annotate: bool = True, color=None,
                xlabel: Optional[str] = None) -> Axes:
    """Bar chart of :meth:`~qdacore.Project.frequencies` output.

    A Series gives one bar per target (in its order, first at the top when
    horizontal), annotated with counts and shares, as the study's figures 4 to 6;
    a DataFrame (``by=``) gives grouped bars, one colour per column. Labels
    longer than 60 columns (a CJK character counts two) end in an ellipsis.
    Vertical bars turn their labels upright when side by side they would
    overlap, and write counts without shares, or no values, when the values
    would.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import qdacore as qc
    >>> ax = qc.plot.frequencies(qc.datasets.megaregions().frequencies("vision", labels=True))
    >>> [t.get_text() for t in ax.get_yticklabels()][0]
    'Morphological polycentricity'
    """
    if not isinstance(data, (pd.Series, pd.DataFrame)):
        raise TypeError(f"data must be a Series or DataFrame from Project.frequencies, got "
                        f"{type(data).__name__}")
    frame = data.to_frame() if isinstance(data, pd.Series) else data
    if frame.empty:
        raise ValueError("data is empty: nothing to plot")
    n_rows, n_cols = frame.shape
    ax = _axes(ax, (7, 0.3 * n_rows * max(1, n_cols ** 0.5) + 1.2) if horizontal
               else (0.6 * n_rows * max(1, n_cols ** 0.5) + 2, 4.5))
    positions = np.arange(n_rows)
    height = 0.8 / n_cols
    values = frame.to_numpy(dtype=float)
    total = np.nansum(values)
    notes: list = []
    for j, column in enumerate(frame.columns):
        offset = (j - (n_cols - 1) / 2) * height
        colour = color or (PALETTE[j % len(PALETTE)] if n_cols > 1 else PALETTE[0])
        bar = ax.barh if horizontal else ax.bar
        bars = bar(positions + offset, values[:, j], height * 0.95, color=colour,
                   label=str(column) if n_cols > 1 else None)
        if annotate and n_cols == 1 and total > 0:
            notes += ax.bar_label(bars, labels=[f"{v:,.0f} ({100 * v / total:.1f}%)"
                                                for v in values[:, j]], padding=3, fontsize=8)
    labels = [_shorten(i, 60) for i in frame.index]
    if horizontal:
        ax.set_yticks(positions, labels)
        ax.invert_yaxis()
        ax.set_xlabel(xlabel or (str(data.name) if isinstance(data, pd.Series) and data.name else "count"))
        ax.margins(x=0.18)
    else:
        ax.set_xticks(positions, labels)
        ax.set_ylabel(xlabel or "count")
    if n_cols > 1:
        ax.legend(title=frame.columns.name, fontsize=8, frameon=False)
    ax.set_title(title or (f"Codings by {frame.index.name}" if frame.index.name else ""))
    ax.spines[["top", "right"]].set_visible(False)
    _apply_fonts(ax, [*labels, *map(str, frame.columns), title or ""])
    if not horizontal and n_rows > 1:  # side by side: make room where they would overlap
        figure = _root_figure(ax)

        def crowded(texts) -> bool:
            renderer = _layout(figure)
            boxes = sorted((t.get_window_extent(renderer) for t in texts), key=lambda b: b.x0)
            return any(_overlap(a, b, 2) for a, b in zip(boxes, boxes[1:]))

        if crowded(ax.get_xticklabels()):
            ax.tick_params(axis="x", labelrotation=90)
        if notes and crowded(notes):  # counts without shares, else no values
            for note, v in zip(notes, values[:, 0]):
                note.set_text(f"{v:,.0f}")
            if crowded(notes):
                for note in notes:
                    note.remove()
    return ax


def heatmap(table: pd.DataFrame, *, ax: Optional[Axes] = None, title: Optional[str] = None,
            cmap: str = "Blues", annotate: Optional[bool] = None, fmt: Optional[str] = None,
            colorbar: bool = True, mask_diagonal: bool = False) -> Axes:
    """Heat map of a table: a code-document table, a co-occurrence matrix or a
    cross-table. Cells are annotated when the table is small (or ``annotate``).

    No two labels overlap: column labels stand upright when they do not fit
    side by side, tick labels shrink (to 6 points) to fit their cells, labels
    longer than 40 columns (a CJK character counts two) end in an ellipsis, and
    with ``annotate=None`` values are written only when they fit their cells
    (with ``annotate=True`` their font shrinks to fit).

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import qdacore as qc
    >>> ax = qc.plot.heatmap(qc.datasets.megaregions().cooccurrence("theme"), mask_diagonal=True)
    >>> len(ax.texts)
    9
    """
    if not isinstance(table, pd.DataFrame):
        raise TypeError(f"table must be a DataFrame, got {type(table).__name__}")
    if table.empty:
        raise ValueError("table is empty: nothing to plot")
    values = table.to_numpy(dtype=float)
    shown = values.copy()
    if mask_diagonal and values.shape[0] == values.shape[1]:
        np.fill_diagonal(shown, np.nan)
    n_rows, n_cols = values.shape
    own = ax is None
    rows, cols = [_shorten(i, 40) for i in table.index], [_shorten(c, 40) for c in table.columns]
    margin = 0.08 * max(map(_width, rows)) + 1.8  # row labels (10 points), colour bar
    ax = _axes(ax, (min(margin + 0.45 * n_cols, 20), min(1.5 + 0.35 * n_rows, 14)))
    image = ax.imshow(np.ma.masked_invalid(shown), cmap=cmap, aspect="auto")
    ax.set_xticks(np.arange(n_cols), cols)
    ax.set_yticks(np.arange(n_rows), rows)
    ax.set_xlabel(str(table.columns.name or ""))
    ax.set_ylabel(str(table.index.name or ""))
    auto = annotate is None
    if auto:
        annotate = n_rows * n_cols <= 400
    notes = []
    if annotate:
        integral = np.all(np.isnan(values) | (values == np.round(values)))
        fmt = fmt or ("{:,.0f}" if integral else "{:.2f}")
        finite = shown[np.isfinite(shown)]
        middle = (finite.max() + finite.min()) / 2 if finite.size else 0
        for (i, j), v in np.ndenumerate(values):
            if np.isnan(v):
                continue
            dark = np.isfinite(shown[i, j]) and shown[i, j] > middle
            notes.append(ax.text(j, i, fmt.format(v), ha="center", va="center", fontsize=7,
                                 color="white" if dark else "black"))
    if colorbar:
        ax.figure.colorbar(image, ax=ax, shrink=0.8)
    ax.set_title(title or "")
    _apply_fonts(ax, [*rows, *cols, title or ""])
    _fit_heatmap_text(ax, n_rows, n_cols, notes, shrink_notes=not auto, grow=own)
    return ax


def _fit_heatmap_text(ax: Axes, n_rows: int, n_cols: int, notes: list, shrink_notes: bool,
                      grow: bool) -> None:
    """Tick labels that fit their cells (smaller, or upright, the figure made
    taller for them when it is the heat map's own), and cell values only where
    they fit (or shrunk to fit)."""
    figure = _root_figure(ax)
    renderer = _layout(figure)
    points = 72 / figure.dpi
    box = ax.get_window_extent(renderer)
    cell_w, cell_h = box.width / n_cols, box.height / n_rows
    ax.tick_params(axis="y", labelsize=float(np.clip(0.75 * cell_h * points, 6, 10)))
    ax.tick_params(axis="x", labelsize=float(np.clip(0.75 * cell_w * points, 6, 10)))
    ticks = ax.get_xticklabels()
    widest = max((t.get_window_extent(renderer).width for t in ticks), default=0)
    if widest > 0.9 * cell_w:
        ax.tick_params(axis="x", labelrotation=90)
        if grow:
            width, height = figure.get_size_inches()
            figure.set_size_inches(width, height + widest / figure.dpi)
    if not notes:
        return
    renderer = _layout(figure)
    box = ax.get_window_extent(renderer)
    cell_w, cell_h = box.width / n_cols, box.height / n_rows
    for size in (7, 6, 5) if shrink_notes else (7,):
        for note in notes:
            note.set_fontsize(size)
        extents = [n.get_window_extent(renderer) for n in notes]
        if all(e.width <= 0.92 * cell_w and e.height <= 0.92 * cell_h for e in extents):
            return
    if not shrink_notes:
        for note in notes:
            note.remove()


def cooccurrence_network(edges: pd.DataFrame, *, ax: Optional[Axes] = None,
                         weight: str = "count", layout: str = "spring", seed: int = 0,
                         title: Optional[str] = None, max_width: float = 6.0) -> Axes:
    """Network of :meth:`~qdacore.Project.cooccurrence_edges`: node area by the
    target's frequency, edge width by ``weight``. Needs networkx.

    Node labels longer than 24 columns (a CJK character counts two) end in an
    ellipsis. Labels never overlap: from the most frequent node down, a label
    that would overlap one already placed moves beside its node (above, below,
    right, left) or, when every place is taken, is hidden (``visible`` False in
    ``ax.texts``).

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import qdacore as qc
    >>> edges = qc.datasets.megaregions().cooccurrence_edges("subtheme")
    >>> ax = qc.plot.cooccurrence_network(edges)
    >>> len([t for t in ax.texts if t.get_text()])
    11
    """
    import networkx as nx

    if layout not in ("spring", "circular", "kamada_kawai"):
        raise ValueError(f"layout must be 'spring', 'circular' or 'kamada_kawai', got {layout!r}")
    graph = to_networkx(edges, weight=weight)
    if graph.number_of_nodes() == 0:
        raise ValueError("edges is empty and knows no nodes: nothing to plot")
    ax = _axes(ax, (7, 6))
    if layout == "spring":
        pos = nx.spring_layout(graph, weight="weight", seed=seed)
    elif layout == "circular":
        pos = nx.circular_layout(graph)
    else:
        pos = nx.kamada_kawai_layout(graph)
    nodes = list(graph.nodes)
    freq = np.array([graph.nodes[n].get("frequency", 1) for n in nodes], dtype=float)
    sizes = 300 + 2200 * freq / freq.max() if freq.max() > 0 else np.full(len(freq), 300.0)
    w = np.array([graph.edges[e]["weight"] for e in graph.edges], dtype=float)
    widths = 0.5 + max_width * w / w.max() if len(w) and w.max() > 0 else []
    nx.draw_networkx_edges(graph, pos, ax=ax, width=widths, alpha=0.45, edge_color="#555555")
    nx.draw_networkx_nodes(graph, pos, ax=ax, nodelist=nodes, node_size=sizes,
                           node_color=PALETTE[0], alpha=0.85)
    families = _families(nodes) or None
    texts = nx.draw_networkx_labels(graph, pos, labels={n: _shorten(n, 24) for n in nodes}, ax=ax,
                                    font_size=8, font_family=families if families else "sans-serif")
    ax.set_title(title or f"Co-occurrence network ({edges.attrs.get('context', 'item')})")
    ax.margins(0.15)
    ax.axis("off")
    order = np.argsort(-freq, kind="stable")
    _place_labels(ax, [texts[nodes[i]] for i in order], [float(np.sqrt(sizes[i]) / 2) for i in order])
    return ax


def _place_labels(ax: Axes, texts: list, radii: list) -> None:
    """Keep labels (most important first) from overlapping: a label that meets
    one already placed tries the four sides of its node (``radii`` in points),
    then is hidden."""
    from matplotlib.transforms import offset_copy

    figure = _root_figure(ax)
    renderer = _layout(figure)
    placed = [ax.title.get_window_extent(renderer)] if ax.title.get_text() else []
    # browsers draw a line of text about 1.2 em high, matplotlib measures about 1.05 em
    pad = 1 + 0.15 * max((t.get_fontsize() for t in texts), default=0) * figure.dpi / 72
    for text, radius in zip(texts, radii):
        reach = radius + 2
        for dx, dy, ha, va in ((0, 0, "center", "center"), (0, reach, "center", "bottom"),
                               (0, -reach, "center", "top"), (reach, 0, "left", "center"),
                               (-reach, 0, "right", "center")):
            text.set_transform(offset_copy(ax.transData, figure, x=dx, y=dy, units="points"))
            text.set_horizontalalignment(ha)
            text.set_verticalalignment(va)
            box = text.get_window_extent(renderer)
            if not any(_overlap(box, other, pad) for other in placed):
                placed.append(box)
                break
        else:
            text.set_visible(False)


def _band(ax, x0, x1, y0_top, y0_bottom, y1_top, y1_bottom, colour):
    """A smooth band between two vertical intervals (a Sankey flow)."""
    from matplotlib.patches import PathPatch
    from matplotlib.path import Path

    mid = (x0 + x1) / 2
    verts = [(x0, y0_top), (mid, y0_top), (mid, y1_top), (x1, y1_top),
             (x1, y1_bottom), (mid, y1_bottom), (mid, y0_bottom), (x0, y0_bottom), (x0, y0_top)]
    codes = [Path.MOVETO, Path.CURVE4, Path.CURVE4, Path.CURVE4, Path.LINETO,
             Path.CURVE4, Path.CURVE4, Path.CURVE4, Path.CLOSEPOLY]
    ax.add_patch(PathPatch(Path(verts, codes), facecolor=colour, edgecolor="none", alpha=0.45))


def sankey(project: Project, levels: Sequence[str] = ("vision", "theme", "subtheme"), *,
           ax: Optional[Axes] = None, labels: Any = True, title: Optional[str] = None,
           gap: float = 0.02) -> Axes:
    """Sankey diagram of codings flowing through codebook dimensions, e.g. vision
    to theme to sub-theme: node heights are codings per target, bands are
    :meth:`~qdacore.Project.crosstab` counts (``unit="coding"``) of neighbouring
    dimensions, coloured by the first dimension.

    Targets without codings get no node. Labels stand left of the first
    column and right of the others, spread apart where nodes are thin (a thin
    line leads from a moved label to its node), and shortened with an
    ellipsis to the room before the next column, so that no two overlap.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import qdacore as qc
    >>> ax = qc.plot.sankey(qc.datasets.megaregions())
    >>> len(ax.patches) > 11
    True
    """
    from matplotlib.patches import Rectangle

    if len(levels) < 2:
        raise ValueError("levels must name at least two codebook dimensions")
    freqs = [project.frequencies(level) for level in levels]
    total = max(float(f.to_numpy().sum()) for f in freqs)
    if total == 0:
        raise ValueError("the project has no codings at these levels: nothing to plot")
    keep = [np.flatnonzero(f.to_numpy() > 0) for f in freqs]
    counts = [f.to_numpy()[k] for f, k in zip(freqs, keep)]
    names = [[str(n) for n in project.codebook.targets(level, labels=labels)[k]]
             for level, k in zip(levels, keep)]
    ax = _axes(ax, (10, max(5.0, 0.2 * max(len(k) for k in keep) + 1.5)))
    layout = []  # per column: top y of each node (flows stack downwards)
    for c in counts:
        heights = c.astype(float) / total
        space = gap * max(len(c) - 1, 0)
        tops = 1 + space / 2 - np.r_[0, np.cumsum(heights + gap)[:-1]]
        layout.append((tops, heights))
    for col, (tops, heights) in enumerate(layout):
        for i, (top, h) in enumerate(zip(tops, heights)):
            colour = PALETTE[i % len(PALETTE)] if col == 0 else "#7f7f7f"
            ax.add_patch(Rectangle((col - 0.02, top - h), 0.04, h, facecolor=colour,
                                   edgecolor="none"))
    # bands take the colour of the first-level target their source mostly comes from
    colours = [PALETTE[i % len(PALETTE)] for i in range(len(keep[0]))]
    for col in range(len(levels) - 1):
        cross = project.crosstab(levels[col], levels[col + 1]).to_numpy(dtype=float)
        flows = cross[np.ix_(keep[col], keep[col + 1])] / total
        (tops_a, _), (tops_b, _) = layout[col], layout[col + 1]
        out_used = np.zeros(len(tops_a))
        in_used = np.zeros(len(tops_b))
        for i in range(len(tops_a)):
            for j in range(len(tops_b)):
                w = flows[i, j]
                if w <= 0:
                    continue
                y0, y1 = tops_a[i] - out_used[i], tops_b[j] - in_used[j]
                _band(ax, col + 0.02, col + 1 - 0.02, y0, y0 - w, y1, y1 - w, colours[i])
                out_used[i] += w
                in_used[j] += w
        colours = [colours[int(np.argmax(flows[:, j]))] if flows[:, j].sum() > 0 else "#7f7f7f"
                   for j in range(len(tops_b))]
    top = max(t[0][0] for t in layout)
    bottom = min(t[0][-1] - t[1][-1] for t in layout)
    ax.set_xlim(-0.8, len(levels) - 0.2)
    ax.set_ylim(bottom - 0.03, top + 0.1)
    headers = [ax.text(col, top + 0.04, level, ha="center", va="bottom", fontsize=10,
                       weight="bold") for col, level in enumerate(levels)]
    ax.axis("off")
    ax.set_title(title or " \u2192 ".join(levels))
    families = _families([*levels, *(n for ns in names for n in ns)])
    if families:
        for text in headers:
            text.set_fontfamily(families)
    _sankey_labels(ax, layout, counts, names, families, top)
    return ax


def _sankey_labels(ax: Axes, layout: list, counts: list, names: list, families: Optional[list],
                   top: float) -> None:
    """Node labels spread apart, each inside the room left by its neighbours."""
    figure = ax.figure
    renderer = _layout(figure)
    box = ax.get_window_extent(renderer)
    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    px_x, px_y = box.width / (x1 - x0), box.height / (y1 - y0)  # pixels per data unit
    size = 8
    step = 1.4 * size * figure.dpi / 72 / px_y  # a line of labels (browsers: 1.2 em), in data units
    last = len(layout) - 1
    for col, ((tops, heights), c, ns) in enumerate(zip(layout, counts, names)):
        want = tops - heights / 2
        at = _spread(want, step, y0 + step / 2, top + 0.04 - step * 0.7)
        left = col == 0
        x = col - 0.03 if left else col + 0.03
        room = (0.75 if left or col == last else 0.9) * px_x
        for y_want, y, name, n in zip(want, at, ns, c):
            text = ax.text(x, y, "", ha="right" if left else "left", va="center", fontsize=size)
            if families:
                text.set_fontfamily(families)
            if not left and col != last:
                text.set_bbox({"facecolor": "white", "alpha": 0.6, "edgecolor": "none",
                               "pad": 0.5})
            _fit(text, renderer, room, name, f" ({n:,})")
            if abs(y - y_want) > step * 0.3:
                ax.plot([col - 0.02 if left else col + 0.02, x], [y_want, y], color="#999999",
                        linewidth=0.5)


def agreement(table: pd.DataFrame, *, ax: Optional[Axes] = None,
              title: Optional[str] = None) -> Figure:
    """Dot plot of :meth:`~qdacore.Project.agreement` output: one dot per code
    with its bootstrap interval, the pooled value as a dotted line and, for
    Krippendorff's alpha, Krippendorff's (2004) guidelines 0.667 and 0.800.

    Returns the figure (drawn on ``ax`` when given).

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import qdacore as qc
    >>> table = qc.datasets.megaregions(n_coders=2).agreement("theme", n_boot=100)
    >>> figure = qc.plot.agreement(table)
    >>> [t.get_text() for t in figure.axes[0].get_yticklabels()]
    ['COO', 'CON', 'COE']
    """
    method = table.attrs.get("method")
    if method is None or method not in table.columns or "(all)" not in table.index:
        raise ValueError("table must be the output of Project.agreement (it names its method "
                         "in attrs and ends with the (all) row)")
    shown = table.drop(index="(all)").sort_values(method)
    ax = _axes(ax, (7, 0.3 * len(shown) + 1.5))
    y = np.arange(len(shown))
    ax.errorbar(shown[method], y, xerr=[shown[method] - shown["ci_low"],
                                         shown["ci_high"] - shown[method]],
                fmt="o", color=PALETTE[0], ecolor="#999999", capsize=2)
    overall = table.loc["(all)", method]
    ax.axvline(overall, color=PALETTE[0], linestyle=":", label=f"all codes: {overall:.3f}")
    if method == "krippendorff":
        ax.axvline(0.667, color="#C44E52", linewidth=0.8, label="0.667 (tentative)")
        ax.axvline(0.8, color="#55A868", linewidth=0.8, label="0.800 (reliable)")
    ax.set_yticks(y, [str(i) for i in shown.index])
    coders = ", ".join(map(str, table.attrs.get("coders", [])))
    ax.set_xlabel(f"{method} ({table.attrs.get('unit', 'item')}s, {coders})")
    ax.legend(fontsize=8, frameon=False, loc="lower left")
    ax.set_title(title or f"Agreement per {table.index.name}")
    _apply_fonts(ax, list(shown.index))
    import matplotlib.pyplot as plt

    figure = _root_figure(ax)
    plt.close(figure)
    return figure


@dataclass
class AgreementReport:
    """A table and a figure of per-code agreement, shown together in Jupyter
    (what :meth:`~qdacore.Project.agreement_report` returns).

    Examples
    --------
    >>> import qdacore as qc
    >>> report = qc.datasets.megaregions(n_coders=2).agreement_report("theme", n_boot=100)
    >>> report._repr_html_().startswith("<table")
    True
    """

    table: pd.DataFrame
    figure: Any

    def _repr_html_(self) -> str:
        import base64
        import io

        buffer = io.BytesIO()
        self.figure.savefig(buffer, format="png", dpi=110, bbox_inches="tight")
        image = base64.b64encode(buffer.getvalue()).decode("ascii")
        return (self.table.round(3).to_html() +
                f'<img src="data:image/png;base64,{image}" alt="agreement per code">')
