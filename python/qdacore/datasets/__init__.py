"""The study's framework as data, and a calibrated example corpus.

Everything here comes from Du, Cardoso & Rocco (2024), *Towards coordination of
spatial relations: Understanding Chinese mega-regionalization from a secondary
city perspective*, Cities 154, 105375: the visions, themes and sub-themes, the
21-document registry (its Appendix A) and the 28 planning items it cites.
Open codes, Chinese labels, keywords and the mismatch memberships are our
reading of the study's descriptions, not the study's own codebook.

The study's item-level coding is **not public**. :func:`megaregions` therefore
builds a *calibrated reconstruction*: the 28 cited items as the study gives them
plus generated items (``synthetic=True``) whose totals match every figure the
study prints. Use it for demonstrations and benchmarks, never as the study's data.
"""
from __future__ import annotations

from importlib import resources
from typing import Optional

import numpy as np
import pandas as pd

from ..codebook import Codebook
from ..project import Project

__all__ = [
    "megaregion_codebook",
    "megaregion_documents",
    "megaregion_cited_items",
    "megaregion_keywords",
    "megaregions",
    "STUDY_TOTALS",
]

#: Figures the study prints (the theme totals follow from its one-to-one pairing
#: of visions with themes, an assumption the study states; the sub-theme shares
#: are the study's 66 % and 48.5 % rounded to whole codings).
STUDY_TOTALS = {
    "items": 1199,
    "codings": 1578,
    "vision": {"V-MP": 496, "V-FM": 484, "V-FC": 598},
    "theme": {"COE": 496, "CON": 484, "COO": 598},
    "CON-1": 319,  # 66 % of 484 connectivity codings
    "COO-3": 290,  # 48.5 % of 598 cooperation codings
}

# Our allocation of the remaining codings over sub-themes (synthetic, chosen so
# that each theme sums to its study total). Not from the study.
_SUBTHEME_CODINGS = {
    "COE-1": 150, "COE-2": 170, "COE-3": 110, "COE-4": 66,
    "CON-1": 319, "CON-2": 92, "CON-3": 73,
    "COO-1": 130, "COO-2": 86, "COO-3": 290, "COO-4": 92,
}
_ITEMS_WITH_TWO_CODES = STUDY_TOTALS["codings"] - STUDY_TOTALS["items"]  # 379
_CODER = "coder1"

# Neutral planning phrases around the keywords of generated item texts (ours,
# synthetic; none contains a codebook keyword, tests check it).
_OPENINGS = np.array(["加快推进", "统筹推进", "积极推动", "着力提升", "大力支持", "有序推进",
                      "持续深化", "全面加强", "稳步推进", "鼓励"], dtype=object)
_LINKS = np.array(["，协同推进", "，同步推动", "，统筹部署", "，着力加强", "，并推动"], dtype=object)
_CLOSINGS = np.array(["工作，形成合力", "，完善体制机制", "建设", "，提高发展质量",
                      "，落实相关举措", "，明确责任分工"], dtype=object)


def _read(name: str, **kwargs) -> pd.DataFrame:
    path = resources.files(__name__).joinpath("data", name)
    with path.open("r", encoding="utf-8") as f:
        return pd.read_csv(f, keep_default_na=False, na_values=[""], **kwargs)


def megaregion_codebook() -> Codebook:
    """The study's framework as a :class:`~qdacore.Codebook`.

    Hierarchy levels ``theme`` > ``subtheme`` > ``code``: themes ``COE``
    (coexistence), ``CON`` (connectivity) and ``COO`` (cooperation); the eleven
    sub-themes ``COE-1`` .. ``COO-4``; a handful of open codes per sub-theme.
    Group sets ``vision`` (``V-MP`` morphological polycentricity, ``V-FM`` flow
    multi-directionality, ``V-FC`` functional complementarity; each holds one
    theme, the study's pairing) and ``mismatch`` (``M-PLACE``, ``M-PRIORITY``,
    ``M-ACTOR``; sub-themes may sit in several, our reading of the study).
    Columns ``label`` (English), ``label_zh``, ``description``, and on sub-theme
    rows ``keywords_zh`` / ``keywords_en`` (``|``-separated, for dictionary coding).

    Examples
    --------
    >>> from qdacore.datasets import megaregion_codebook
    >>> cb = megaregion_codebook()
    >>> cb.levels, cb.sets
    (['theme', 'subtheme', 'code'], ['vision', 'mismatch'])
    >>> cb.labels("vision").tolist()
    ['Morphological polycentricity', 'Flow multi-directionality', 'Functional complementarity']
    """
    codes = _read("megaregion_codes.csv", dtype=str)
    groups = _read("megaregion_groups.csv", dtype=str)
    members = _read("megaregion_members.csv", dtype=str)
    return Codebook(codes, groups, members)


