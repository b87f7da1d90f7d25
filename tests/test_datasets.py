"""qdacore.datasets against the study it reconstructs.

Source of every figure asserted here: Du, Cardoso & Rocco (2024), Cities 154,
105375 (summarised in ../shared/reference/paper-brief.md): section 4 for 1199
items, 1578 codings and the vision totals 496 / 484 / 598; the text on
connectivity (CON-1 = 66 % of connectivity) and cooperation (COO-3 = 48.5 % of
cooperation); Appendix A for the document registry; the cited items in the
results section.
"""
from __future__ import annotations

import pytest

from qdacore.datasets import (
    megaregion_cited_items,
    megaregion_codebook,
    megaregion_documents,
    megaregion_keywords,
    megaregions,
)

VISIONS = {"V-MP": 496, "V-FM": 484, "V-FC": 598}  # study, section 4


def test_vision_totals_are_the_studys(megaregions):
    assert megaregions.frequencies(level="vision").to_dict() == VISIONS


def test_corpus_size_is_the_studys(megaregions):
    assert len(megaregions.items) == 1199
    assert len(megaregions.codings) == 1578
    assert megaregions.frequencies(level="vision").sum() == 1578


def test_themes_pair_with_visions(megaregions):
    themes = megaregions.frequencies(level="theme")
    assert themes.tolist() == list(VISIONS.values())
    pairing = megaregions.codebook.membership("vision").set_index("code")["vision"]
    assert pairing[["COE", "CON", "COO"]].tolist() == ["V-MP", "V-FM", "V-FC"]


def test_subtheme_shares_are_the_studys(megaregions):
    sub = megaregions.frequencies(level="subtheme")
    assert sub["CON-1"] == round(0.66 * 484)
    assert sub["COO-3"] == round(0.485 * 598)
    assert round(100 * sub["CON-1"] / 484) == 66
    assert round(100 * sub["COO-3"] / 598, 1) == 48.5


def test_items_carry_one_or_two_distinct_codes(megaregions):
    per_item = megaregions.codings.groupby("item").size().reindex(megaregions.items["item"], fill_value=0)
    assert per_item.min() == 1 and per_item.max() == 2
    assert (per_item == 2).sum() == 1578 - 1199
    assert not megaregions.codings.duplicated(["item", "code"]).any()


def test_cited_items_hold_the_studys_subtheme(megaregions):
    cited = megaregion_cited_items()
    assert len(cited) == 28
    rolled = megaregions.codebook.membership("subtheme").set_index("code")["subtheme"]
    codings = megaregions.codings.set_index("item").loc[cited["item"]]
    assert (rolled[codings["code"]].to_numpy() == cited["subtheme"].to_numpy()).all()
    assert not codings["synthetic"].any()
    items = megaregions.items.set_index("item").loc[cited["item"]]
    assert not items["synthetic"].any()
    assert (items["doc"].to_numpy() == cited["doc"].to_numpy()).all()


def test_every_generated_row_is_flagged_synthetic(megaregions):
    assert megaregions.items["synthetic"].sum() == 1199 - 28
    assert megaregions.codings["synthetic"].sum() == 1578 - 28
    cited = set(megaregion_cited_items()["item"])
    assert set(megaregions.items.loc[~megaregions.items["synthetic"], "item"]) == cited


def test_item_ids_follow_the_study_pattern(megaregions):
    ids = megaregions.items["item"]
    assert ids.str.fullmatch(r"[A-Z]+:\d+").all()
    split = ids.str.split(":", expand=True)
    assert (split[0] == megaregions.items["doc"]).all()
    assert (split[1].astype(int) == megaregions.items["number"]).all()


def test_deterministic_by_seed():
    a, b, c = megaregions(seed=7), megaregions(seed=7), megaregions(seed=8)
    assert a.equals(b)
    assert not a.codings.equals(c.codings)
    assert c.frequencies("vision").to_dict() == VISIONS


def test_scale_multiplies_every_total():
    big = megaregions(scale=3)
    assert len(big.items) == 3 * 1199 and len(big.codings) == 3 * 1578
    assert big.frequencies("vision").to_dict() == {k: 3 * v for k, v in VISIONS.items()}
    assert big.frequencies("subtheme")["CON-1"] == 3 * 319
    assert big.items["item"].is_unique


@pytest.mark.slow
def test_scale_1000_is_about_1_2_million_items():
    big = megaregions(scale=1000)
    assert len(big.items) == 1_199_000
    assert big.frequencies("vision").to_dict() == {k: 1000 * v for k, v in VISIONS.items()}


@pytest.mark.parametrize("kwargs, exc", [({"scale": 0}, ValueError), ({"scale": 1.5}, ValueError),
                                         ({"scale": True}, ValueError), ({"seed": "a"}, TypeError)])
def test_bad_arguments(kwargs, exc):
    with pytest.raises(exc, match=next(iter(kwargs))):
        megaregions(**kwargs)


def test_documents_are_appendix_a():
    docs = megaregion_documents()
    assert docs["doc"].tolist() == ["HC", "BJ", "TJ", "HB", "SX", "HY", "NX", "LX", "TS", "GP", "CC",
                                    "GZ", "YN", "BBW", "GBA", "HXX", "MYR", "YRD", "CP", "SD", "LN"]
    assert docs["region"].nunique() == 19
    assert set(docs.loc[docs["substitute"], "doc"]) == {"BJ", "TJ", "HB", "NX", "TS"}
    row = docs.set_index("doc").loc["GBA"]
    assert (row["issuer"], row["date"]) == ("State Council", "2019-02")
    assert docs.set_index("doc").loc["YN", "date"] == "2020-08"


def test_codebook_holds_the_framework():
    cb = megaregion_codebook()
    codes = cb.codes.set_index("code")
    assert cb.levels == ["theme", "subtheme", "code"]
    assert cb.sets == ["vision", "mismatch"]
    subthemes = codes.index[codes["level"] == "subtheme"].tolist()
    assert subthemes == ["COE-1", "COE-2", "COE-3", "COE-4", "CON-1", "CON-2", "CON-3",
                         "COO-1", "COO-2", "COO-3", "COO-4"]
    assert (codes.loc[subthemes, "parent"].to_numpy() == [s[:3] for s in subthemes]).all()
    per_sub = codes.loc[codes["level"] == "code", "parent"].value_counts()
    assert set(per_sub.index) == set(subthemes) and per_sub.min() >= 3
    assert cb.groups.set_index("group").loc[["M-PLACE", "M-PRIORITY", "M-ACTOR"], "set"].eq("mismatch").all()
    # a sub-theme may sit in several mismatch groups (multi-parent group set)
    assert cb.members[cb.members["group"].str.startswith("M-")]["code"].duplicated().any()
    assert codes["label_zh"].notna().all() and codes["label"].notna().all()


@pytest.mark.parametrize("language", ["zh", "en"])
def test_keywords_for_every_subtheme(language):
    kw = megaregion_keywords(language)
    assert kw["code"].nunique() == 11
    assert kw.groupby("code").size().min() >= 5
    assert kw["keyword"].str.strip().eq(kw["keyword"]).all() and (kw["keyword"] != "").all()
    if language == "zh":
        # Chinese terms, or Latin-digit terms planners write as such (5G)
        assert kw["keyword"].str.fullmatch(r"[\u4e00-\u9fff]+|[0-9A-Za-z]+").all()
        assert kw["keyword"].str.contains(r"[\u4e00-\u9fff]").mean() > 0.95
    with pytest.raises(ValueError, match="language"):
        megaregion_keywords("fr")
