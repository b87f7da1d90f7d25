"""A self-contained HTML report of a project.

One file, figures inlined as PNG data, no script and no external resource, so
it opens anywhere without a network. Sections, each naming the call that
produced it:

* corpus overview (documents, items, codings, coders; the share of synthetic
  rows when the tables flag them);
* frequencies of every group set and of every hierarchy level with at most
  ``max_targets`` targets, as bar charts (the study's figures 4 to 6);
* the flow of codings from the first group set through the levels (Sankey);
* the code-document heat map by region (or by document);
* cross-tables of the first level against each group set;
* the co-occurrence heat map and network of the finest small level;
* inter-coder agreement (Krippendorff's alpha per target with intervals) when
  the project has several coders;
* a text overview when items carry text: the most frequent terms (words of
  jieba's dictionary when jieba is installed, else character bigrams) and the
  cosine similarity of the documents' TF-IDF term vectors.
"""
from __future__ import annotations

import base64
import datetime as dt
import html
import io
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Optional, Union

import pandas as pd

from ._progress import track
from ._version import __version__

if TYPE_CHECKING:  # pragma: no cover
    from .project import Project

__all__ = ["build_report"]

_CSS = """
body{font-family:-apple-system,"Segoe UI",Roboto,"Noto Sans","Noto Sans CJK SC",sans-serif;
max-width:1100px;margin:2em auto;padding:0 1em;color:#222;line-height:1.45}
h1{font-size:1.7em;margin-bottom:.2em}h2{font-size:1.3em;margin-top:2em;border-bottom:1px solid #ddd}
.call{font-family:monospace;font-size:.85em;color:#555;background:#f4f4f4;padding:.15em .4em}
table{border-collapse:collapse;font-size:.85em;margin:.6em 0}
th,td{border:1px solid #ddd;padding:.25em .55em;text-align:left}th{background:#f4f4f4}
img{max-width:100%;height:auto}
.note{background:#fff8e1;border-left:4px solid #f0b400;padding:.5em .8em}
footer{margin-top:3em;font-size:.8em;color:#777}
"""


def _png(fig) -> str:
    import matplotlib.pyplot as plt

    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=130, bbox_inches="tight")
    plt.close(fig)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def _figure(draw: Callable, alt: str) -> str:
    import matplotlib.pyplot as plt

    ax = draw(None)
    fig = ax.figure
    src = _png(fig)
    plt.close(fig)
    return f'<img src="{src}" alt="{html.escape(alt)}">'


def _table(frame: Union[pd.DataFrame, pd.Series], digits: int = 3) -> str:
    if isinstance(frame, pd.Series):
        frame = frame.to_frame()
    numbers = frame.select_dtypes("number").columns
    frame = frame.assign(**{str(c): frame[c].round(digits) for c in numbers}) \
        if all(isinstance(c, str) for c in numbers) else frame
    return frame.to_html(escape=True, border=0, na_rep="")


class _Page:
    def __init__(self, title: str):
        self.title = title
        self.parts: list[str] = []

    def section(self, heading: str, call: str, *body: str, text: str = "") -> None:
        self.parts.append(
            f"<section><h2>{html.escape(heading)}</h2>"
            f"<p>Produced by <span class=\"call\">{html.escape(call)}</span>. {text}</p>"
            + "".join(body) + "</section>"
        )

    def render(self) -> str:
        stamp = dt.datetime.now().strftime("%Y-%m-%d %H:%M")
        return (
            "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<title>{html.escape(self.title)}</title><style>{_CSS}</style></head><body>"
            f"<h1>{html.escape(self.title)}</h1>" + "".join(self.parts)
            + f"<footer>qdacore {html.escape(__version__)}, {stamp}.</footer></body></html>"
        )


def _dimensions(project: Project, max_targets: int) -> tuple[list, list]:
    """Group sets and hierarchy levels small enough to chart, in codebook order."""
    cb = project.codebook
    sets = [s for s in cb.sets if 0 < len(cb.dimension(s).targets) <= max_targets]
    levels = [lv for lv in cb.levels if 0 < len(cb.dimension(lv).targets) <= max_targets]
    return sets, levels


