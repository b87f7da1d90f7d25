"""A self-contained HTML report of a project, small enough to mail.

One file, no script and no external resource, so it opens anywhere without a
network. Charts are inline SVG with their text as text (searchable, sharp at
any zoom, and measurable: a test renders the report in headless Chromium and
checks that no two labels of a chart overlap). Sections, each naming the call
that produced it:

* corpus overview: counts, the share of synthetic rows when the tables flag
  them, and the documents as metadata and lengths (never their text, never the
  GUIDs or names of the users who made them);
* the codebook dimensions and which of them are charted: those with the most
  codings, and with 2 to ``max_targets`` coded targets (not the first or the
  finest by position);
* frequencies of the charted group sets and hierarchy levels, as bar charts
  (the study's figures 4 to 6), and the flow of codings through them (Sankey);
* the focus level (the charted hierarchy level with the most codings; of
  levels within 5 % of the most, the one with the most coded targets): its
  code-document heat map, its cross-tables against the group sets, its
  co-occurrence heat map, network and strongest pairs (the context is named:
  the project's default, or overlapping coded spans when the default finds no
  pair), and inter-coder agreement when the project has several coders;
* top words of the items' text (or the documents' when items carry none):
  words of jieba's dictionary for Chinese, words of letters for other text,
  without punctuation, numbers, outline numbering and the stop words shipped
  in ``qdacore/text/data`` (``stopwords-zh.txt``, ``stopwords-en.txt``); with
  ``width=`` a few keyword-in-context excerpts; and the similarity of the
  documents' terminology.

Labels (the codebook's ``label`` column, else ``name``) are on every axis;
code ids appear only in tooltips (SVG ``<title>``) and in the dimensions
table. Labels are shortened with an ellipsis where room is short; the tooltip
holds the whole label.

Size: a report is at most :data:`MAX_BYTES` (1,000,000 bytes). Charts are
compact SVG (a heat map's cells one small PNG), tables are capped (50
documents, 40 targets, 15 pairs), no source text is copied (excerpts are off
by default and each is at most 2 x 40 characters of context around a word),
and a section that would pass the bound is replaced by a note saying so.
"""
from __future__ import annotations

import datetime as dt
import html
import io
import re
import warnings
from collections.abc import Callable, Iterable, Sequence
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, Optional, Union

import numpy as np
import pandas as pd

from . import _report_words as words
from ._progress import track
from ._version import __version__

if TYPE_CHECKING:  # pragma: no cover
    from .project import Project

__all__ = ["MAX_BYTES", "build_report"]

#: Largest size of a report in bytes (UTF-8): sections that would pass it are
#: replaced by a note.
MAX_BYTES = 1_000_000

_RESERVE = 4_000  # bytes kept for the notes of left-out sections and the footer
_MAX_DOCUMENTS = 50  # rows of the documents table
_MAX_COLUMNS = 30  # documents (or regions) in the code-document heat map
_TOP_WORDS = 20
_FOCUS_TIE = 0.05  # levels within this share of the most codings tie for the focus
_MIN_COVERAGE = 0.25  # dimensions with fewer codings than this share of the most are not charted

_CSS = """
body{font-family:-apple-system,"Segoe UI",Roboto,"Noto Sans","Noto Sans CJK SC",sans-serif;
max-width:1100px;margin:2em auto;padding:0 1em;color:#222;line-height:1.45}
h1{font-size:1.7em;margin-bottom:.2em}h2{font-size:1.3em;margin-top:2em;border-bottom:1px solid #ddd}
.call{font-family:monospace;font-size:.85em;color:#555;background:#f4f4f4;padding:.15em .4em}
table{border-collapse:collapse;font-size:.85em;margin:.6em 0}
th,td{border:1px solid #ddd;padding:.25em .55em;text-align:left}th{background:#f4f4f4}
figure{margin:.8em 0}figure svg{max-width:100%;height:auto}
svg text{font-family:"DejaVu Sans","Bitstream Vera Sans",Verdana,"Noto Sans CJK SC",
"Noto Sans CJK JP","Source Han Sans SC","WenQuanYi Zen Hei","Microsoft YaHei","PingFang SC",sans-serif}
svg *{stroke-linejoin:round;stroke-linecap:butt}
mark{background:#fff3b0}
.note{background:#fff8e1;border-left:4px solid #f0b400;padding:.5em .8em}
footer{margin-top:3em;font-size:.8em;color:#777}
"""

