"""The C route of the REFI-QDA reader (``_core.refi_gather``, csrc/qc/refi.c)
against the Python route (``_stream.parse_project``), and the positions of
many texts converted at once (``_positions._Texts``) against one text at a
time.

Both routes must gather the same columns and the same tree (tails and the
white space directly inside a source aside, which no one reads) on every
document the C route takes; what it does not take (a DOCTYPE, an encoding
expat lacks, XML expat refuses) it hands back as None, and ``read_qdpx``
then refuses or reads it exactly as the Python route always did.
"""
from __future__ import annotations

import warnings
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import numpy as np
import pytest

import qdacore as qc
from qdacore import _core
from qdacore.io.qdpx import _positions, _stream
from test_qdpx_stream import NS, SAMPLES, UNUSUAL, _without_gathered

Q = f"{{{NS}}}"


def python_route(data: bytes):
    root, found = _stream.parse_project(data, "test")
    return root, list(found), _stream._from_python(found)


def c_route(data: bytes):
    got = _core.refi_gather(data)
    assert got is not None, "the C route refused a document it should take"
    return _stream._from_c(got)


def same_columns(a: _stream.Columns, b: _stream.Columns) -> None:
    for part in ("sel", "cod"):
        x, y = getattr(a, part), getattr(b, part)
        assert x.keys() == y.keys()
        for key in x:
            assert x[key].dtype == y[key].dtype, (part, key)
            assert x[key].tolist() == y[key].tolist(), (part, key)


def bare(el: ET.Element) -> list:
    """A source element's elements in order (tag, attributes, text, number of
    children), without tails (white space no one reads); no recursion."""
    return [(e.tag, e.attrib, e.text, len(e)) for e in el.iter()]


def same_routes(data: bytes) -> None:
    root_c, sources_c, cols_c = c_route(data)
    root_p, sources_p, cols_p = python_route(data)
    same_columns(cols_c, cols_p)
    assert [bare(s) for s in sources_c] == [bare(s) for s in sources_p]
    assert bare(_without_gathered(root_c)) == bare(_without_gathered(root_p))


def test_unusual_document_gathers_the_same_in_c():
    same_routes(UNUSUAL)


@pytest.mark.parametrize("path", sorted(SAMPLES.glob("*/*.qd*")) if SAMPLES.is_dir() else [],
                         ids=lambda p: p.parent.name + "/" + p.name)
def test_vendor_samples_gather_the_same_in_c(path):
    if path.suffix == ".qde":
        data = path.read_bytes()
    else:
        with zipfile.ZipFile(path) as zf:
            data = zf.read(next(n for n in zf.namelist() if n.endswith(".qde") and "/" not in n))
    same_routes(data)


def doc(body: str, prolog: str = '<?xml version="1.0" encoding="utf-8"?>') -> bytes:
    return (f'{prolog}<Project xmlns="{NS}" name="p"><Sources>'
            f'<TextSource guid="s" name="t" plainTextPath="internal://t.txt">{body}</TextSource>'
            "</Sources></Project>").encode()


ODD = {
    "attributes missing": '<PlainTextSelection><Coding><CodeRef/></Coding></PlainTextSelection>',
    "positions not numbers": '<PlainTextSelection guid="a" startPosition="x" endPosition=" 12 "/>'
                             '<PlainTextSelection guid="b" startPosition="007" endPosition="+3"/>'
                             '<PlainTextSelection guid="c" startPosition="1e3" endPosition=""/>'
                             '<PlainTextSelection guid="d" startPosition="1234567890123456" endPosition="-1"/>'
                             '<PlainTextSelection guid="e" startPosition="\u0661\u0662" endPosition="0"/>',
    "huge attribute": '<PlainTextSelection guid="' + "g" * 3_000_000 + '" startPosition="0" endPosition="1"/>',
    "deep nesting": '<PlainTextSelection guid="a" startPosition="0" endPosition="1"><Description>d'
                    + "<X>" * 20_000 + "</X>" * 20_000 + "</Description></PlainTextSelection>"
                    + "<Y>" * 20_000 + "</Y>" * 20_000,
    "entities and character references": '<PlainTextSelection guid="&#x61;&amp;" name="&lt;&gt;&quot;&apos;" '
                                         'startPosition="0" endPosition="1"><Description>&#x1F600;&amp;'
                                         '</Description></PlainTextSelection>',
    "notes everywhere": '<NoteRef targetGUID="n0"/><PlainTextSelection guid="a" startPosition="0" endPosition="1">'
                        '<NoteRef targetGUID="n1"/><Coding guid="c"><NoteRef/><NoteRef targetGUID="n2"/>'
                        '<CodeRef targetGUID="k"/></Coding><NoteRef targetGUID="n3"/></PlainTextSelection>'
                        '<Coding guid="w"><NoteRef targetGUID="n4"/></Coding>',
}


@pytest.mark.parametrize("name", sorted(ODD))
def test_odd_documents_gather_the_same_in_c(name):
    same_routes(doc(ODD[name]))


def test_notes_before_sources_and_a_bom():
    data = ("\ufeff" + f'<Project xmlns="{NS}"><Notes><Note guid="n"><PlainTextSelection guid="p" '
            'startPosition="0" endPosition="1"/></Note></Notes><Sources><TextSource guid="s">'
            '<PlainTextSelection guid="q" startPosition="0" endPosition="2"/></TextSource></Sources>'
            "</Project>").encode()
    same_routes(data)


