"""The project XML in one expat pass: the selections and codings of the text
sources and notes gathered into columns as they stream by, everything else built
into an ElementTree for the code that reads codebooks, sets, cases and
variables.

Two routes gather the same rows. :func:`parse_columns` first tries the C one
(``_core.refi_gather``, csrc/qc/refi.c: the expat CPython carries, driven from
C, no Python call per element, the GIL released), which takes documents whose
prolog has no DOCTYPE and that expat parses; for everything else (a DOCTYPE,
an encoding expat lacks, XML that is not well-formed) it runs the Python route
below, :func:`parse_project`, whose refusals and messages are those the reader
always gave.

Selections and codings are most of a large export (hundreds of thousands of
elements); building them into a tree of Python objects (through defusedxml's
pure-Python callbacks) and walking it again was most of the time of
:func:`~qdacore.io.qdpx.read_qdpx`. Here each of their elements costs one
start and one end callback that append to lists.

Hostile input: a document with a DOCTYPE (the only place entities and
external references can be declared), or one expat cannot parse, is parsed
again by :func:`~._archive.parse_xml` with defusedxml, which refuses it with
the message it always gave or (a harmless DOCTYPE) gives the tree that is
then replayed through the same callbacks. So what is refused, and why, is
unchanged, and both routes gather the same rows.
"""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Optional
from xml.parsers import expat

import numpy as np

from ... import _core
from ._archive import parse_xml
from ._xml import NS

# expat names an element "uri}local" (the separator "}"); ElementTree "{uri}local"
_N = NS + "}"
_SOURCES, _NOTES, _NOTE = _N + "Sources", _N + "Notes", _N + "Note"
_SEL, _CODING, _CODEREF, _NOTEREF, _DESC = (_N + t for t in ("PlainTextSelection", "Coding", "CodeRef",
                                                             "NoteRef", "Description"))

# What an open element is, by what encloses it. The first five are built into
# the tree (with their text, for _TREE only); the rest are gathered.
_ROOT, _SOURCESK, _NOTESK, _TS, _TREE = 0, 1, 2, 3, 4
_SELK, _CODK, _WCODK, _DESCK, _SKIP = 5, 6, 7, 8, 9
_TEXT = 10  # a Description of a selection whose text is being gathered
_BUILT = 5  # kinds below this are elements of the tree


class _Fallback(Exception):
    """A DOCTYPE: let defusedxml decide what it declares."""


@dataclass
class Gathered:
    """The selections and codings of one text source or note, in file order.

    ``sel_*`` per ``PlainTextSelection`` child: its attributes, the text of
    its first ``Description`` child (None without one) and its ``NoteRef``
    targets (None without any). ``cod_*`` per ``Coding`` child of a
    selection, ``cod_sel`` the selection's row; ``whole_*`` per ``Coding``
    child of the source itself. ``*_ref`` is the ``targetGUID`` of the
    coding's first ``CodeRef`` (None without one or without the attribute).
    """

    sel_attrs: list = field(default_factory=list)
    sel_desc: list = field(default_factory=list)
    sel_notes: list = field(default_factory=list)
    cod_sel: list = field(default_factory=list)
    cod_attrs: list = field(default_factory=list)
    cod_ref: list = field(default_factory=list)
    cod_notes: list = field(default_factory=list)
    whole_attrs: list = field(default_factory=list)
    whole_ref: list = field(default_factory=list)
    whole_notes: list = field(default_factory=list)