def megaregion_keywords(language: str = "zh") -> pd.DataFrame:
    """Dictionary-coding keywords per sub-theme as a long table (``code``, ``keyword``).

    Parameters
    ----------
    language : {"zh", "en"}

    Examples
    --------
    >>> from qdacore.datasets import megaregion_keywords
    >>> kw = megaregion_keywords("en")
    >>> sorted(kw["code"].unique())[:3]
    ['COE-1', 'COE-2', 'COE-3']
    """
    if language not in ("zh", "en"):
        raise ValueError(f"language must be 'zh' or 'en', got {language!r}")
    codes = megaregion_codebook().codes
    column = f"keywords_{language}"
    rows = codes.loc[codes[column].notna(), ["code", column]]
    long = rows.assign(keyword=rows[column].str.split("|")).explode("keyword")
    return long[["code", "keyword"]].reset_index(drop=True)


def megaregion_documents() -> pd.DataFrame:
    """The 21 planning documents of the study's Appendix A.

    Columns: ``doc`` (the code used in item ids), ``region`` and ``region_zh``
    (the mega-region), ``title``, ``issuer``, ``date`` (``YYYY-MM``) and
    ``substitute`` (True for BJ, TJ, HB, NX and TS, chapters of provincial plans
    the study used where no mega-region plan could be obtained).

    Examples
    --------
    >>> from qdacore.datasets import megaregion_documents
    >>> docs = megaregion_documents()
    >>> len(docs), docs["region"].nunique()
    (21, 19)
    """
    docs = _read("megaregion_documents.csv", dtype={"substitute": bool})
    for col in docs.columns.drop("substitute"):
        docs[col] = docs[col].astype(object)
    return docs


def megaregion_cited_items() -> pd.DataFrame:
    """The 28 planning items the study cites, with their sub-theme and gist.

    ``code`` is the open code we assign from the gist (our reading); the item id,
    document and sub-theme are the study's.

    Examples
    --------
    >>> from qdacore.datasets import megaregion_cited_items
    >>> cited = megaregion_cited_items()
    >>> cited.loc[cited["item"] == "YN:18", "subtheme"].item()
    'COE-1'
    """
    cited = _read("megaregion_cited_items.csv", dtype={"number": np.int64})
    for col in cited.columns.drop("number"):
        cited[col] = cited[col].astype(object)
    return cited