words.ELLIPSIS = "\u2026"


# -- the page ----------------------------------------------------------------------------

class _Page:
    """The report's sections, kept under MAX_BYTES."""

    def __init__(self, title: str):
        self.title = title
        self.parts: list[str] = []
        self.size = 2_000 + len(_CSS) + 2 * len(title.encode("utf-8"))
        self.left_out: list[str] = []
        self.charts = 0

    def section(self, heading: str, call: str, *body: str, text: str = "") -> None:
        part = (f"<section><h2>{html.escape(heading)}</h2>"
                f"<p>Produced by <span class=\"call\">{html.escape(call)}</span>. {text}</p>"
                + "".join(body) + "</section>")
        self.add(part, heading)

    def add(self, part: str, heading: str = "") -> None:
        size = len(part.encode("utf-8"))
        if self.size + size > MAX_BYTES - _RESERVE:
            self.left_out.append(heading or "a note")
            return
        self.parts.append(part)
        self.size += size

    def chart(self, draw: Callable[[], Any], alt: str, tips: Optional[dict] = None) -> str:
        """A figure as inline SVG, its ids prefixed so that charts do not clash."""
        self.charts += 1
        return _svg(draw(), f"c{self.charts}", alt, tips or {})

    def render(self) -> str:
        stamp = dt.datetime.now().strftime("%Y-%m-%d %H:%M")
        notes = ""
        if self.left_out:
            notes = ('<p class="note">Left out to keep the report under '
                     f"{MAX_BYTES:,} bytes: {html.escape(', '.join(self.left_out))}.</p>")
        body = "".join(self.parts) + notes
        size = self.size + len(notes.encode("utf-8"))
        return (
            "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<title>{html.escape(self.title)}</title><style>{_CSS}</style></head><body>"
            f"<h1>{html.escape(self.title)}</h1>" + body
            + f"<footer>qdacore {html.escape(__version__)}, {stamp}. About {size / 1000:,.0f} kB: "
            f"reports stay under {MAX_BYTES:,} bytes (charts as inline SVG, tables capped, "
            "no source text beyond optional short excerpts).</footer></body></html>"
        )


def _svg(figure_or_axes: Any, key: str, alt: str, tips: dict) -> str:
    """SVG markup of a matplotlib figure (or the figure of an Axes): text kept
    as text, ids prefixed with ``key``, fonts left to the page's style, and a
    ``<title>`` tooltip on every text found in ``tips`` (text -> tooltip)."""
    import matplotlib
    import matplotlib.pyplot as plt
    from matplotlib.figure import Figure

    # an Axes' (sub)figure's figure is the root one (get_figure(root=True) needs matplotlib 3.10)
    fig = figure_or_axes if isinstance(figure_or_axes, Figure) else figure_or_axes.figure.figure
    buffer = io.StringIO()
    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": key,
                                "svg.image_inline": True}):
        fig.savefig(buffer, format="svg", bbox_inches="tight", pad_inches=0.05,
                    metadata={"Date": None})
    plt.close(fig)
    svg = buffer.getvalue()
    svg = svg[svg.index("<svg"):]
    svg = re.sub(r"<metadata>.*?</metadata>\s*", "", svg, flags=re.S)
    svg = re.sub(r"<style[^>]*>.*?</style>\s*", "", svg, flags=re.S)
    svg = re.sub(r"font-family: [^;\"]*;? ?", "", svg)
    svg = re.sub(r"\n\s*", "\n", svg)
    # coordinates to 1/100 point, inside tags only (drawn text keeps its digits)
    svg = re.sub(r"<[^>]+>", lambda tag: re.sub(r"(\d\.\d\d)\d+", r"\1", tag[0]), svg)
    svg = re.sub(r'\bid="([^"]+)"', rf'id="{key}-\1"', svg)
    svg = re.sub(r'url\(#([^)]+)\)', rf'url(#{key}-\1)', svg)
    svg = re.sub(r'xlink:href="#([^"]+)"', rf'xlink:href="#{key}-\1"', svg)
    svg = svg.replace("<svg ", f'<svg role="img" aria-label="{html.escape(alt)}" ', 1)
    if tips:
        svg = re.sub(r"(<text\b[^>]*>)([^<]*)(</text>)",
                     lambda m: m[1] + _tip(html.unescape(m[2]), tips) + m[2] + m[3], svg)
    return f"<figure>{svg}</figure>"