class _Handlers:
    """expat's callbacks; ``parser`` is whatever holds the CharacterDataHandler
    (the expat parser, or a stand-in when a tree is replayed)."""

    def __init__(self, parser: Any) -> None:
        self.parser = parser
        self.builder = ET.TreeBuilder()
        self.gathered: dict[ET.Element, Gathered] = {}
        self.names: dict[str, str] = {}
        self.kinds = [-1]
        self.seen_sources = False
        self.text: list = []
        self.ends: list = []  # ends of elements not yet told to the tree and the kinds stack
        self.start, self.end = self._handlers()

    def _handlers(self) -> tuple[Callable, Callable]:
        # closures over locals: attribute look-ups on self cost more per element
        kinds, builder, names, parser = self.kinds, self.builder, self.names, self.parser
        push, pop = kinds.append, kinds.pop
        tb_start, tb_end, tb_data = builder.start, builder.end, builder.data
        text, ends = self.text, self.ends
        # inside a selection every end goes straight into a list (a C method, no
        # Python call per element); the next start, or _finish, catches up on them
        defer = ends.append
        g = Gathered()

        def fix(name: str) -> str:  # as ElementTree names it
            fixed = names.get(name)
            if fixed is None:
                fixed = names[name] = "{" + name if "}" in name else name
            return fixed

        def build(name: str, attrs: dict) -> ET.Element:
            return tb_start(fix(name), {fix(k): v for k, v in attrs.items()} if attrs else {})

        def flush() -> None:
            n = len(ends)
            if min(kinds[-n:]) >= _BUILT:  # only gathered elements closed: nothing to tell the tree
                del kinds[-n:]
            else:
                for name in ends:
                    if pop() < _BUILT:
                        tb_end(fix(name))
                parser.CharacterDataHandler = None if kinds[-1] == _TS else tb_data
            ends.clear()

        def start(name: str, attrs: dict) -> None:
            nonlocal g
            if ends:
                flush()
            parent = kinds[-1]
            if parent == _CODK or parent == _WCODK:
                if name == _CODEREF:
                    refs = g.cod_ref if parent == _CODK else g.whole_ref
                    if refs[-1] is _NONE:
                        refs[-1] = attrs.get("targetGUID")
                elif name == _NOTEREF:
                    notes = g.cod_notes if parent == _CODK else g.whole_notes
                    if notes[-1] is None:
                        notes[-1] = []
                    notes[-1].append(attrs.get("targetGUID") or "")
                push(_SKIP)
            elif parent == _SELK:
                if name == _CODING:
                    g.cod_sel.append(len(g.sel_attrs) - 1)
                    g.cod_attrs.append(attrs)
                    g.cod_ref.append(_NONE)
                    g.cod_notes.append(None)
                    push(_CODK)
                elif name == _NOTEREF:
                    if g.sel_notes[-1] is None:
                        g.sel_notes[-1] = []
                    g.sel_notes[-1].append(attrs.get("targetGUID") or "")
                    push(_SKIP)
                elif name == _DESC and g.sel_desc[-1] is None:
                    g.sel_desc[-1] = text
                    parser.CharacterDataHandler = text.append
                    parser.EndElementHandler = end  # its end stops the text at once
                    push(_TEXT)
                else:
                    push(_SKIP)
            elif parent == _TS:
                if name == _SEL:
                    g.sel_attrs.append(attrs)
                    g.sel_desc.append(None)
                    g.sel_notes.append(None)
                    parser.EndElementHandler = defer
                    push(_SELK)
                elif name == _CODING:
                    g.whole_attrs.append(attrs)
                    g.whole_ref.append(_NONE)
                    g.whole_notes.append(None)
                    parser.EndElementHandler = defer
                    push(_WCODK)
                else:
                    build(name, attrs)
                    parser.CharacterDataHandler = tb_data
                    parser.EndElementHandler = end
                    push(_TREE)
            elif parent >= _DESCK:  # inside what is not gathered, or past a Description's first text
                if parent == _TEXT:
                    parser.CharacterDataHandler = None
                    kinds[-1] = _DESCK
                push(_SKIP)
            elif parent == _TREE:
                build(name, attrs)
                push(_TREE)
            elif (parent == _SOURCESK and name.rpartition("}")[2] == "TextSource") or \
                    (parent == _NOTESK and name == _NOTE):
                g = self.gathered[build(name, attrs)] = Gathered()
                parser.CharacterDataHandler = None  # whitespace between selections, never read
                parser.EndElementHandler = end
                push(_TS)
            elif parent == _ROOT and name == _SOURCES and not self.seen_sources:
                self.seen_sources = True  # the first Sources only, as root.find("Sources")
                build(name, attrs)
                parser.EndElementHandler = end
                push(_SOURCESK)
            elif parent == _ROOT and name == _NOTES:
                build(name, attrs)
                parser.EndElementHandler = end
                push(_NOTESK)
            else:
                build(name, attrs)
                parser.CharacterDataHandler = tb_data
                parser.EndElementHandler = end
                push(_ROOT if parent == -1 else _TREE)

        def end(name: str) -> None:
            kind = pop()
            if kind >= _BUILT:
                if kind == _TEXT or kind == _DESCK:
                    g.sel_desc[-1] = "".join(text)
                    text.clear()
                    parser.CharacterDataHandler = None
                    parser.EndElementHandler = defer  # back in the selection
                return
            tb_end(fix(name))
            # the text handler follows the enclosing element: on in the tree, off in a source
            parser.CharacterDataHandler = None if kinds[-1] == _TS else tb_data

        self.flush = flush
        return start, end


_NONE: Any = object()  # a coding without a CodeRef (yet)


def _finish(h: _Handlers) -> tuple[ET.Element, dict]:
    if h.ends:
        h.flush()
    root = h.builder.close()
    for g in h.gathered.values():
        g.cod_ref = [None if r is _NONE else r for r in g.cod_ref]
        g.whole_ref = [None if r is _NONE else r for r in g.whole_ref]
        for notes in (g.sel_notes, g.cod_notes, g.whole_notes):
            for i, refs in enumerate(notes):
                if refs is not None:
                    notes[i] = " ".join(refs)
    return root, h.gathered


