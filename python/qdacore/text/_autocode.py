"""Dictionary coding: :func:`keyword_codings`, a coding wherever an item's text
holds one of a code's keywords (what :meth:`qdacore.Project.autocode`
appends to a project)."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Optional

import numpy as np
import pandas as pd

from .. import _validate as check
from ..codebook import Codebook
from ._input import texts_and_labels
from ._items import sentence_spans
from ._match import Matcher

#: Choices of ``scope=``: what a dictionary coding covers.
SCOPES = ("match", "sentence", "item")


def _keyword_table(codebook: Codebook, keywords: Any, level: Optional[str], language: str) -> pd.DataFrame:
    """(code, keyword) rows from the codebook's keyword lists or from keywords."""
    codes = codebook.codes
    if keywords is None:
        column = next((c for c in (f"keywords_{language}", "keywords") if c in codes.columns), None)
        if column is None:
            raise ValueError(f"the codebook has no keywords_{language} or keywords column; "
                             "pass keywords= (a DataFrame with code and keyword, or a dict)")
        rows = codes
        if level is not None:
            if level not in codebook.levels:
                raise ValueError(f"level={level!r} is not a hierarchy level "
                                 f"({check.examples(codebook.levels)})")
            rows = codes[codes["level"] == level]
        rows = rows.loc[rows[column].notna(), ["code", column]]
        table = rows.assign(keyword=rows[column].str.split("|")).explode("keyword")
    elif isinstance(keywords, Mapping):
        table = pd.DataFrame({"code": list(keywords), "keyword": [
            [v] if isinstance(v, str) else list(v) for v in keywords.values()]}).explode("keyword")
    else:
        table = check.frame(keywords, "keywords", ["code", "keyword"])
    table = table[["code", "keyword"]].dropna()
    table = table[table["keyword"].astype(str).str.strip() != ""].drop_duplicates()
    if table.empty:
        raise ValueError("no keywords to code with; the keyword lists are empty")
    check.positions(table["code"], codebook.code_index, "keywords.code", "codebook.code")
    return table.reset_index(drop=True)


def keyword_codings(items: pd.DataFrame, codebook: Codebook, *, keywords: Any = None,
                    level: Optional[str] = "subtheme", scope: str = "match",
                    coder: str = "dictionary", language: str = "zh",
                    fold_case: bool = False) -> pd.DataFrame:
    """Dictionary coding of an items table: a coding wherever an item's ``text``
    holds one of a code's keywords (leftmost-longest, so a keyword inside a
    longer one is not counted again).

    :meth:`qdacore.Project.autocode` appends these codings to a project; its
    documentation gives the parameters.

    Returns
    -------
    DataFrame
        ``item``, ``code``, ``coder``, ``start``, ``end`` (code points of the
        item text), sorted by item, start and code; no row twice.

    Examples
    --------
    >>> import pandas as pd
    >>> from qdacore import Codebook
    >>> from qdacore.text import keyword_codings
    >>> codebook = Codebook(pd.DataFrame({"code": ["CON", "COO"]}))
    >>> items = pd.DataFrame({"item": ["YN:1", "YN:2"],
    ...                       "text": ["建设高速铁路网。", "推进产业协作，共建高速铁路。"]})
    >>> keyword_codings(items, codebook, keywords={"CON": ["高速铁路"], "COO": ["产业协作"]},
    ...                 level=None)
       item code       coder  start  end
    0  YN:1  CON  dictionary      2    6
    1  YN:2  COO  dictionary      2    6
    2  YN:2  CON  dictionary      9   13
    """
    check.choice(scope, "scope", SCOPES)
    if not isinstance(coder, str) or not coder:
        raise ValueError(f"coder must be a non-empty str, got {coder!r}")
    if "text" not in items.columns:
        raise ValueError("items has no 'text' column to code; add the item texts first")
    table = _keyword_table(codebook, keywords, level, language)
    words = pd.Index(table["keyword"].unique(), dtype=object)
    values, _ = texts_and_labels(items["text"])
    # leftmost-longest: at most one match per character of the texts held
    found = Matcher(words.tolist(), fold_case=fold_case).find_arrays(
        values, overlapping=False, max_matches=None)
    hits = pd.DataFrame({"row": found["text"], "start": found["start"], "end": found["end"],
                         "keyword": words[found["pattern"]]}).merge(table, on="keyword")
    if scope == "sentence" and len(hits):
        joined = "\n".join("" if v is None else v for v in values)
        lengths = items["text"].fillna("").str.len().to_numpy(np.int64)
        base = np.r_[0, np.cumsum(lengths + 1)[:-1]]
        offset = base[hits["row"].to_numpy()]
        a, b = sentence_spans(joined, hits["start"].to_numpy() + offset, hits["end"].to_numpy() + offset)
        hits["start"], hits["end"] = a - offset, b - offset
    elif scope == "item":
        hits["start"] = 0
        hits["end"] = items["text"].str.len().to_numpy()[hits["row"].to_numpy()]
    return pd.DataFrame({
        "item": items["item"].to_numpy()[hits["row"].to_numpy()],
        "code": hits["code"].to_numpy(), "coder": coder,
        "start": hits["start"].to_numpy(np.int64), "end": hits["end"].to_numpy(np.int64),
    }).drop_duplicates().sort_values(["item", "start", "code"], kind="stable",
                                     ignore_index=True)