def _item_numbers(counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(document position, item number) for numbers 1..counts[d] of every document."""
    doc = np.repeat(np.arange(len(counts)), counts)
    starts = np.cumsum(counts) - counts
    number = np.arange(int(counts.sum())) - np.repeat(starts, counts) + 1
    return doc, number


def _generated_texts(rng: np.random.Generator, codes: pd.DataFrame, subthemes: pd.Index,
                     first_st: np.ndarray, double: np.ndarray, second_st: np.ndarray) -> np.ndarray:
    """Synthetic Chinese item texts: a keyword of each of the item's sub-themes
    between neutral planning phrases (from their own seeded stream, so the
    codings drawn before are unchanged)."""
    rows = codes.set_index("code").loc[list(subthemes), "keywords_zh"].str.split("|")
    counts = rows.str.len().to_numpy()
    starts = np.cumsum(counts) - counts
    words = np.array([w for ws in rows for w in ws], dtype=object)

    def keyword(st: np.ndarray) -> np.ndarray:
        return words[starts[st] + (rng.random(len(st)) * counts[st]).astype(np.int64)]

    n = len(first_st)
    middle = np.full(n, "", dtype=object)
    middle[double] = _LINKS[rng.integers(0, len(_LINKS), len(double))] + keyword(second_st)
    return (_OPENINGS[rng.integers(0, len(_OPENINGS), n)] + keyword(first_st) + middle
            + _CLOSINGS[rng.integers(0, len(_CLOSINGS), n)] + "。")


def megaregions(seed: int = 0, scale: int = 1, *, name: Optional[str] = None) -> Project:
    """An example :class:`~qdacore.Project` calibrated to the study's figures.

    **This is a reconstruction, not the study's data.** The study's item-level
    coding is not public. The project holds the study's framework
    (:func:`megaregion_codebook`), its 21 documents, the 28 items it cites (with
    ``synthetic=False``) and generated items and codings (``synthetic=True``)
    such that, at ``scale=1``:

    * there are exactly 1199 items and 1578 codings (379 items carry two codes);
    * the visions total 496 / 484 / 598 codings, and so do the themes COE / CON /
      COO (the study pairs them one to one; an assumption it states);
    * ``CON-1`` holds 319 of the 484 connectivity codings (66 %) and ``COO-3``
      290 of the 598 cooperation codings (48.5 %);
    * the other sub-theme totals, the spread of items over documents and which
      open code and item each generated coding gets are drawn from ``seed``;
    * each generated item has a generated Chinese ``text``: a keyword of each of
      its sub-themes (``keywords_zh``) between neutral planning phrases, so the
      text pipeline (:mod:`qdacore.text`, :meth:`Project.autocode`) runs on the
      example. Cited items have no text (the plans' wording is not reproduced).

    ``scale`` multiplies items, codings and every total (``scale=1000`` gives
    1,199,000 items and 1,578,000 codings for benchmarks); the 28 cited items
    stay as they are. The result depends only on ``seed`` and ``scale``.

    Parameters
    ----------
    seed : int
        Seed of the generator (numpy ``default_rng``).
    scale : int
        Positive whole-number multiplier.
    name : str, optional
        Project name; defaults to ``"megaregions"`` (with the scale when > 1).

    Examples
    --------
    >>> import qdacore as qc
    >>> project = qc.datasets.megaregions()
    >>> project.sizes[["documents", "items", "codings"]].tolist()
    [21, 1199, 1578]
    >>> project.frequencies("theme").tolist()
    [496, 484, 598]
    >>> int(project.items["synthetic"].sum())
    1171
    """
    if isinstance(scale, bool) or not isinstance(scale, (int, np.integer)) or scale < 1:
        raise ValueError(f"scale must be a whole number >= 1, got {scale!r}")
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise TypeError(f"seed must be an int, got {type(seed).__name__}")
    scale = int(scale)
    rng = np.random.default_rng(seed)
    codebook = megaregion_codebook()
    documents = megaregion_documents()
    cited = megaregion_cited_items()
    codes = codebook.codes

    # Items per document: enough numbers for the cited ones, the rest spread by
    # a seeded Dirichlet-multinomial (document lengths are not published).
    doc_index = pd.Index(documents["doc"])
    cited_doc = doc_index.get_indexer(cited["doc"])
    cited_max = np.zeros(len(documents), dtype=np.int64)
    np.maximum.at(cited_max, cited_doc, cited["number"].to_numpy())
    n_items = STUDY_TOTALS["items"] * scale
    spare = n_items - int(cited_max.sum())
    per_doc = cited_max + rng.multinomial(spare, rng.dirichlet(np.full(len(documents), 4.0)))

    item_doc, item_number = _item_numbers(per_doc)
    is_cited = np.zeros(n_items, dtype=bool)
    starts = np.cumsum(per_doc) - per_doc
    cited_pos = starts[cited_doc] + cited["number"].to_numpy() - 1
    is_cited[cited_pos] = True
    generated = np.flatnonzero(~is_cited)

    # Sub-theme of every generated coding: the study totals less the cited items.
    subthemes = pd.Index(list(_SUBTHEME_CODINGS))
    budget = np.array(list(_SUBTHEME_CODINGS.values()), dtype=np.int64) * scale
    budget -= np.bincount(subthemes.get_indexer(cited["subtheme"]), minlength=len(subthemes))
    pool = rng.permutation(np.repeat(np.arange(len(subthemes)), budget))
    n_double = _ITEMS_WITH_TWO_CODES * scale
    first_st = pool[: len(generated)]
    second_st = pool[len(generated):]
    double = rng.choice(len(generated), size=n_double, replace=False)

    # Open code within the sub-theme, uniformly; a second code on the same item
    # is always a different code.
    open_codes = codes[codes["level"] == "code"]
    code_parent = pd.Index(subthemes).get_indexer(open_codes["parent"])
    order = np.argsort(code_parent, kind="stable")
    code_ids = open_codes["code"].to_numpy()[order]
    per_st = np.bincount(code_parent, minlength=len(subthemes))
    first_of = np.cumsum(per_st) - per_st
    first_off = (rng.random(len(first_st)) * per_st[first_st]).astype(np.int64)
    second_off = (rng.random(n_double) * per_st[second_st]).astype(np.int64)
    same = (second_st == first_st[double]) & (second_off == first_off[double])
    shift = 1 + (rng.random(n_double) * (per_st[second_st] - 1)).astype(np.int64)
    second_off = np.where(same, (second_off + shift) % per_st[second_st], second_off)

    text = np.full(n_items, np.nan, dtype=object)
    text[generated] = _generated_texts(np.random.default_rng([seed, 7]), codes, subthemes,
                                       first_st, double, second_st)

    docs = documents["doc"].to_numpy()
    item_ids = pd.Series(docs[item_doc]).str.cat(pd.Series(item_number).astype(str), sep=":")
    gist = np.full(n_items, None, dtype=object)
    gist[cited_pos] = cited["gist"].to_numpy()
    items = pd.DataFrame({
        "item": item_ids.to_numpy(dtype=object),
        "doc": docs[item_doc],
        "number": item_number.astype(np.int64),
        "gist": gist,
        "text": text,
        "synthetic": ~is_cited,
    })

    coding_item = np.concatenate([cited_pos, generated, generated[double]])
    coding_code = np.concatenate([
        cited["code"].to_numpy(dtype=object),
        code_ids[first_of[first_st] + first_off],
        code_ids[first_of[second_st] + second_off],
    ])
    synthetic = np.concatenate([np.zeros(len(cited), bool), np.ones(len(generated) + n_double, bool)])
    by_item = np.argsort(coding_item, kind="stable")
    codings = pd.DataFrame({
        "item": items["item"].to_numpy()[coding_item[by_item]],
        "code": coding_code[by_item],
        "coder": np.full(len(by_item), _CODER, dtype=object),
        "synthetic": synthetic[by_item],
    })
    if name is None:
        name = "megaregions" if scale == 1 else f"megaregions x{scale}"
    return Project(codebook, documents, items, codings, name=name)