def parse_project(data: bytes, what: str) -> tuple[ET.Element, dict]:
    """The root of a project's XML without its text sources' selections and
    codings, and {text source or note element: its :class:`Gathered` rows}.

    Refuses what :func:`~._archive.parse_xml` refuses, with its messages.
    """
    parser = expat.ParserCreate(None, "}")
    parser.buffer_text = True
    h = _Handlers(parser)
    parser.StartElementHandler = h.start
    parser.EndElementHandler = h.end

    def refuse(*args: Any) -> Any:
        raise _Fallback

    # entities and external references can only be declared in a DOCTYPE;
    # the others are there should expat ever reach them without one
    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    parser.UnparsedEntityDeclHandler = refuse
    parser.ExternalEntityRefHandler = refuse
    try:
        parser.Parse(data, True)
    except Exception:  # noqa: BLE001 - defusedxml says what is wrong, as it always did
        return replay(parse_xml(data, what))
    return _finish(h)


class _StandIn:
    CharacterDataHandler: Optional[Callable] = None
    EndElementHandler: Callable


def replay(root: ET.Element) -> tuple[ET.Element, dict]:
    """What :func:`parse_project` gives for the document whose tree is ``root``:
    its elements fed through the same callbacks (without recursion, however deep)."""
    parser = _StandIn()
    h = _Handlers(parser)
    start = h.start
    parser.EndElementHandler = h.end

    def data(text: Optional[str]) -> None:
        if text and parser.CharacterDataHandler is not None:
            parser.CharacterDataHandler(text)

    stack: list[tuple[ET.Element, bool]] = [(root, False)]
    while stack:
        el, closing = stack.pop()
        name = el.tag[1:] if el.tag.startswith("{") else el.tag
        if closing:
            parser.EndElementHandler(name)
            data(el.tail)
            continue
        start(name, {(k[1:] if k.startswith("{") else k): v for k, v in el.attrib.items()})
        data(el.text)
        stack.append((el, True))
        stack.extend((child, False) for child in reversed(el))
    return _finish(h)


# -- columns: what both routes hand to the reader --------------------------------------
#: Selection columns of :class:`Columns` that hold strings (None where missing).
SEL_STRINGS = ("guid", "name", "created_by", "created", "modified_by", "modified", "description", "note_refs")
#: Coding columns of :class:`Columns` that hold strings (None where missing).
COD_STRINGS = ("guid", "coder_guid", "created", "ref", "note_refs")
_SEL_ATTRS = ("guid", "name", "creatingUser", "creationDateTime", "modifyingUser", "modifiedDateTime")
_DIGITS, _MISSING, _OTHER = 0, 1, 2  # kinds of a position attribute
_CANONICAL = re.compile(r"0|[1-9][0-9]{0,14}")


@dataclass
class Columns:
    """The selections and codings of all text sources and notes, one row each.

    ``sel``: ``src`` (the number of the source, in document order),
    :data:`SEL_STRINGS` (object arrays: the attributes, the first
    ``Description``'s text, the ``NoteRef`` targets space-joined), and for
    ``start`` and ``end`` (the positions): the number (int64, 0 unless
    plain), ``*_kind`` (0: plain digits, ``str(number)`` is the attribute;
    1: no attribute; 2: anything else) and ``*_raw`` (the attribute where
    the kind is 2, else None). ``cod``: ``sel`` (the selection's row, -1 for
    a coding of the whole source), ``src``, :data:`COD_STRINGS` (``ref``:
    the first ``CodeRef``'s ``targetGUID``). Codings are in file order
    within a source, the codings of selections before those of the whole
    source.
    """

    sel: dict
    cod: dict

    def raw(self, side: str, rows: Any) -> list:
        """The ``startPosition`` (side "start") or ``endPosition`` attributes of
        ``rows`` as the file wrote them (None where missing)."""
        value, kind, raw = self.sel[side], self.sel[side + "_kind"], self.sel[side + "_raw"]
        return [raw[i] if kind[i] == _OTHER else None if kind[i] == _MISSING else str(value[i])
                for i in np.asarray(rows, dtype=np.int64).tolist()]


def _position(value: Optional[str]) -> tuple[int, int, Optional[str]]:
    if value is None:
        return 0, _MISSING, None
    if _CANONICAL.fullmatch(value) and value.isascii():
        return int(value), _DIGITS, None
    return 0, _OTHER, value


def _objects(values: list) -> np.ndarray:
    out = np.empty(len(values), dtype=object)
    out[:] = values
    return out