def _labels(project: Project) -> Union[bool, str]:
    return True if "label" in project.codebook.codes.columns else False


def _terms_analyzer():
    """Words of jieba's dictionary when jieba is installed, else characters."""
    from . import text

    try:
        return text.Segmenter.from_jieba(), "words (jieba's dictionary)"
    except (ImportError, OSError):
        return "char", "character bigrams"


def _text_overview(page: _Page, project: Project) -> None:
    """Top terms of the items' text and the similarity of the documents."""
    if "text" not in project.items.columns:
        return
    import numpy as np

    from . import plot, text

    items = project.items.loc[project.items["text"].notna() & (project.items["text"] != "")]
    if items.empty:
        return
    analyzer, what = _terms_analyzer()
    ngrams = (1, 1) if analyzer != "char" else (2, 2)
    counts = text.term_matrix(items.set_index("item")["text"], analyzer=analyzer, ngram_range=ngrams)
    totals = pd.Series(np.asarray(counts.matrix.sum(axis=0)).ravel(), index=counts.terms)
    totals = totals[totals.index.str.len() >= 2].sort_values(ascending=False).head(20)
    totals.index.name, totals.name = "term", "occurrences"
    shown = "Segmenter.from_jieba()" if analyzer != "char" else repr("char")
    call = f"qdacore.text.term_matrix(items['text'], analyzer={shown}, ngram_range={ngrams})"
    page.section("Top terms of the items", call,
                  _figure(lambda ax: plot.frequencies(totals, ax=ax, title=f"Most frequent {what}"),
                          "Top terms"),
                  text=f"{len(items):,} items with text; terms are {what}, at least two "
                       "characters long.")
    by_doc = items.groupby("doc", sort=False)["text"].agg("\n".join)
    if len(by_doc) >= 2:
        tfidf = text.term_matrix(by_doc, analyzer=analyzer, ngram_range=ngrams, tfidf=True)
        similar = text.similarity(tfidf, measure="cosine")
        page.section("Similarity of the documents' terminology",
                     "qdacore.text.similarity(term_matrix(texts by document, tfidf=True))",
                     _figure(lambda ax: plot.heatmap(similar, ax=ax, annotate=len(similar) <= 25,
                                                     mask_diagonal=True, title="Cosine similarity (TF-IDF)"),
                             "Document similarity"),
                     text="Cosine similarity of TF-IDF term vectors: plans of different regions "
                          "that share terminology score high (the study observes that they do).")