def _tip(shown: str, tips: dict) -> str:
    """The ``<title>`` of a label drawn as ``shown``: whole, or shortened with an
    ellipsis, maybe followed by a count in parentheses."""
    base = re.sub(r" \([\d,]+\)$", "", shown)
    tip = tips.get(base)
    if tip is None and base.endswith(words.ELLIPSIS):  # shortened: the labels it may stand for
        stem = base[:-1]
        found = sorted({v for k, v in tips.items() if k.startswith(stem)})
        tip = " | ".join(found) if 0 < len(found) <= 3 else None
    return f"<title>{html.escape(tip)}</title>" if tip else ""


def _table(frame: Union[pd.DataFrame, pd.Series], digits: int = 3) -> str:
    if isinstance(frame, pd.Series):
        frame = frame.to_frame()
    numbers = frame.select_dtypes("number").columns
    if all(isinstance(c, str) for c in numbers):
        frame = frame.assign(**{str(c): frame[c].round(digits) for c in numbers})
    return frame.to_html(escape=True, border=0, na_rep="")


def _short(value: Any, limit: int = 60) -> Any:
    """A cell of metadata: white space collapsed, at most ``limit`` characters."""
    if not isinstance(value, str):
        return value
    value = " ".join(value.split())
    return value if len(value) <= limit else value[:limit - 1].rstrip() + words.ELLIPSIS


# -- what to chart -----------------------------------------------------------------------

def _label_column(project: Project) -> Union[bool, str]:
    """The labels shown: the codebook's ``label`` column, else ``name``, else ids."""
    columns = project.codebook.codes.columns
    return True if "label" in columns else "name" if "name" in columns else False


def _dimensions(project: Project, max_targets: int, labels: Union[bool, str]) -> pd.DataFrame:
    """Every group set and hierarchy level: its targets, coded targets, codings,
    whether it is charted and why not."""
    cb = project.codebook
    rows = []
    for kind, names in (("group set", cb.sets), ("level", cb.levels)):
        for name in names:
            counts = project.frequencies(name).to_numpy()
            rows.append({"dimension": name, "kind": kind, "targets": len(counts),
                         "coded targets": int((counts > 0).sum()), "codings": int(counts.sum())})
    table = pd.DataFrame(rows, columns=["dimension", "kind", "targets", "coded targets", "codings"])
    most = table["codings"].max() if len(table) else 0
    reasons = []
    for row in table.itertuples(index=False):
        coded, codings = row[3], row[4]
        reasons.append(
            "no codings" if codings == 0
            else "one coded target" if coded < 2
            else f"more than {max_targets} coded targets" if coded > max_targets
            else f"few codings ({codings:,} of the most, {most:,})" if codings < _MIN_COVERAGE * most
            else "")
    table["charted"] = np.array([not r for r in reasons], dtype=bool)
    table["why not"] = reasons
    return table


def _focus(dims: pd.DataFrame) -> Optional[str]:
    """The charted hierarchy level (else group set) with the most codings; of
    those within 5 % of the most, the one with the most coded targets."""
    for kind in ("level", "group set"):
        charted = dims.loc[(dims["charted"] & (dims["kind"] == kind)).to_numpy(dtype=bool)]
        if len(charted):
            near = charted[charted["codings"] >= (1 - _FOCUS_TIE) * charted["codings"].max()]
            return str(near.sort_values(["coded targets", "codings"], ascending=False,
                                        kind="stable")["dimension"].iloc[0])
    return None


def _tips(project: Project, level: Optional[str], labels: Union[bool, str]) -> dict:
    """label -> tooltip naming the target's id (and the whole label)."""
    ids = project.codebook.targets(level)
    shown = project.codebook.targets(level, labels=labels) if labels is not False else ids
    tips: dict = {}
    for label, target in zip(map(str, shown), map(str, ids)):
        tip = label if label == target else f"{label} (id: {target})"
        tips[label] = tip if label not in tips else f"{tips[label]} | {tip}"
    return tips


def _coded(table: pd.DataFrame) -> pd.DataFrame:
    """Rows and columns of a table with some count."""
    values = table.to_numpy(dtype=float)
    return table.loc[np.nansum(values, axis=1) > 0, np.nansum(values, axis=0) > 0]


# -- sections ----------------------------------------------------------------------------