def _from_python(found: dict) -> Columns:
    """:class:`Columns` of what :func:`parse_project` gathered."""
    sel: dict = {c: [] for c in ("src",) + SEL_STRINGS}
    pos: dict = {"start": [], "end": []}
    cod: dict = {c: [] for c in ("sel", "src") + COD_STRINGS}
    for k, g in enumerate(found.values()):
        base = len(sel["src"])
        sel["src"] += [k] * len(g.sel_attrs)
        for column, name in zip(SEL_STRINGS, _SEL_ATTRS):
            sel[column] += [a.get(name) for a in g.sel_attrs]
        sel["description"] += g.sel_desc
        sel["note_refs"] += g.sel_notes
        pos["start"] += [_position(a.get("startPosition")) for a in g.sel_attrs]
        pos["end"] += [_position(a.get("endPosition")) for a in g.sel_attrs]
        for rows, attrs, refs, notes in (([base + r for r in g.cod_sel], g.cod_attrs, g.cod_ref, g.cod_notes),
                                         ([-1] * len(g.whole_attrs), g.whole_attrs, g.whole_ref, g.whole_notes)):
            cod["sel"] += rows
            cod["src"] += [k] * len(attrs)
            cod["guid"] += [a.get("guid") for a in attrs]
            cod["coder_guid"] += [a.get("creatingUser") for a in attrs]
            cod["created"] += [a.get("creationDateTime") for a in attrs]
            cod["ref"] += refs
            cod["note_refs"] += notes
    out_sel = {c: _objects(sel[c]) for c in SEL_STRINGS}
    out_sel["src"] = np.asarray(sel["src"], dtype=np.int64)
    for side in ("start", "end"):
        value, kind, raw = zip(*pos[side]) if pos[side] else ((), (), ())
        out_sel[side] = np.asarray(value, dtype=np.int64)
        out_sel[side + "_kind"] = np.asarray(kind, dtype=np.int8)
        out_sel[side + "_raw"] = _objects(list(raw))
    out_cod = {c: _objects(cod[c]) for c in COD_STRINGS}
    out_cod["sel"] = np.asarray(cod["sel"], dtype=np.int64)
    out_cod["src"] = np.asarray(cod["src"], dtype=np.int64)
    return Columns(out_sel, out_cod)


def _fix(name: str) -> str:  # as ElementTree names it
    return "{" + name if "}" in name else name


def _from_c(got: dict) -> tuple[ET.Element, list, Columns]:
    """The tree, the gathered sources and the :class:`Columns` of ``_core.refi_gather``."""
    strings = got["strings"]
    pool = np.empty(len(strings) + 1, dtype=object)  # pool[-1] is None: index -1 is "missing"
    pool[:-1] = strings
    names: dict = {}  # pool index: the name as ElementTree has it (few distinct)

    def fixed(k: int) -> str:
        name = names.get(k)
        if name is None:
            name = names[k] = _fix(strings[k])
        return name

    builder = ET.TreeBuilder()
    start, end, data = builder.start, builder.end, builder.data
    sources, open_names = [], []
    ev = got["events"].tolist()
    i, n = 0, len(ev)
    while i < n:
        what = ev[i]
        if what <= 1:  # a start (1: of a gathered source)
            name, n_attrs = ev[i + 1], ev[i + 2]
            pairs = ev[i + 3:i + 3 + 2 * n_attrs]
            tag = fixed(name)
            el = start(tag, {fixed(pairs[j]): strings[pairs[j + 1]] for j in range(0, len(pairs), 2)})
            open_names.append(tag)
            if what == 1:
                sources.append(el)
            i += 3 + 2 * n_attrs
        elif what == 2:
            end(open_names.pop())
            i += 1
        else:
            data(strings[ev[i + 1]])
            i += 2
    root = builder.close()
    s, c = got["selections"], got["codings"]
    sel = {col: pool[s[col]] for col in SEL_STRINGS}
    sel["src"] = s["src"].astype(np.int64)
    for side in ("start", "end"):
        sel[side] = s[side]
        sel[side + "_kind"] = s[side + "_kind"]
        sel[side + "_raw"] = pool[s[side + "_raw"]]
    cod = {col: pool[c[col]] for col in COD_STRINGS}
    cod["sel"], cod["src"] = c["sel"], c["src"].astype(np.int64)
    whole = cod["sel"] < 0
    if whole.any():  # a source's codings of selections first, then those of the whole source
        order = np.argsort(cod["src"] * 2 + whole, kind="stable")
        cod = {k: v[order] for k, v in cod.items()}
    return root, sources, Columns(sel, cod)


def parse_columns(data: bytes, what: str) -> tuple[ET.Element, list, Columns]:
    """The root of a project's XML without its text sources' selections and
    codings, the text source and note elements whose rows were gathered (in
    document order: ``src`` numbers them) and the gathered :class:`Columns`.

    Refuses what :func:`~._archive.parse_xml` refuses, with its messages.
    """
    got = _core.refi_gather(data)
    if got is not None:
        return _from_c(got)
    root, found = parse_project(data, what)
    return root, list(found), _from_python(found)