def build_report(project: Project, path: Union[str, Path], *, title: Optional[str] = None,
                 max_targets: int = 40, progress: Optional[bool] = None) -> Path:
    """Write the HTML report of ``project`` to ``path`` and return the path.

    Parameters
    ----------
    project : Project
    path : str or Path
        The ``.html`` file to write (its folder is created).
    title : str, optional
        Heading of the report; defaults to the project's name.
    max_targets : int
        Dimensions with more targets than this are left out of the charts.
    progress : bool, optional
        A progress bar over the frequency charts (terminals and notebooks by
        default; ``QDACORE_PROGRESS=0`` silences it).

    Examples
    --------
    >>> import tempfile, pathlib, qdacore as qc
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     out = qc.report.build_report(qc.datasets.megaregions(), pathlib.Path(tmp) / "r.html")
    ...     "Codings by vision" in out.read_text(encoding="utf-8")
    True
    """
    import matplotlib

    from . import plot

    if matplotlib.get_backend().lower() not in ("agg", "pdf", "svg", "ps", "cairo"):
        matplotlib.use("Agg")
    path = Path(path)
    page = _Page(title or f"qdacore report: {project.name}")
    labels = _labels(project)
    sizes = project.sizes
    codings, items = project.codings, project.items

    # -- overview
    overview = sizes.rename("count").to_frame()
    note = ""
    flagged = [(name, frame) for name, frame in (("items", items), ("codings", codings))
               if "synthetic" in frame.columns]
    if flagged:
        shares = "; ".join(f"{frame['synthetic'].mean():.1%} of the {name}" for name, frame in flagged)
        note = (f'<p class="note">Synthetic rows: {html.escape(shares)} are flagged '
                "<code>synthetic=True</code> (generated, not observed).</p>")
    docs = project.documents.head(50)
    page.section("Corpus overview", "project.sizes", _table(overview), note,
                 "<h3>Documents</h3>", _table(docs.set_index("doc")),
                 text=f"{sizes['documents']} documents, {sizes['items']:,} items and "
                      f"{sizes['codings']:,} codings.")

    # -- frequencies
    sets, levels = _dimensions(project, max_targets)
    for dim in track([*sets, *levels], desc="report charts", progress=progress):
        freq = project.frequencies(dim, labels=labels)
        page.section(f"Codings by {dim}", f"project.frequencies({dim!r}, labels={labels!r})",
                     _figure(lambda ax, f=freq, d=dim: plot.frequencies(
                         f, ax=ax, title=f"Codings by {d}"), f"Codings by {dim}"),
                     text=f"{int(freq.to_numpy().sum()):,} codings reach the {len(freq)} targets.")

    # -- flow
    flow = [*sets[:1], *levels]
    if len(flow) >= 2 and len(codings):
        page.section("Flow of codings", f"qdacore.plot.sankey(project, {tuple(flow)!r})",
                     _figure(lambda ax: plot.sankey(project, flow, ax=ax, labels=labels),
                             "Sankey diagram"),
                     text="Band widths are codings; colours follow the first dimension.")

    if not len(codings):
        page.parts.append("<p>The project has no codings yet: nothing to relate.</p>")
    elif not levels:
        page.parts.append("<p>No hierarchy level is small enough for the tables below.</p>")
    else:
        finest = levels[-1]
        by = "region" if "region" in project.documents.columns else "doc"
        table = project.code_document_table(finest, by=by)
        page.section(f"{finest} by {by}", f"project.code_document_table({finest!r}, by={by!r})",
                     _figure(lambda ax: plot.heatmap(table, ax=ax, title=f"Codings: {finest} x {by}"),
                             f"Code-document table {finest} by {by}"))
        for group_set in sets:
            cross = project.crosstab(levels[0], group_set, margins=True)
            page.section(f"{levels[0]} x {group_set}",
                         f"project.crosstab({levels[0]!r}, {group_set!r}, margins=True)",
                         _table(cross))
        cooc = project.cooccurrence(finest)
        assert isinstance(cooc, pd.DataFrame)  # no by=, so one table
        page.section(f"Co-occurrence of {finest}", f"project.cooccurrence({finest!r})",
                     _figure(lambda ax: plot.heatmap(cooc, ax=ax, mask_diagonal=True,
                                                     title=f"Items carrying both ({finest})"),
                             "Co-occurrence heat map"),
                     text="The diagonal (items per target) is left blank.")
        edges = project.cooccurrence_edges(finest, measures=["count", "c"], labels=labels)
        if len(edges):
            page.section(f"Co-occurrence network of {finest}",
                         f"project.cooccurrence_edges({finest!r}, measures=['count', 'c'])",
                         _figure(lambda ax: plot.cooccurrence_network(edges, ax=ax),
                                 "Co-occurrence network"),
                         _table(edges.sort_values("count", ascending=False).head(15)
                                .reset_index(drop=True)),
                         text="Node area: items per target; edge width: co-occurrences.")

        coders = project.codings["coder"].dropna().nunique() if "coder" in project.codings else 0
        if coders >= 2:
            import warnings

            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)  # NaN rows are shown as blanks
                report = project.agreement_report(finest, n_boot=500)
            page.section(f"Inter-coder agreement on {finest}",
                         f"project.agreement_report({finest!r}, n_boot=500)",
                         f'<img src="{_png(report.figure)}" alt="Agreement per target">',
                         _table(report.table),
                         text=f"Krippendorff's alpha per target over {coders} coders, with 95 % "
                              "bootstrap intervals; 0.667 and 0.8 are Krippendorff's guidelines.")

    _text_overview(page, project)

    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(page.render(), encoding="utf-8")
    return path
