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

:func:`megaregion_cities` is real: the cities of the 19 mega-regions as the
plans' scope sections list them, with 6-digit administrative codes that join to
the 2020 census by city, which :func:`load_census` reads from a path (the census
file is not shipped; see there).
"""
from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any, Optional, Union

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
    "megaregion_cities",
    "load_census",
    "CENSUS_SOURCE",
    "STUDY_TOTALS",
]

#: Figures the study prints (the theme totals follow from its one-to-one pairing
#: of visions with themes, an assumption the study states; the sub-theme shares
#: are the study's 66 % and 48.5 % rounded to whole codings).
STUDY_TOTALS: dict[str, Any] = {
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
    path = resources.files(__name__).joinpath("data").joinpath(name)  # one name a call before Python 3.11
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


def _recode(codings: pd.DataFrame, items: pd.DataFrame, open_codes: pd.DataFrame,
            rng: np.random.Generator, coder: str) -> pd.DataFrame:
    """A synthetic second coder: coder1's codings kept, moved, dropped or added to."""
    n = len(codings)
    parent = open_codes.set_index("code")["parent"]
    siblings = open_codes.groupby("parent")["code"].apply(np.array)
    fate = rng.random(n)
    code = codings["code"].to_numpy(dtype=object).copy()
    # another open code of the same sub-theme: one draw per coding, vectorised
    sub = parent.reindex(code).to_numpy(dtype=object)
    has_sub = pd.notna(sub)
    pick = rng.random(n)
    moved = np.empty(n, dtype=object)
    for st, options in siblings.items():  # one pass per sub-theme (11), not per row
        at = has_sub & (sub == st)
        moved[at] = options[(pick[at] * len(options)).astype(int)]
    anywhere = open_codes["code"].to_numpy(dtype=object)[rng.integers(0, len(open_codes), n)]
    code = np.where((fate >= 0.88) & (fate < 0.95) & has_sub, moved, code)
    code = np.where((fate >= 0.95) & (fate < 0.97), anywhere, code)
    keep = fate < 0.97
    extra_items = rng.choice(len(items), size=int(0.03 * len(items)), replace=False)
    extra = pd.DataFrame({
        "item": items["item"].to_numpy()[extra_items],
        "code": open_codes["code"].to_numpy(dtype=object)[rng.integers(0, len(open_codes), len(extra_items))],
    })
    recoded = pd.concat([pd.DataFrame({"item": codings["item"].to_numpy()[keep], "code": code[keep]}),
                         extra], ignore_index=True).drop_duplicates(["item", "code"])
    order = pd.Index(items["item"]).get_indexer(recoded["item"])
    recoded = recoded.iloc[np.argsort(order, kind="stable")]
    return recoded.assign(coder=coder, synthetic=True).reset_index(drop=True)


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


def megaregions(*, seed: int = 0, scale: int = 1, n_coders: int = 1,
                name: Optional[str] = None) -> Project:
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
    stay as they are. The result depends only on ``seed``, ``scale`` and
    ``n_coders``.

    ``n_coders=2`` (or more) adds further coders who re-code every item, for
    agreement demonstrations: each of ``coder1``'s codings is kept with
    probability 0.88, moved to another open code of its sub-theme (0.07) or to
    any open code (0.02), or dropped (0.03), and 3 % of items get an extra code.
    Those coders are entirely synthetic; ``coder1`` alone carries the study's
    totals (``frequencies(..., by="coder")``).

    Parameters
    ----------
    seed : int
        Seed of the generator (numpy ``default_rng``).
    scale : int
        Positive whole-number multiplier.
    n_coders : int
        Number of coders (1: only the calibrated ``coder1``).
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
    budget -= np.bincount(subthemes.get_indexer(pd.Index(cited["subtheme"])), minlength=len(subthemes))
    pool = rng.permutation(np.repeat(np.arange(len(subthemes)), budget))
    n_double = _ITEMS_WITH_TWO_CODES * scale
    first_st = pool[: len(generated)]
    second_st = pool[len(generated):]
    double = rng.choice(len(generated), size=n_double, replace=False)

    # Open code within the sub-theme, uniformly; a second code on the same item
    # is always a different code.
    open_codes = codes[codes["level"] == "code"]
    code_parent = subthemes.get_indexer(pd.Index(open_codes["parent"]))
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
    if isinstance(n_coders, bool) or not isinstance(n_coders, (int, np.integer)) or n_coders < 1:
        raise ValueError(f"n_coders must be a whole number >= 1, got {n_coders!r}")
    if n_coders > 1:
        codings = pd.concat([codings, *(_recode(codings, items, open_codes, rng, f"coder{k}")
                                        for k in range(2, n_coders + 1))], ignore_index=True)
    if name is None:
        name = "megaregions" if scale == 1 else f"megaregions x{scale}"
    return Project(codebook, documents, items, codings, name=name)


