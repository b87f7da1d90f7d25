"""Bad input to the public API: each case raises a Python exception whose
message names the argument (table.column or parameter) at fault."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import qdacore as qc


def tables():
    codes = pd.DataFrame({"code": ["T", "a", "b"], "parent": [None, "T", "T"],
                          "level": ["theme", "code", "code"]})
    groups = pd.DataFrame({"group": ["G"], "set": ["vision"]})
    members = pd.DataFrame({"group": ["G"], "code": ["T"]})
    documents = pd.DataFrame({"doc": ["d1", "d2"], "region": ["x", "y"]})
    items = pd.DataFrame({"item": ["d1:1", "d2:1"], "doc": ["d1", "d2"]})
    codings = pd.DataFrame({"item": ["d1:1", "d2:1"], "code": ["a", "b"], "coder": ["A", "B"]})
    return dict(codes=codes, groups=groups, members=members, documents=documents,
                items=items, codings=codings)


def build(**changes):
    t = tables()
    t.update(changes)
    codebook = qc.Codebook(t["codes"], t["groups"], t["members"])
    return qc.Project(codebook, t["documents"], t["items"], t["codings"])


def edit(table, **columns):
    df = tables()[table].copy()
    for col, values in columns.items():
        if values is None:
            df = df.drop(columns=col)
        else:
            df[col] = values
    return {table: df}


CASES = [
    # (case, changes, exception, words in the message)
    ("codes not a frame", {"codes": [("T", None)]}, TypeError, ["codebook.codes", "DataFrame"]),
    ("empty codebook", {"codes": tables()["codes"].iloc[:0]}, ValueError, ["codebook.codes", "empty", "allow_empty"]),
    ("codes without code column", edit("codes", code=None), ValueError, ["codebook.codes", "'code'"]),
    ("duplicate code", edit("codes", code=["T", "a", "a"]), ValueError, ["codebook.code", "duplicate", "'a'"]),
    ("missing code id", edit("codes", code=["T", None, "b"]), ValueError, ["codebook.code", "missing"]),
    ("unknown parent", edit("codes", parent=[None, "T", "Z"]), ValueError, ["codebook.parent", "'Z'"]),
    ("cycle", edit("codes", parent=["b", "T", "T"]), ValueError, ["codebook.parent", "cycle"]),
    ("self parent", edit("codes", parent=["T", "a", "T"]), ValueError, ["codebook.parent", "cycle", "'T'"]),
    ("set named like a level", edit("groups", set=["theme"]), ValueError, ["'theme'", "level", "group set"]),
    ("duplicate group", {"groups": pd.DataFrame({"group": ["G", "G"], "set": ["s", "s"]})}, ValueError, ["codebook.groups.group", "duplicate"]),
    ("group without set", edit("groups", set=[None]), ValueError, ["codebook.groups.set", "missing"]),
    ("member of unknown group", edit("members", group=["H"]), ValueError, ["codebook.members.group", "'H'"]),
    ("member is unknown code", edit("members", code=["zz"]), ValueError, ["codebook.members.code", "'zz'"]),
    ("membership twice", {"members": pd.DataFrame({"group": ["G", "G"], "code": ["T", "T"]})}, ValueError, ["codebook.members", "twice"]),
    ("documents not a frame", {"documents": {"doc": ["d1"]}}, TypeError, ["documents", "DataFrame"]),
    ("empty documents", {"documents": tables()["documents"].iloc[:0]}, ValueError, ["documents", "empty"]),
    ("duplicate doc", edit("documents", doc=["d1", "d1"]), ValueError, ["documents.doc", "duplicate"]),
    ("empty items", {"items": tables()["items"].iloc[:0]}, ValueError, ["items", "empty"]),
    ("items without doc", edit("items", doc=None), ValueError, ["items", "'doc'"]),
    ("duplicate item", edit("items", item=["d1:1", "d1:1"]), ValueError, ["items.item", "duplicate"]),
    ("item in unknown doc", edit("items", doc=["d1", "d9"]), ValueError, ["items.doc", "'d9'"]),
    ("coding of unknown item", edit("codings", item=["d1:1", "x:1"]), ValueError, ["codings.item", "'x:1'"]),
    ("coding of unknown code", edit("codings", code=["a", "nope"]), ValueError, ["codings.code", "'nope'"]),
    ("coding with missing code", edit("codings", code=["a", None]), ValueError, ["codings.code"]),
    ("start without end", edit("codings", start=[0, 1]), ValueError, ["codings", "start", "end"]),
    ("text offsets", {**edit("codings", start=["0", "1"]), "codings": edit("codings", start=["0", "1"])["codings"].assign(end=[1, 2])}, TypeError, ["codings.start", "numeric"]),
    ("negative offset", {"codings": tables()["codings"].assign(start=[-1, 0], end=[2, 3])}, ValueError, ["codings.start", ">= 0"]),
    ("fractional offset", {"codings": tables()["codings"].assign(start=[0.5, 0], end=[2, 3])}, ValueError, ["codings.start", "whole"]),
    ("start after end", {"codings": tables()["codings"].assign(start=[5, 0], end=[2, 3])}, ValueError, ["codings", "start > end"]),
    ("half-missing span", {"codings": tables()["codings"].assign(start=[np.nan, 0.0], end=[2.0, 3.0])}, ValueError, ["codings", "both"]),
]


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_bad_tables(case):
    _, changes, exc, words = case
    with pytest.raises(exc) as info:
        build(**changes)
    for word in words:
        assert word in str(info.value), str(info.value)


def test_codebook_must_be_a_codebook():
    t = tables()
    with pytest.raises(TypeError, match="codebook"):
        qc.Project(["T"], t["documents"], t["items"], t["codings"])


CALLS = [
    ("unknown level", lambda p: p.frequencies("vision2"), ValueError, ["level='vision2'", "theme", "vision"]),
    ("level of wrong type", lambda p: p.frequencies(3), ValueError, ["level=3"]),
    ("unknown by", lambda p: p.frequencies("theme", by="province"), ValueError, ["by='province'", "region"]),
    ("empty by list", lambda p: p.frequencies("theme", by=[]), ValueError, ["by=[]"]),
    ("bad unit", lambda p: p.frequencies("theme", unit="words"), ValueError, ["unit", "'words'"]),
    ("bad normalize", lambda p: p.code_document_table("theme", normalize="rows"), ValueError, ["normalize", "'rows'"]),
    ("table without by", lambda p: p.code_document_table("theme", by=None), ValueError, ["by=None"]),
    ("percent of counts", lambda p: p.code_document_table("theme", percent=True), ValueError, ["percent"]),
    ("unknown label column", lambda p: p.frequencies("theme", labels="label_fr"), ValueError, ["labels='label_fr'"]),
]


@pytest.mark.parametrize("case", CALLS, ids=[c[0] for c in CALLS])
def test_bad_arguments(case):
    _, call, exc, words = case
    with pytest.raises(exc) as info:
        call(build())
    for word in words:
        assert word in str(info.value), str(info.value)


def test_empty_codings_are_allowed_and_count_zero():
    project = build(codings=tables()["codings"].iloc[:0])
    assert project.frequencies("theme").tolist() == [0]
    assert project.frequencies("vision", by="region").to_numpy().sum() == 0


def test_empty_tables_are_allowed():
    # A REFI-QDA export of a project nobody has coded yet has no selections,
    # sometimes no sources or codes (ATLAS.ti's blank project).
    t = tables()
    project = qc.Project(t["codes"].iloc[:0], t["documents"].iloc[:0], t["items"].iloc[:0],
                         t["codings"].iloc[:0], allow_empty=True)
    assert project.codebook.levels == []
    assert project.frequencies().empty and project.cooccurrence().empty
    codebook = qc.Codebook(t["codes"], t["groups"], t["members"])
    project = qc.Project(codebook, t["documents"], t["items"].iloc[:0], t["codings"].iloc[:0],
                         allow_empty=True)
    assert project.frequencies("theme").tolist() == [0]
    assert project.cooccurrence("theme").to_numpy().tolist() == [[0]]
    assert project.code_document_table("theme").to_numpy().sum() == 0
    with pytest.raises(ValueError, match="coder"):
        project.agreement("theme")


def test_ids_in_the_index_are_accepted():
    t = tables()
    project = qc.Project(qc.Codebook(t["codes"].set_index("code")), t["documents"].set_index("doc"),
                         t["items"].set_index("item"), t["codings"])
    assert project.frequencies("theme").tolist() == [2]


def test_levels_default_to_depth_names():
    codes = pd.DataFrame({"code": ["T", "a"], "parent": [None, "T"]})
    cb = qc.Codebook(codes)
    assert cb.levels == ["depth1", "depth2"]
    assert cb.codes["level"].tolist() == ["depth1", "depth2"]
