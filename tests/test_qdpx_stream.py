"""The streaming parse of read_qdpx (qdacore.io.qdpx._stream) against ElementTree.

What the expat pass gathers for each text source and note is compared with
what ``xml.etree.ElementTree`` finds in the same document with ``find`` and
``findall`` (first ``Description`` child, direct ``NoteRef``, ``Coding`` and
``CodeRef`` children), on documents made to hold the unusual: nested
elements inside descriptions, several code references, codings of a whole
source, comments and CDATA, a second ``Sources`` element, notes, foreign
namespaces, and the vendor samples when they are present.
"""
from __future__ import annotations

import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import pytest

from qdacore.io.qdpx import _stream

NS = "urn:QDA-XML:project:1.0"
Q = f"{{{NS}}}"
SAMPLES = Path(__file__).resolve().parents[2] / "shared" / "data" / "qdpx-samples"


def _child_text(el, tag):
    child = el.find(Q + tag)
    return None if child is None else (child.text or "")


def _note_refs(el):
    refs = [r.get("targetGUID") or "" for r in el.findall(Q + "NoteRef")]
    return " ".join(refs) if refs else None


def _coding(c):
    ref = c.find(Q + "CodeRef")
    return (dict(c.attrib), None if ref is None else ref.get("targetGUID"), _note_refs(c))


def expected(data: bytes) -> list:
    """(tag, guid, selections, codings, whole codings) per text source and note, by ElementTree."""
    root = ET.fromstring(data)
    sources = root.find(Q + "Sources")
    els = [el for el in ([] if sources is None else sources) if el.tag.rpartition("}")[2] == "TextSource"]
    els += root.findall(f"{Q}Notes/{Q}Note")
    out = []
    for el in els:
        sels, codings = [], []
        for k, sel in enumerate(el.findall(Q + "PlainTextSelection")):
            sels.append((dict(sel.attrib), _child_text(sel, "Description"), _note_refs(sel)))
            codings += [(k,) + _coding(c) for c in sel.findall(Q + "Coding")]
        out.append((el.tag, el.get("guid"), sels, codings, [_coding(c) for c in el.findall(Q + "Coding")]))
    return out


def gathered(data: bytes) -> list:
    root, found = _stream.parse_project(data, "test")
    sources = root.find(Q + "Sources")
    els = [el for el in ([] if sources is None else sources) if el.tag.rpartition("}")[2] == "TextSource"]
    els += root.findall(f"{Q}Notes/{Q}Note")
    assert set(found) == set(els)  # no other element is gathered
    out = []
    for el in els:
        g = found[el]
        # the gathered elements are not in the tree; what else the source holds is
        assert el.find(Q + "PlainTextSelection") is None and el.find(Q + "Coding") is None
        out.append((el.tag, el.get("guid"), list(zip(g.sel_attrs, g.sel_desc, g.sel_notes)),
                    list(zip(g.cod_sel, g.cod_attrs, g.cod_ref, g.cod_notes)),
                    list(zip(g.whole_attrs, g.whole_ref, g.whole_notes))))
    return out