REFUSED = {
    "a DOCTYPE": doc("", '<?xml version="1.0"?><!DOCTYPE Project>'),
    "a DOCTYPE after a comment": doc("", "<!-- c --><!DOCTYPE Project>"),
    "an entity": doc("", '<!DOCTYPE Project [<!ENTITY a "x">]>'),
    "truncated": doc('<PlainTextSelection guid="a" startPosition="0" endPosition="1"/>')[:-30],
    "bad UTF-8": doc('<PlainTextSelection guid="\xff" startPosition="0" endPosition="1"/>').replace(
        "\xff".encode(), b"\xff"),
    "an undeclared entity": doc('<PlainTextSelection guid="&nope;"/>'),
    "UTF-16": doc("").decode().replace("utf-8", "utf-16").encode("utf-16"),
    "UTF-16 without a byte order mark": doc("").decode().replace("utf-8", "utf-16").encode("utf-16-le"),
    "an encoding expat lacks": doc("", '<?xml version="1.0" encoding="windows-1252"?>'),
    "empty": b"",
    "white space only": b"  \n",
    "an unterminated comment": b"<!-- ",
    "two roots": doc("") + b"<Project/>",
}


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_what_the_c_route_does_not_take_is_none(name):
    assert _core.refi_gather(REFUSED[name]) is None


def archive(xml: bytes, tmp_path: Path) -> Path:
    path = tmp_path / "p.qdpx"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("project.qde", xml)
        z.writestr("sources/t.txt", "Ten chars!")
    return path


@pytest.mark.parametrize("name", ["an entity", "truncated", "bad UTF-8", "an undeclared entity", "two roots"])
def test_refused_documents_raise_a_value_error_naming_the_part(name, tmp_path):
    with pytest.raises(ValueError, match=r"p\.qdpx: project\.qde: (refused|not well-formed XML)"):
        qc.read_qdpx(archive(REFUSED[name], tmp_path))


def test_a_harmless_doctype_reads_as_without(tmp_path):
    body = '<PlainTextSelection guid="a" startPosition="0" endPosition="3"><Coding guid="c"/></PlainTextSelection>'
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        plain = qc.read_qdpx(archive(doc(body), tmp_path))
        (tmp_path / "p.qdpx").unlink()
        with_doctype = qc.read_qdpx(archive(doc(body, '<?xml version="1.0"?><!DOCTYPE Project>'), tmp_path))
    assert with_doctype.equals(plain)


def test_mutated_seeds_gather_the_same_or_go_to_the_python_route():
    """Byte-level mutations of a real export: wherever the C route takes one,
    the Python route gathers the same; where it does not, the Python route
    decides (and the reader gives its answer)."""
    import sys
    sys.path.insert(0, str(Path(__file__).parent / "fuzz" / "python"))
    import harnesses

    from test_fuzz_regressions import _mutations
    seed = harnesses.seeds()["qdpx_xml"][0]
    rng = np.random.default_rng(26)
    taken = 0
    for data in [seed, *_mutations(seed, rng, 150)]:
        got = _core.refi_gather(data)
        if got is None:
            continue
        taken += 1
        root_c, sources_c, cols_c = _stream._from_c(got)
        root_p, sources_p, cols_p = python_route(data)
        same_columns(cols_c, cols_p)
        assert bare(_without_gathered(root_c)) == bare(_without_gathered(root_p))
    assert taken > 10


# -- positions of many texts at once ----------------------------------------------------
def random_texts(rng: np.random.Generator, n: int) -> list:
    pieces = np.array(["a", "b", " ", "\r", "\n", "\r\n", "\U0001F600", "\u4e2d", "_", "\U00020000"], dtype=object)
    return ["".join(pieces[rng.integers(0, len(pieces), size=int(rng.integers(0, 30)))]) for _ in range(n)]


@pytest.mark.parametrize("seed", range(20))
def test_many_texts_convert_as_one_text_at_a_time(seed):
    rng = np.random.default_rng(seed)
    texts = random_texts(rng, int(rng.integers(1, 8)))
    group = _positions._Texts(texts)
    telling = group.telling()
    for k, text in enumerate(texts):
        cp = _positions.codepoints(text)
        assert telling[k] == bool((cp > 0xFFFF).any() or ((cp[:-1] == 13) & (cp[1:] == 10)).any())
        bad = _positions.inside_word(cp, _positions.word_mask(text))
        ks = np.arange(len(cp) + 1)
        assert group.bad(np.full(len(ks), k), ks).tolist() == bad.tolist()
    for convention in _positions.CONVENTIONS:
        table = group.table(convention)
        for k, text in enumerate(texts):
            one = _positions.offset_table(_positions.codepoints(text), convention)
            pos = np.concatenate([np.arange(-2, one[-1] + 3), [np.nan]]).astype(float)
            for side in ("start", "end"):
                want = _positions.to_codepoints(one, pos, side)
                got = group.to_codepoints(table, np.full(len(pos), k), pos, side)
                for w, g in zip(want, got):
                    assert w.tolist() == g.tolist(), (convention, text, side)