def megaregion_cities() -> pd.DataFrame:
    """The cities of the 19 mega-regions, compiled from the plans' scope sections.

    One row per city and mega-region (249 rows, 241 distinct cities). Columns:

    ``megaregion``
        as ``region`` in :func:`megaregion_documents`
    ``doc``
        the study's document code(s) for the mega-region (``BJ|TJ|HB`` for
        Beijing-Tianjin-Hebei)
    ``code``
        6-digit administrative code (str), the key of the 2020 census by city
        (:func:`load_census`)
    ``city``, ``city_zh``, ``province``
        English and Chinese name, province (English)
    ``role``
        ``core`` for national central cities, provincial capitals and
        sub-provincial cities (and the two special administrative regions, which
        the Greater Bay Area outline names as core cities), else ``secondary``
    ``core_basis``
        why a core city is core (``;``-separated), missing for secondary cities
    ``partial``
        True when the plan includes only some districts or counties of the unit
        (census figures are for the whole unit)
    ``in_several``, ``also_in``
        True, and the other mega-region(s), for the 8 cities that two plans list
        (Handan, Xingtai, Yuncheng, Liaocheng, Heze with the Central Plain;
        Shangrao, Yingtan, Fuzhou (Jiangxi) in the Middle Yangtze River and West
        Taiwan Strait plans)
    ``source``, ``note``
        the plan the row follows, and remarks (substitute documents, how a scope
        was delimited where the study's document gives no city list)

    The table holds 37 core and 212 secondary rows (204 distinct secondary
    cities); the study reports 34 core and 197 secondary cities. The guide page
    *Spatial relations* explains the difference. The lists are our reading of
    the plans; check a scope against the plan before citing it.

    Examples
    --------
    >>> from qdacore.datasets import megaregion_cities
    >>> cities = megaregion_cities()
    >>> len(cities), cities["code"].nunique(), cities["megaregion"].nunique()
    (249, 241, 19)
    >>> cities["role"].value_counts().to_dict()
    {'secondary': 212, 'core': 37}
    >>> cities.loc[cities["city"] == "Yuxi", ["megaregion", "code", "role"]].to_numpy().tolist()
    [['Central-Yunnan', '530400', 'secondary']]
    """
    cities = _read("megaregion_cities.csv", dtype={"code": str, "partial": bool, "in_several": bool})
    for col in cities.columns.drop(["partial", "in_several"]):
        cities[col] = cities[col].astype(object)
    return cities


#: Where the 2020 census by city comes from (its own source, MIT licence).
CENSUS_SOURCE = ("the public repository leiii/census on GitHub (Lei Dong, 2022; MIT licence), "
                 "file data/census/census_city_2010-2020_v1.csv")


def load_census(path: Union[str, Path], *,
                join: Union[str, pd.DataFrame, None] = "megaregions") -> pd.DataFrame:
    """Read the 2020 census by city from ``path`` and join it by admin code.

    The census is not shipped with qdacore. Obtain ``census_city_2010-2020_v1.csv``
    from its source, the public repository ``leiii/census`` on GitHub (file
    ``data/census/census_city_2010-2020_v1.csv``; Lei Dong, MIT licence): the
    resident population of every prefecture-level unit from the 2010 and 2020
    censuses (``popu_2010``, ``popu_2020``, urban and rural parts, households,
    sex ratio, age groups), keyed by the 6-digit ``city_code``. Files with the
    same columns (e.g. without the boundary column) are read the same way.

    Coordinates: ``lon``/``lat`` are taken from ``centroid_lon``/``centroid_lat``
    when the file has them, else computed as the mean of the boundary polygon's
    vertices in the ``coord`` column (WKT), a rough stand-in for the centroid
    that is good enough for distances between cities; the boundary column
    itself is dropped.

    Parameters
    ----------
    path : str or Path
        The census CSV.
    join : "megaregions", DataFrame or None
        ``"megaregions"`` (default) returns :func:`megaregion_cities` with the
        census columns joined by ``code``; a DataFrame with a ``code`` column is
        joined the same way (left join: its rows and order are kept); None
        returns the census alone, ``code`` as a column.

    Returns
    -------
    DataFrame
        The census name of each unit is ``city_census``; units without census
        figures keep NaN.

    Examples
    --------
    >>> from qdacore.datasets import load_census
    >>> load_census("no/such/file.csv")
    Traceback (most recent call last):
    ...
    FileNotFoundError: no census file at no/such/file.csv; obtain census_city_2010-2020_v1.csv from ...
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no census file at {path}; obtain census_city_2010-2020_v1.csv "
                                f"from {CENSUS_SOURCE}")
    census = pd.read_csv(path, encoding="utf-8-sig", dtype={"city_code": str, "province_code": str})
    missing = [c for c in ("city", "city_code", "popu_2020") if c not in census.columns]
    if missing:
        raise ValueError(f"{path} lacks the census column(s) {missing}; expected the file from "
                         f"{CENSUS_SOURCE}")
    census["city_code"] = census["city_code"].str.strip().str.zfill(6)
    if "centroid_lon" in census.columns and "centroid_lat" in census.columns:
        census["lon"], census["lat"] = census["centroid_lon"], census["centroid_lat"]
    elif "coord" in census.columns:
        points = census["coord"].astype(str).str.extractall(r"(-?\d+(?:\.\d+)?) (-?\d+(?:\.\d+)?)")
        mean = points.astype(float).groupby(level=0).mean()
        census["lon"], census["lat"] = mean[0], mean[1]
    census = census.drop(columns=[c for c in ("coord", "centroid_lon", "centroid_lat") if c in census])
    census = census.rename(columns={"city_code": "code", "city": "city_census",
                                    "province": "province_census"})
    if census["code"].duplicated().any():
        dup = census.loc[census["code"].duplicated(), "code"].unique().tolist()
        raise ValueError(f"{path} repeats city_code {dup[:5]}; the census must hold one row per unit")
    if join is None:
        return census
    if isinstance(join, str):
        if join != "megaregions":
            raise ValueError(f"join must be 'megaregions', a DataFrame or None, got {join!r}")
        join = megaregion_cities()
    if not isinstance(join, pd.DataFrame) or "code" not in join.columns:
        raise ValueError("join must be a DataFrame with a 'code' column of 6-digit admin codes")
    left = join.copy()
    left["code"] = left["code"].astype(str).str.zfill(6)
    overlap = [c for c in census.columns if c in left.columns and c != "code"]
    return left.merge(census.drop(columns=overlap), on="code", how="left", validate="many_to_one")