def _documents(project: Project) -> pd.DataFrame:
    """The documents as metadata and lengths: no text, no GUIDs, no user names."""
    docs = project.documents
    hidden = [c for c in docs.columns if c == "text" or "guid" in str(c).lower()
              or str(c).endswith("_by") or str(c).startswith("set:")]
    table = docs.drop(columns=hidden)
    if "name" in table.columns and table["name"].astype(str).equals(table["doc"].astype(str)):
        table = table.drop(columns="name")
    sets = [c for c in docs.columns if str(c).startswith("set:")]
    if sets:
        member = docs[sets].fillna(False).astype(bool).to_numpy()
        names = np.array([str(c)[4:] for c in sets], dtype=object)
        table["sets"] = [", ".join(names[row]) for row in member]
    if "text" in docs.columns:
        table["characters"] = docs["text"].str.len().astype("Int64")
    items = project.items
    table["items"] = table["doc"].map(items["doc"].value_counts()).fillna(0).astype(int)
    coded = project.codings["item"].map(items.set_index("item")["doc"]) if len(items) else None
    table["codings"] = table["doc"].map(coded.value_counts() if coded is not None else {}) \
        .fillna(0).astype(int)
    for column in table.columns:
        if pd.api.types.is_datetime64_any_dtype(table[column]):
            table[column] = table[column].dt.strftime("%Y-%m-%d")
        elif table[column].dtype == object or pd.api.types.is_string_dtype(table[column]):
            table[column] = table[column].map(_short)
    return table.set_index("doc")


def _overview(page: _Page, project: Project) -> None:
    sizes = project.sizes
    note = ""
    flagged = [(name, frame) for name, frame in (("items", project.items),
                                                  ("codings", project.codings))
               if "synthetic" in frame.columns and len(frame)]
    if flagged:
        shares = "; ".join(f"{frame['synthetic'].mean():.1%} of the {name}" for name, frame in flagged)
        note = (f'<p class="note">Synthetic rows: {html.escape(shares)} are flagged '
                "<code>synthetic=True</code> (generated, not observed).</p>")
    docs = _documents(project)
    more = (f"<p>{len(docs) - _MAX_DOCUMENTS:,} more documents are not listed.</p>"
            if len(docs) > _MAX_DOCUMENTS else "")
    page.section("Corpus overview", "project.sizes", _table(sizes.rename("count").to_frame()), note,
                 "<h3>Documents</h3>", _table(docs.head(_MAX_DOCUMENTS)), more,
                 text=f"{sizes['documents']} documents, {sizes['items']:,} items and "
                      f"{sizes['codings']:,} codings. Documents are listed by their metadata "
                      "and lengths (characters of text, items, codings); their text and the "
                      "users who made them are not part of the report.")


def _frequency_sections(page: _Page, project: Project, charted: list, labels: Union[bool, str],
                        progress: Optional[bool]) -> None:
    from . import plot

    for dim in track(charted, desc="report charts", progress=progress):
        freq = project.frequencies(dim, labels=labels)
        shown = freq[freq.to_numpy() > 0]
        left = len(freq) - len(shown)
        chart = page.chart(partial(plot.frequencies, shown, title=f"Codings by {dim}"),
                           f"Codings by {dim}", _tips(project, dim, labels))
        page.section(f"Codings by {dim}", f"project.frequencies({dim!r}, labels={labels!r})", chart,
                     text=f"{int(freq.to_numpy().sum()):,} codings reach the {len(shown)} coded "
                          f"targets" + (f"; {left} targets without codings are not drawn." if left
                                        else "."))


def _cooccurrence(project: Project, level: str, labels: Union[bool, str]) -> tuple:
    """The co-occurrence table in the context the project's shape gives
    (:func:`qdacore.cooc.default_context`). Returns (table, context, call)."""
    call = f"project.cooccurrence({level!r}, labels={labels!r})"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # the section says when nothing co-occurs
        table = project.cooccurrence(level, labels=labels)
    assert isinstance(table, pd.DataFrame)  # no by=, so one table
    return table, table.attrs["context"], call


_CONTEXTS = {
    "item": "two targets co-occur in an item (a coded unit) that carries both; the diagonal "
            "counts the items carrying a target",
    "document": "two targets co-occur in a document that carries both",
    "span": "two targets co-occur where their coded spans overlap or one lies within the "
            "other (the rule of ATLAS.ti's and NVivo's co-occurrence tables); each pair of "
            "overlapping quotations counts once and the diagonal counts quotations",
    "window": "two targets co-occur in items a few positions apart",
}


