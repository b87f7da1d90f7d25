"""The HTML report: self-contained, every section present and named after the
call that produced it, and it renders in a real browser (headless Chromium)."""
from __future__ import annotations

import os
import re
import shutil

import pandas as pd
import pytest

import qdacore as qc


@pytest.fixture(scope="module")
def report_path(tmp_path_factory, megaregions):
    return qc.report.build_report(megaregions, tmp_path_factory.mktemp("report") / "report.html")


def test_report_is_self_contained(report_path):
    page = report_path.read_text(encoding="utf-8")
    # every src and href is inline data; no script at all
    links = re.findall(r'(?:src|href)\s*=\s*"([^"]*)"', page)
    assert links and all(link.startswith("data:image/png;base64,") for link in links)
    assert "<script" not in page.lower()
    assert not re.search(r"https?://", page)


def test_report_sections_name_their_calls(report_path, megaregions):
    page = report_path.read_text(encoding="utf-8")
    for call in ["project.sizes", "project.frequencies(&#x27;vision&#x27;, labels=True)",
                 "project.frequencies(&#x27;subtheme&#x27;, labels=True)",
                 "project.code_document_table(&#x27;subtheme&#x27;, by=&#x27;region&#x27;)",
                 "project.crosstab(&#x27;theme&#x27;, &#x27;vision&#x27;, margins=True)",
                 "project.cooccurrence(&#x27;subtheme&#x27;)", "qdacore.plot.sankey"]:
        assert call in page, call
    assert "synthetic" in page.lower()
    assert "Top terms of the items" in page and "Similarity of the documents" in page
    # the overview states the study's totals for the example
    assert "1,578 codings" in page and "1,199 items" in page


def test_report_of_a_plain_project(tmp_path):
    codes = pd.DataFrame({"code": ["a", "b"]})
    project = qc.Project(codes, pd.DataFrame({"doc": ["d"]}),
                         pd.DataFrame({"item": ["d:1"], "doc": ["d"]}),
                         pd.DataFrame({"item": ["d:1", "d:1"], "code": ["a", "b"]}), name="plain <&>")
    page = qc.report.build_report(project, tmp_path / "r.html").read_text(encoding="utf-8")
    assert "plain &lt;&amp;&gt;" in page and "Codings by depth1" in page


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


def test_report_renders_in_headless_chromium(report_path, tmp_path):
    browser = _browser()
    try:
        browser.get(report_path.as_uri())
        images = browser.execute_script(
            "return Array.from(document.images).map(i => [i.complete, i.naturalWidth, i.alt])")
        failures = browser.execute_script(
            "return performance.getEntriesByType('resource').map(e => e.name)")
        errors = [e for e in browser.get_log("browser") if e["level"] == "SEVERE"]
        shot = tmp_path / "report.png"
        assert browser.save_screenshot(str(shot))
    finally:
        browser.quit()
    assert len(images) >= 8
    assert all(complete and width > 0 for complete, width, _ in images), images
    assert failures == [] and errors == []
    assert shot.stat().st_size > 10_000


def test_report_of_several_coders_shows_agreement(tmp_path):
    project = qc.datasets.megaregions(n_coders=2)
    page = qc.report.build_report(project, tmp_path / "r.html").read_text(encoding="utf-8")
    assert "Inter-coder agreement on subtheme" in page
    assert "project.agreement_report(&#x27;subtheme&#x27;, n_boot=500)" in page


def test_reports_of_uncoded_and_blank_projects(tmp_path):
    """A project with codes but no codings, and an empty one (as QDA packages
    export them before coding) still give a report."""
    from conftest import SHARED

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
    sample = SHARED / "data" / "qdpx-samples" / "qualitative-coding_nvivo15_mac" / "nvivo_project.qdpx"
    if sample.exists():
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            nvivo = qc.read_qdpx(sample)
        assert qc.report.build_report(nvivo, tmp_path / "nvivo.html").exists()