UNUSUAL = f"""<?xml version="1.0" encoding="utf-8"?>
<!-- a comment before the root -->
<Project xmlns="{NS}" xmlns:x="urn:other" name="unusual">
  <Sources>
    <TextSource guid="s1" name="one" plainTextPath="internal://s1.txt">
      <Description>about <b xmlns="urn:other">bold</b> one</Description>
      <NoteRef targetGUID="n1"/><NoteRef/>
      <PlainTextSelection guid="p1" name="a &amp; b" startPosition="0" endPosition="4">
        <Description><![CDATA[cdata <text>]]> and more<!-- c --> text<Inner/>after</Description>
        <Description>second, ignored</Description>
        <NoteRef targetGUID="n2"/>
        <Coding guid="c1"><CodeRef targetGUID="k1"/><CodeRef targetGUID="k2"/><NoteRef targetGUID="n3"/></Coding>
        <Coding guid="c2"><CodeRef/></Coding>
        <Coding guid="c3"/>
        <x:Coding guid="foreign"><CodeRef targetGUID="k9"/></x:Coding>
        <Extra><Coding guid="nested"><CodeRef targetGUID="k8"/></Coding></Extra>
      </PlainTextSelection>
      <PlainTextSelection guid="p2" startPosition="x" endPosition="9"><Description/></PlainTextSelection>
      <Coding guid="w1"><CodeRef targetGUID="k3"/></Coding>
      <VariableValue><VariableRef targetGUID="v1"/><TextValue>t</TextValue></VariableValue>
      <Coding guid="w2"><x:CodeRef targetGUID="k4"/><CodeRef targetGUID="k5"/></Coding>
    </TextSource>
    <x:TextSource guid="s2" name="foreign namespace, same local name"/>
    <PDFSource guid="s3"><PlainTextSelection guid="p3" startPosition="0" endPosition="1"/></PDFSource>
  </Sources>
  <Sources><TextSource guid="s4" name="in a second Sources: not read"/></Sources>
  <Notes>
    <Note guid="n1" name="note"><PlainTextContent>note text</PlainTextContent>
      <PlainTextSelection guid="p4" startPosition="0" endPosition="4"><Coding guid="c4">
        <CodeRef targetGUID="k1"/></Coding></PlainTextSelection>
    </Note>
    <x:Note guid="n9"/>
  </Notes>
  <Notes><Note guid="n2"/></Notes>
</Project>
""".encode()


def test_unusual_document_gathers_what_elementtree_finds():
    want = expected(UNUSUAL)
    assert [w[1] for w in want] == ["s1", "s2", "n1", "n2"]  # the document holds what it is meant to
    assert want[0][2][0][1] == "cdata <text> and more text"  # text up to the first child, comments dropped
    assert gathered(UNUSUAL) == want


def _without_gathered(root):
    """``root`` without the selections and codings of text sources and notes, and
    without tails and the text directly in a source (white space no one reads)."""
    for el in list(root.iter()):
        source = el.tag.rpartition("}")[2] in ("TextSource", "Note")
        if source:
            el[:] = [c for c in el if c.tag not in (Q + "PlainTextSelection", Q + "Coding")]
            el.text = None
        el.tail = None
    return root


def test_the_rest_of_the_tree_is_elementtree_s():
    """Everything but the gathered selections and codings is built as ElementTree builds it."""
    root, _ = _stream.parse_project(UNUSUAL, "test")
    assert ET.tostring(_without_gathered(root)) == ET.tostring(_without_gathered(ET.fromstring(UNUSUAL)))
    assert root.find(f"{Q}Sources/{Q}PDFSource/{Q}PlainTextSelection") is not None


def test_a_doctype_goes_through_defusedxml_with_the_same_result():
    """A harmless DOCTYPE (no entities) is read by defusedxml and replayed: the same rows."""
    with_doctype = UNUSUAL.replace(b"<!-- a comment before the root -->", b"<!DOCTYPE Project>")
    assert gathered(with_doctype) == gathered(UNUSUAL)


def test_entities_are_refused():
    bomb = (f'<?xml version="1.0"?><!DOCTYPE Project [<!ENTITY a "ha">]>'
            f'<Project xmlns="{NS}"><Sources><TextSource guid="s" name="&a;"/></Sources></Project>').encode()
    with pytest.raises(ValueError, match="refused"):
        _stream.parse_project(bomb, "bomb")


@pytest.mark.parametrize("path", sorted(SAMPLES.glob("*/*.qd*")) if SAMPLES.is_dir() else [],
                         ids=lambda p: p.parent.name + "/" + p.name)
def test_vendor_samples_gather_what_elementtree_finds(path):
    if path.suffix == ".qde":
        data = path.read_bytes()
    else:
        with zipfile.ZipFile(path) as zf:
            data = zf.read(next(n for n in zf.namelist() if n.endswith(".qde") and "/" not in n))
    want = expected(data)
    assert gathered(data) == want