def _relations(page: _Page, project: Project, focus: str, dims: pd.DataFrame,
               labels: Union[bool, str], coders: Optional[Sequence[Any]]) -> None:
    from . import plot

    tips = _tips(project, focus, labels)
    by = "region" if "region" in project.documents.columns else "doc"
    table = _coded(project.code_document_table(focus, by=by, labels=labels))
    if table.shape[1] > _MAX_COLUMNS:
        table = table[table.sum().sort_values(ascending=False, kind="stable").index[:_MAX_COLUMNS]]
    if table.size:
        page.section(f"{focus} by {by}",
                     f"project.code_document_table({focus!r}, by={by!r}, labels={labels!r})",
                     page.chart(lambda: plot.heatmap(table, title=f"Codings: {focus} x {by}"),
                                f"Code-document table {focus} by {by}", tips),
                     text=f"Coded targets and the {table.shape[1]} {by} values with codings"
                          + (f" (the {_MAX_COLUMNS} with the most)" if table.shape[1] == _MAX_COLUMNS
                             else "") + ".")
    sets = dims.loc[(dims["charted"] & (dims["kind"] == "group set")).to_numpy(dtype=bool),
                    "dimension"].tolist()
    for group_set in sets:
        if group_set == focus:
            continue
        cross = _coded(project.crosstab(focus, group_set, labels=labels))
        if cross.size:
            cross = pd.concat([cross, cross.sum().rename("Total").to_frame().T])
            cross["Total"] = cross.sum(axis=1)
            page.section(f"{focus} x {group_set}",
                         f"project.crosstab({focus!r}, {group_set!r}, labels={labels!r})",
                         _table(cross), text="Codings; coded targets only, with totals.")

    cooc, context, call = _cooccurrence(project, focus, labels)
    values = cooc.to_numpy(dtype=float)
    off = values - np.diag(np.diag(values))
    linked = off.any(axis=0) | off.any(axis=1)
    explained = (f"Context: <b>{html.escape(context)}</b>: {_CONTEXTS.get(context, '')}.")
    if not linked.any():
        page.section(f"Co-occurrence of {focus}", call,
                     text=f"{explained} No two targets of {focus} co-occur.")
    else:
        shown = cooc.loc[linked, linked]
        page.section(f"Co-occurrence of {focus}", call,
                     page.chart(lambda: plot.heatmap(shown, mask_diagonal=True,
                                                     title=f"Co-occurrence of {focus} ({context})"),
                                "Co-occurrence heat map", tips),
                     text=f"{explained} The diagonal is left blank; "
                          + (f"{int((~linked).sum())} targets that co-occur with none are not "
                             "drawn." if (~linked).any() else "every coded target is drawn."))
        edges = project.cooccurrence_edges(focus, measures=["count", "c"], labels=labels)
        if len(edges):
            nodes = set(edges["source"]) | set(edges["target"])
            edges.attrs["node_frequency"] = {k: v for k, v in
                                             edges.attrs.get("node_frequency", {}).items()
                                             if k in nodes}
            edges.attrs["context"] = context
            hidden: list = []

            def network():
                ax = plot.cooccurrence_network(edges)
                hidden.extend(t for t in ax.texts if not t.get_visible())
                return ax

            chart = page.chart(network, "Co-occurrence network", tips)
            strongest = edges.sort_values(["count", "c"], ascending=False, kind="stable").head(15)
            page.section(f"Co-occurrence network of {focus}",
                         f"project.cooccurrence_edges({focus!r}, measures=['count', 'c'], "
                         f"labels={labels!r})",
                         chart, "<h3>Strongest pairs</h3>", _table(strongest.reset_index(drop=True)),
                         text="Node area: the target's count on the diagonal; edge width: "
                              "co-occurrences; targets without a partner are left out."
                              + (f" {len(hidden)} labels that would overlap others are hidden; "
                                 "the table and the heat map name every pair." if hidden else ""))

    _agreement(page, project, focus, labels, coders, tips)


