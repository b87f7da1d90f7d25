"""split_items, sentence spans and Project.autocode on the example corpus
(generated item texts: synthetic) and on a made-up plan excerpt laid out the
way Chinese development plans are (第X章 / 第X节 / （一） / 1. / bullets)."""
from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

import qdacore as qc
from qdacore.datasets import _CLOSINGS, _LINKS, _OPENINGS, megaregion_keywords
from qdacore.text import Segmenter, cooccurrence, kwic, sentence_spans, similarity, split_items, term_matrix

PLAN = (
    "第三章  优化区域空间布局\n"
    "第一节 构建“一核多极”格局\n"
    "（一）强化核心城市功能\n"
    "1. 提升昆明辐射带动能力。支持曲靖、玉溪建设副中心；\n"
    "2．推动滇中城市群一体化发展！\n"
    "\n"
    "• 完善城际铁路网络\r\n"
    "（二）推进城乡融合发展，促进县城建设。\n"
    "第二节 加强生态保护\n"
    "一、建立生态补偿机制\n"
    "第四章 附则\n"
    "  本规划由省发展改革委负责解释。  \n"
)


def test_paragraph_items_and_their_headings():
    items = split_items(PLAN, "YN")
    assert items["item"].tolist() == [f"YN:{i}" for i in range(1, 6)]
    for row in items.itertuples():
        assert PLAN[row.start:row.end] == row.text
        assert row.text == row.text.strip()
    # 一、建立生态补偿机制 is a sub-heading (short, no sentence end); （二）... has one, so it is an item
    assert items["text"].tolist() == [
        "1. 提升昆明辐射带动能力。支持曲靖、玉溪建设副中心；", "2．推动滇中城市群一体化发展！",
        "• 完善城际铁路网络", "（二）推进城乡融合发展，促进县城建设。", "本规划由省发展改革委负责解释。"]
    assert items["chapter"].tolist() == ["第三章  优化区域空间布局"] * 4 + ["第四章 附则"]
    assert items["section"].tolist() == ["第一节 构建“一核多极”格局"] * 4 + [np.nan]
    assert items["heading"].tolist() == ["（一）强化核心城市功能"] * 4 + [np.nan]
    assert items["outline"].iloc[0] == "第三章  优化区域空间布局 > 第一节 构建“一核多极”格局 > （一）强化核心城市功能"
    assert items["outline"].iloc[4] == "第四章 附则"
    assert items["part"].isna().all()


def test_clause_items_end_with_their_punctuation():
    clauses = split_items(PLAN, "YN", rule="clause")
    assert clauses["text"].tolist()[:4] == ["1. 提升昆明辐射带动能力。", "支持曲靖、玉溪建设副中心；",
                                            "2．推动滇中城市群一体化发展！", "• 完善城际铁路网络"]
    assert all(PLAN[r.start:r.end] == r.text for r in clauses.itertuples())
    assert clauses["heading"].iloc[1] == "（一）强化核心城市功能"


def test_regex_rule_splits_where_python_re_split_does():
    text = "甲；乙；；丙 ；  丁"
    items = split_items(text, "D", rule="；")
    assert items["text"].tolist() == [p.strip() for p in re.split("；", text) if p.strip()]
    assert split_items(text, "D", rule=re.compile("[；]+"))["text"].tolist() == ["甲", "乙", "丙", "丁"]


def test_sentence_spans():
    text = "前言。提升辐射带动能力，建设副中心；其他\n下一行"
    start = np.array([text.index("副中心"), text.index("其他"), 0])
    a, b = sentence_spans(text, start, start + 2)
    assert [text[x:y] for x, y in zip(a, b)] == ["提升辐射带动能力，建设副中心；", "其他", "前言。"]



def test_texts_without_a_stop_or_a_character():
    """A text with no sentence end and no line break is one sentence; the empty
    text has no items (both raised IndexError once)."""
    a, b = sentence_spans("建设都市圈", np.array([2]), np.array([4]))
    assert (a.tolist(), b.tolist()) == ([0], [5])
    for rule in ("paragraph", "clause", "[。]"):
        assert split_items("", "D", rule=rule).empty
    codebook = pd.DataFrame({"code": ["C"], "level": ["theme"], "keywords_zh": ["都市圈"]})
    plan = pd.DataFrame({"doc": ["D"], "text": ["规划\n建设都市圈，完善网络"]})  # a title, one item
    coded = qc.Project.from_documents(plan, codebook).autocode(level="theme", scope="sentence")
    assert coded.codings[["start", "end"]].to_numpy().tolist() == [[0, 10]]


