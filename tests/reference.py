"""Independent pandas computations that the C kernels are checked against.

Nothing here calls qdacore's counting code: roll-ups are re-derived by joining
the codes table with itself, and counts come from pandas groupby.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Optional, Union

import numpy as np
import pandas as pd


def ancestors(codes: pd.DataFrame) -> pd.DataFrame:
    """All (code, ancestor, distance) pairs, ancestor-or-self, by repeated joins."""
    parent = codes[["code", "parent"]].dropna()
    step = pd.DataFrame({"code": codes["code"], "ancestor": codes["code"], "distance": 0})
    pairs = [step]
    while len(step):
        step = step.merge(parent, left_on="ancestor", right_on="code", suffixes=("", "_p"))
        step = pd.DataFrame({"code": step["code"], "ancestor": step["parent"],
                             "distance": step["distance"] + 1})
        pairs.append(step)
        assert step["distance"].max() <= len(codes) if len(step) else True
    return pd.concat(pairs, ignore_index=True)


def rollup(codes: pd.DataFrame, groups: pd.DataFrame, members: pd.DataFrame,
           level: Optional[str]) -> tuple[pd.DataFrame, list]:
    """(code, target) pairs for a dimension, and the ordered list of targets."""
    if level is None:
        return pd.DataFrame({"code": codes["code"], "target": codes["code"]}), codes["code"].tolist()
    anc = ancestors(codes)
    if level in set(codes["level"]):
        at_level = codes.loc[codes["level"] == level, "code"]
        hits = anc[anc["ancestor"].isin(set(at_level))]
        nearest = hits.loc[hits.groupby("code")["distance"].idxmin()]
        return (pd.DataFrame({"code": nearest["code"], "target": nearest["ancestor"]}),
                at_level.tolist())
    in_set = groups.loc[groups["set"] == level, "group"]
    m = members[members["group"].isin(set(in_set))]
    pairs = anc.merge(m, left_on="ancestor", right_on="code", suffixes=("", "_m"))
    pairs = pairs[["code", "group"]].drop_duplicates().rename(columns={"group": "target"})
    return pairs, in_set.tolist()


def frequencies(codes: pd.DataFrame, groups: pd.DataFrame, members: pd.DataFrame,
                documents: pd.DataFrame, items: pd.DataFrame, codings: pd.DataFrame,
                level: Optional[str], by: Union[None, str, Sequence[str]] = None,
                unit: str = "coding") -> Union[pd.Series, pd.DataFrame]:
    """Counts per target (and by-columns) with pandas merges and groupby."""
    pairs, targets = rollup(codes, groups, members, level)
    wide = codings.reset_index(drop=True).reset_index(names="_row")
    item_cols = [c for c in items.columns if c not in wide.columns or c == "item"]
    wide = wide.merge(items[item_cols], on="item", how="left")
    doc_cols = [c for c in documents.columns if c not in wide.columns or c == "doc"]
    wide = wide.merge(documents[doc_cols], on="doc", how="left")
    hits = wide.merge(pairs, on="code")
    keys = [] if by is None else ([by] if isinstance(by, str) else list(by))
    if unit == "item":
        hits = hits.drop_duplicates(["item", "target", *keys])
    if not keys:
        return hits.groupby("target").size().reindex(targets, fill_value=0)
    table = hits.groupby(["target", *keys]).size().unstack(keys, fill_value=0)
    return table.reindex(targets, fill_value=0)


def random_tables(seed: int) -> dict[str, pd.DataFrame]:
    """A seeded random project: a forest of codes with levels that are not always
    nested, group sets with shared and empty groups, codes never used, items
    without codings, repeated codings, missing attribute values."""
    rng = np.random.default_rng(seed)
    n_codes = int(rng.integers(1, 30))
    parent = [None]
    for i in range(1, n_codes):
        parent.append(None if rng.random() < 0.25 else f"c{rng.integers(0, i)}")
    codes = pd.DataFrame({"code": [f"c{i}" for i in range(n_codes)], "parent": parent})
    depth = []
    for p in parent:
        depth.append(0 if p is None else depth[int(p[1:])] + 1)
    if rng.random() < 0.5:
        codes["level"] = [f"L{d}" for d in depth]
    else:  # levels that need not follow depth: nearest-ancestor rule matters
        codes["level"] = rng.choice(["a", "b", "c"], size=n_codes)
    codes = codes.sample(frac=1, random_state=int(rng.integers(0, 2**31))).reset_index(drop=True)

    n_groups = int(rng.integers(0, 8))
    groups = pd.DataFrame({"group": [f"g{i}" for i in range(n_groups)],
                           "set": rng.choice(["s1", "s2"], size=n_groups)})
    n_members = int(rng.integers(0, 3 * n_codes + 1)) if n_groups else 0
    members = pd.DataFrame({"group": rng.choice(groups["group"], size=n_members) if n_groups else [],
                            "code": rng.choice(codes["code"], size=n_members)}).drop_duplicates()
    members = members.reset_index(drop=True).astype(object)

    n_docs = int(rng.integers(1, 6))
    documents = pd.DataFrame({
        "doc": [f"D{i}" for i in range(n_docs)],
        "region": pd.Series(rng.choice(["north", "south", None], size=n_docs), dtype=object),
    })
    n_items = int(rng.integers(1, 60))
    items = pd.DataFrame({
        "item": [f"D:{i}" for i in range(n_items)],
        "doc": rng.choice(documents["doc"], size=n_items),
        "part": rng.choice(["intro", "body"], size=n_items),
    })
    n_codings = int(rng.integers(0, 150))
    codings = pd.DataFrame({
        "item": rng.choice(items["item"], size=n_codings),
        "code": rng.choice(codes["code"], size=n_codings),
        "coder": pd.Series(rng.choice(["ann", "bo", "cy", None], size=n_codings), dtype=object),
    })
    return {"codes": codes, "groups": groups, "members": members,
            "documents": documents, "items": items, "codings": codings}


def span_cooccurs(s0: int, s1: int, t0: int, t1: int) -> bool:
    """Overlap by at least one code point, or one span within the other."""
    return max(s0, t0) < min(s1, t1) or (s0 <= t0 and t1 <= s1) or (t0 <= s0 and s1 <= t1)


def brute_force_cooccurrence(segments: list, targets: list, near) -> dict:
    """Pure-Python co-occurrence over segments [(space, start, end, group, set of
    targets)]: every pair of segments is examined. near(s, t) says whether two
    distinct segments of one space and group co-occur. Returns {(group, a, b): n}
    with a <= b in target order."""
    rank = {t: i for i, t in enumerate(targets)}
    counts: dict = {}

    def add(g, a, b):
        a, b = sorted((a, b), key=rank.get)
        counts[(g, a, b)] = counts.get((g, a, b), 0) + 1

    for i, (space, _start, _end, g, tset) in enumerate(segments):
        for a in tset:
            add(g, a, a)
        ordered = sorted(tset, key=rank.get)
        for x in range(len(ordered)):
            for y in range(x + 1, len(ordered)):
                add(g, ordered[x], ordered[y])
        for j in range(i + 1, len(segments)):
            space2, start2, end2, g2, tset2 = segments[j]
            if space2 != space or g2 != g or not near(segments[i], segments[j]):
                continue
            pairs = {tuple(sorted((a, b), key=rank.get)) for a in tset for b in tset2 if a != b}
            for a, b in pairs:
                add(g, a, b)
    return counts


def random_span_tables(seed: int) -> dict:
    """random_tables plus code-point spans on the codings (touching, nested,
    identical and zero-length ones are frequent because positions are few) and,
    for some items, offsets in their document."""
    tables = random_tables(seed)
    rng = np.random.default_rng(seed + 10_000)
    codings = tables["codings"]
    start = rng.integers(0, 12, size=len(codings))
    length = rng.choice([0, 0, 1, 2, 3, 5, 8], size=len(codings))
    codings["start"] = start
    codings["end"] = start + length
    items = tables["items"]
    placed = rng.random(len(items)) < 0.5
    items["start"] = pd.array(np.where(placed, rng.integers(0, 20, size=len(items)), None), dtype="Int64")
    items["end"] = items["start"] + 40
    return tables


def with_every_dtype(tables: dict[str, pd.DataFrame], rng: np.random.Generator, texts: list) -> None:
    """Add columns of every dtype a project's tables may hold (in place), for
    round-trip tests of its file formats: int64 to 2**62, floats over 600
    orders of magnitude, bool, nullable Int64 and boolean, object text with
    missing values, an ordered categorical, naive and zoned datetimes; codings
    with offsets and a str memo; a code label in Chinese."""
    items = tables["items"]
    n = len(items)
    items["number"] = rng.integers(-2**62, 2**62, size=n)
    items["weight"] = rng.standard_normal(n) * 10.0 ** rng.integers(-300, 300, size=n)
    items["flag"] = rng.random(n) < 0.5
    items["pages"] = pd.array(np.where(rng.random(n) < 0.3, None, rng.integers(0, 99, size=n)), dtype="Int64")
    items["checked"] = pd.array(np.where(rng.random(n) < 0.3, None, rng.random(n) < 0.5), dtype="boolean")
    items["text"] = pd.Series(rng.choice(texts + [None], size=n), dtype=object)
    items["kind"] = pd.Categorical(rng.choice(["b", "a", "c"], size=n), categories=["c", "b", "a"], ordered=True)
    items["coded_on"] = pd.to_datetime("2024-01-01") + pd.to_timedelta(rng.integers(0, 10**6, size=n), unit="s")
    items["stamp"] = items["coded_on"].dt.tz_localize("Asia/Shanghai")
    codings = tables["codings"]
    m = len(codings)
    start = rng.integers(0, 50, size=m)
    codings["start"] = start
    codings["end"] = start + rng.integers(0, 20, size=m)
    codings["memo"] = pd.Series(rng.choice(texts, size=m), dtype="str")
    tables["codes"]["label_zh"] = pd.Series(rng.choice(["交通", "产业, 集群", None], size=len(tables["codes"])),
                                            dtype=object)


def assert_equal_projects(back, project) -> None:
    """Every table equal to the last bit (a failure names the table and column), and the name."""
    for name in ("documents", "items", "codings"):
        pd.testing.assert_frame_equal(getattr(back, name), getattr(project, name), check_exact=True)
    for name in ("codes", "groups", "members"):
        pd.testing.assert_frame_equal(getattr(back.codebook, name), getattr(project.codebook, name),
                                      check_exact=True)
    assert back.equals(project) and back.name == project.name