def _agreement(page: _Page, project: Project, focus: str, labels: Union[bool, str],
               coders: Optional[Sequence[Any]], tips: dict) -> None:
    from . import plot

    n_coders = project.codings["coder"].dropna().nunique() if "coder" in project.codings else 0
    if n_coders < 2 and coders is None:
        return
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # NaN rows are shown as blanks
        table = project.agreement(focus, coders=coders, n_boot=500, labels=labels, progress=False)
    named = table.attrs.get("coders", [])
    if coders is None:  # not asked for: coders by number, not by name
        table.attrs["coders"] = [f"coder {i + 1}" for i in range(len(named))]
        who = (f"{len(named)} coders, numbered in order of appearance (name them with "
               "<code>coders=[...]</code> to show their names)")
    else:
        who = "the coders " + html.escape(", ".join(map(str, named)))
    shown = table.drop(columns=[c for c in ("observed", "expected") if c in table.columns])
    call = f"project.agreement({focus!r}, n_boot=500, labels={labels!r}"
    call += ", coders=[...])" if coders is not None else ")"
    page.section(f"Inter-coder agreement on {focus}", call,
                 page.chart(lambda: plot.agreement(table), "Agreement per target", tips),
                 _table(shown),
                 text=f"Krippendorff's alpha per target over {who}, with 95 % bootstrap "
                      "intervals; 0.667 and 0.8 are Krippendorff's guidelines.")


# -- words ---------------------------------------------------------------------------------

def _words(page: _Page, project: Project, width: Optional[int], stop_words: Iterable[str]) -> None:
    """Top words of the items' (or documents') text, excerpts, and the
    similarity of the documents' terminology."""
    from . import plot, text

    texts, docs, what = words.corpus(project)
    if texts.empty:
        return
    language, share = words.language(texts)
    heading = f"Top words of the {what}"
    try:
        tokens, how, english = words.tokens(texts, language, stop_words)
    except ImportError:
        page.section(heading, "qdacore.text.Segmenter.from_jieba()",
                     text=f"The {what}' text is Chinese ({share:.0%} of its letters are CJK "
                          "characters), which is cut into words with jieba's dictionary. Install "
                          "it to see this section: <code>pip install \"qdacore[zh]\"</code> "
                          "(or <code>pip install jieba</code>).")
        return
    if tokens.empty:
        return
    counts = tokens["token"].value_counts().head(_TOP_WORDS)
    counts.index.name, counts.name = "word", "occurrences"
    lists = "stopwords-zh.txt and stopwords-en.txt in qdacore/text/data"
    body = [page.chart(lambda: plot.frequencies(counts, annotate=False,
                                                title=f"Most frequent words of the {what}"),
                       "Top words")]
    if language == "en" and english < 0.15:
        body.insert(0, f'<p class="note">Only {english:.0%} of the words are English stop words '
                       "(English prose has about 40 %): the text may be in another language, "
                       "whose own function words then top the list; pass "
                       "<code>stop_words=[...]</code> to leave them out.</p>")
    if width is not None:
        body.append(words.excerpts(texts, counts.index[:10].tolist(), width))
    source = f"project.{what}['text']"
    call = (f"qdacore.text.Segmenter.from_jieba().tokenize({source})" if language == "zh"
            else f"{source}.str.findall(r\"{words.WORD.pattern}\")")
    page.section(heading, call, *body,
                 text=f"{len(texts):,} {what} with text, {share:.0%} of whose letters are CJK "
                      f"characters; tokens are {how}, without punctuation, numbers, outline "
                      f"numbering, single letters and the stop words of {lists}"
                      + (" and stop_words=" if stop_words else "") + ".")

    doc = docs.to_numpy()[tokens["text"].to_numpy()]
    order, names = pd.factorize(doc)  # documents in order of appearance
    by_doc = tokens.assign(text=doc).iloc[np.argsort(order, kind="stable")]
    if len(names) < 2:
        return
    tfidf = text.term_matrix(by_doc, tfidf=True)
    similar = text.similarity(tfidf, measure="cosine")
    similar.index.name = similar.columns.name = "document"
    call = "qdacore.text.similarity(qdacore.text.term_matrix(words by document, tfidf=True))"
    about = ("Cosine similarity of the documents' TF-IDF word vectors: plans of different "
             "regions that share terminology score high (the study observes that they do).")
    if len(similar) == 2:
        value = float(similar.to_numpy()[0, 1])
        page.section("Similarity of the documents' terminology", call,
                     text=f"{about} The two documents: {value:.3f}.")
        return
    page.section("Similarity of the documents' terminology", call,
                 page.chart(lambda: plot.heatmap(similar, mask_diagonal=True,
                                                 title="Cosine similarity (TF-IDF)"),
                            "Document similarity"),
                 text=about)