def test_first_lines_that_are_not_titles():
    assert split_items("培育副中心", "D")["text"].tolist() == ["培育副中心"]  # the only line is an item
    assert split_items("• 完善城际铁路网络\n• 建设都市圈", "D")["text"].tolist() == ["• 完善城际铁路网络", "• 建设都市圈"]
    assert split_items("年份\t2020\t2035\nGDP\t1\t2", "D")["number"].tolist() == [1, 2]  # a table row


def test_english_numbered_chapters_and_sentences_that_start_like_headings():
    plan = ("Regional Plan\n1. Introduction\n1.1 Background\nThe region grew fast.\n"
            "Section 2 of the Act requires a plan.\n2. Spatial Structure\nCentres are named.")
    items = split_items(plan, "EN").set_index("text")
    assert items.loc["The region grew fast.", ["chapter", "section"]].tolist() == ["1. Introduction", "1.1 Background"]
    assert "Section 2 of the Act requires a plan." in items.index
    assert items.loc["Centres are named.", "chapter"] == "2. Spatial Structure"
    chinese = split_items("规划\n第一章 总则\n1. 培育副中心\n推进建设。", "D").set_index("text")
    assert chinese.loc["推进建设。", ["chapter", "heading"]].tolist() == ["第一章 总则", "1. 培育副中心"]

BAD = [
    ("text not str", lambda: split_items(b"x", "D"), TypeError, ["text"]),
    ("empty doc", lambda: split_items("x", ""), ValueError, ["doc"]),
    ("bad rule", lambda: split_items("x", "D", rule=5), ValueError, ["rule"]),
    ("bad scope", lambda: qc.datasets.megaregions().autocode(scope="word"), ValueError, ["scope"]),
    ("unknown code", lambda: qc.datasets.megaregions().autocode({"NOPE": ["城市"]}), ValueError, ["keywords.code"]),
    ("used coder", lambda: qc.datasets.megaregions().autocode(coder="coder1"), ValueError, ["coder"]),
    ("bad level", lambda: qc.datasets.megaregions().autocode(level="vision"), ValueError, ["level"]),
]


@pytest.mark.parametrize("case", BAD, ids=[c[0] for c in BAD])
def test_bad_input_raises_a_named_exception(case):
    _, call, exc, words = case
    with pytest.raises(exc) as info:
        call()
    for word in words:
        assert word in str(info.value)


def test_example_texts_are_synthetic_and_built_from_the_keywords(megaregions):
    items = megaregions.items
    assert items.loc[items["synthetic"], "text"].notna().all()
    assert items.loc[~items["synthetic"], "text"].isna().all()  # the plans' wording is not ours to make up
    keywords = megaregion_keywords("zh")["keyword"]
    for phrase in np.r_[_OPENINGS, _LINKS, _CLOSINGS]:
        assert not keywords.map(phrase.__contains__).any(), phrase
    assert qc.datasets.megaregions().items["text"].equals(items["text"])  # seeded


@pytest.mark.parametrize("scope", ["match", "sentence", "item"])
def test_autocode_recovers_the_generated_subthemes(megaregions, scope):
    coded = megaregions.autocode(scope=scope)
    codings = coded.codings
    machine = codings[codings["coder"] == "dictionary"]
    human = megaregions.codings.merge(megaregions.codebook.membership("subtheme"), on="code")
    human = human[human["synthetic"].astype(bool)]
    assert set(zip(machine["item"], machine["code"])) == set(zip(human["item"], human["subtheme"]))
    text = coded.items.set_index("item")["text"]
    spans = [text[i][int(s):int(e)] for i, s, e in zip(machine["item"], machine["start"], machine["end"])]
    if scope == "match":
        words = set(megaregion_keywords("zh")["keyword"])
        assert all(span in words for span in spans)
    if scope == "item":
        assert spans == text[machine["item"]].tolist()
    assert len(coded.codings) == len(megaregions.codings) + len(machine)


def test_the_text_pipeline_runs_on_the_example(megaregions):
    items = megaregions.items.dropna(subset=["text"]).set_index("item")
    seg = Segmenter(megaregion_keywords("zh").assign(freq=1000).rename(columns={"keyword": "word"})[["word", "freq"]])
    tokens = seg.tokenize(items["text"], hmm=False)
    assert (tokens.groupby("text", sort=False)["end"].max() == items["text"].str.len()).all()
    assert len(kwic(items["text"], ["副中心", "都市圈"], width=4)) > 0
    by_doc = items.groupby(megaregions.items.set_index("item")["doc"])["text"].apply("".join)
    tm = term_matrix(by_doc, analyzer=seg, hmm=False)
    sim = similarity(tm)
    assert sim.shape == (21, 21) and np.allclose(np.diag(sim), 1.0)
    edges = cooccurrence(tokens, window=2)  # tokens at most 2 apart
    assert list(edges.columns) == ["source", "target", "count"] and len(edges) > 100