# -- the report ----------------------------------------------------------------------------

def build_report(project: Project, path: Union[str, Path], *, title: Optional[str] = None,
                 max_targets: int = 40, coders: Optional[Sequence[Any]] = None,
                 width: Optional[int] = None, stop_words: Iterable[str] = (),
                 progress: Optional[bool] = None) -> Path:
    """Write the HTML report of ``project`` to ``path`` and return the path.

    One self-contained file (no script, no external resource) of at most
    :data:`MAX_BYTES` (1,000,000) bytes: charts are inline SVG, tables are
    capped, and no source text is copied into it; a section that would pass
    the bound is replaced by a note. Documents appear as metadata and lengths,
    without the GUIDs or names of users. The charted dimensions are those with
    the most codings and 2 to ``max_targets`` coded targets; the module
    docstring lists the sections.

    Parameters
    ----------
    project : Project
    path : str or Path
        The ``.html`` file to write (its folder is created).
    title : str, optional
        Heading of the report; defaults to the project's name.
    max_targets : int
        Dimensions with more coded targets than this are not charted.
    coders : list, optional
        The coders whose agreement is shown, by name. By default every coder
        is compared and shown by number only ("coder 1", ...).
    width : int, optional
        Characters of context on each side of a top word in keyword-in-context
        excerpts (at most 40; two excerpts for each of the ten top words).
        None (the default): no excerpt, no source text at all.
    stop_words : collection of str
        Words left out of the top words besides the shipped lists
        (``qdacore/text/data/stopwords-zh.txt`` and ``stopwords-en.txt``).
    progress : bool, optional
        A progress bar over the frequency charts (terminals and notebooks by
        default; ``QDACORE_PROGRESS=0`` silences it).

    Examples
    --------
    >>> import tempfile, pathlib, qdacore as qc
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     out = qc.report.build_report(qc.datasets.megaregions(), pathlib.Path(tmp) / "r.html")
    ...     page = out.read_text(encoding="utf-8")
    ...     "Codings by vision" in page, out.stat().st_size < qc.report.MAX_BYTES
    (True, True)
    """
    import matplotlib

    from . import plot

    if isinstance(stop_words, str):
        raise TypeError("stop_words must be a collection of str, not one str")
    if width is not None and (isinstance(width, bool) or not isinstance(width, (int, np.integer))
                              or width < 1):
        raise ValueError(f"width must be a positive int (characters of context) or None, "
                         f"got {width!r}")
    if matplotlib.get_backend().lower() not in ("agg", "pdf", "svg", "ps", "cairo"):
        matplotlib.use("Agg")
    path = Path(path)
    page = _Page(title or f"qdacore report: {project.name}")
    labels = _label_column(project)
    _overview(page, project)

    dims = _dimensions(project, max_targets, labels)
    charted = dims.loc[dims["charted"].to_numpy(dtype=bool)]
    if len(dims):
        page.section("Codebook dimensions", "project.frequencies(dimension) for each",
                     _table(dims.set_index("dimension")),
                     text="Dimensions with the most codings and 2 to "
                          f"{max_targets} coded targets are charted; the focus level below is "
                          "the charted level with the most codings (of levels within 5 % of "
                          "the most, the one with the most coded targets).")
    sets = charted[charted["kind"] == "group set"]["dimension"].tolist()
    levels = charted[charted["kind"] == "level"]["dimension"].tolist()
    _frequency_sections(page, project, [*sets, *levels], labels, progress)

    flow = [*sets[:1], *levels]
    if len(flow) >= 2:
        page.section("Flow of codings", f"qdacore.plot.sankey(project, {tuple(flow)!r}, "
                                        f"labels={labels!r})",
                     page.chart(lambda: plot.sankey(project, flow, labels=labels),
                                "Sankey diagram",
                                {k: v for d in flow for k, v in _tips(project, d, labels).items()}),
                     text="Band widths are codings; colours follow the first dimension.")

    focus = _focus(dims)
    if not len(project.codings):
        page.add("<p>The project has no codings yet: nothing to relate.</p>")
    elif focus is None:
        page.add("<p>No codebook dimension has 2 to "
                 f"{max_targets} coded targets: nothing to relate.</p>")
    else:
        _relations(page, project, focus, dims, labels, coders)

    _words(page, project, width, stop_words)

    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(page.render(), encoding="utf-8")
    return path
