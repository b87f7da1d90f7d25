"""REFI-QDA projects (``.qdpx``) and codebooks (``.qdc``): the exchange standard
of ATLAS.ti, NVivo, MAXQDA, QualCoder and others.

Mapping between REFI-QDA 1.0 and a :class:`~qdacore.Project`
------------------------------------------------------------

=============================  ==================================================
REFI-QDA                        Project
=============================  ==================================================
``Code`` (nested)               a row of ``codebook.codes``: ``code`` (the name;
                                where two codes share a name, the path of names
                                ``a > b > name``), ``parent``, ``level``
                                (``depth1``, ``depth2``, ... by nesting),
                                ``name``, ``guid``, ``color``, ``description``,
                                ``is_codable``
``Set``                         a row of ``codebook.groups``: ``group``, ``set``
                                (see below), ``name``, ``guid``, ``description``;
                                its ``MemberCode`` in ``codebook.members``; its
                                ``MemberSource``/``MemberNote`` as a documents
                                column (see below)
``User``                        ``codings.coder`` (the user's name) and
                                ``codings.coder_guid``
``TextSource``                  a row of ``documents`` with ``kind="text"`` and
                                its full plain ``text``
``Note``                        a row of ``documents`` with ``kind="note"``
``PlainTextSelection``          a row of ``items``: ``item`` is
                                ``<doc>:<start>-<end>``, ``guid`` the selection's
                                GUID, ``start``/``end`` in code points of the
                                document, the selected ``text``, ``name``,
                                ``description``, ``outside``. Identical
                                selections (one source, the same positions; NVivo
                                and ATLAS.ti write one per code applied) are one
                                item, with the first one's GUID and attributes
``Coding``                      a row of ``codings`` covering its whole item
                                (``start`` 0, ``end`` the item's length); where
                                an item merges several selections,
                                ``selection`` holds each coding's own selection
                                GUID, and an export writes those selections
                                back
``Coding`` of a whole source    an item with ``scope="source"`` spanning the text,
                                its id the document's
``Case`` / ``Variable``         documents columns: ``case``, ``case_guid`` and one
                                column per variable, from the source's own values
                                or those of the case that lists it
``NoteRef``                     ``note_refs`` (space-separated GUIDs) on the row
                                of whatever holds it
``creatingUser`` ... dates      ``created_by``, ``created``, ``modified_by``,
                                ``modified``
=============================  ==================================================

A ``Set`` named ``"vision::V-MP"`` becomes group ``V-MP`` of group set
``vision``; other sets go to group set ``sets`` (code sets) or ``document
sets`` (sets of sources and notes, imported or not). Exports write
``set::group`` so that group sets survive. The document sets named
``variable: value`` (ATLAS.ti's ``gender: male``, ``age: 25``) become one
documents column ``variable`` with each document's value (whole numbers as
``Int64``), usable as ``by="gender"``; each other document set becomes a
boolean documents column ``set:<group>``. Exports write both back as the
sets they came from.

Codes named ``Parent::Child`` (ATLAS.ti's flat codebooks) stay flat unless
``hierarchy="::"`` asks for the hierarchy.

Not carried (each reported with a warning when a file has them): picture,
PDF, audio and video sources and their selections (qdacore analyses text),
transcripts, links, graphs, cases' code and selection references, project
descriptions. Users who neither code nor created anything are not kept.

Positions
---------
REFI-QDA counts Unicode code points, 0-based, end exclusive. Some packages
do not: NVivo counts UTF-16 units (an astral character counts 2), ATLAS.ti
counts a CRLF as one (the ``positions=`` choices). ``positions="auto"`` starts from
the ``origin`` attribute, then tries every convention on the texts and keeps
the one under which most selections start and end between words (and match
their excerpt names). The choice is reported with a :class:`PositionsWarning`
whenever it is not the standard's. Offsets in the Project are always code
points; exports always write code points.

qdacore's own tables
--------------------
REFI-QDA has no place for level names, labels in several languages,
keywords, item ids such as ``YN:18`` or extra columns, and its schema admits
no foreign elements. :func:`write_qdpx` therefore also stores the project's
tables in the archive's ``qdacore/`` folder (the CSV-folder format of
:mod:`qdacore.io.csv`, with the SHA-256 of the ``project.qde`` and texts they
belong to); other software ignores it. :func:`read_qdpx` gives back exactly
that project while the XML and texts are unchanged, and otherwise reads the
XML, with a warning. ``write_qdpx(..., qdacore_tables=False)`` leaves the
folder out.

Hostile input
-------------
XML is read in one expat pass that stops at a DOCTYPE, the only place
entities and external references can be declared; such a document (and one
expat cannot parse) is parsed with :mod:`defusedxml` instead, which refuses
entity declarations and external references and names what is wrong. Every
zip member is read through a size cap; member names that
are absolute or climb with ``..`` are ignored; source paths outside the
archive are never opened; a root element of another schema version is refused.
Selections that fall outside their source's text are kept, flagged
``outside=True`` with ``start``/``end`` missing and the file's positions in
``raw_start``/``raw_end``, and reported with a :class:`QdpxWarning`.
"""
# One concern a module; each imports only from those above it in this list:
#   _report     QdpxWarning, PositionsWarning, and the report that raises them once
#   _guids      GUIDs (compared, checked, derived) and readable ids
#   _xml        namespaces, tag names, element helpers shared by reading and writing
#   _archive    hostile input: zip size caps, safe member names, defused XML, root checks
#   _stream     the project XML in one expat pass (in C, _core.refi_gather, or in Python): selections and
#               codings gathered as columns, the rest as a tree
#   _positions  position conventions, the positions="auto" decision, selections to items
#   _codebook   codes and sets both ways (.qdpx and .qdc): read_qdc, write_qdc
#   _variables  cases and variables both ways
#   _tables     qdacore's own tables beside the XML (the qdacore/ folder)
#   _read       project XML to the four tables: read_qdpx (the one place a Project is made)
#   _write      a Project to a .qdpx archive: write_qdpx
from . import _archive, _positions
from ._codebook import read_qdc, write_qdc
from ._read import read_qdpx
from ._report import PositionsWarning, QdpxWarning
from ._write import write_qdpx

#: Largest decompressed size read from one archive member (256 MiB); the
#: members together may expand to 16 times as much.
MAX_MEMBER_BYTES = _archive.MAX_MEMBER_BYTES
#: Choices of ``positions=``: ``"auto"`` and the conventions a file may count in.
POSITIONS = _positions.POSITIONS

__all__ = [
    "read_qdpx", "write_qdpx", "read_qdc", "write_qdc",
    "QdpxWarning", "PositionsWarning", "POSITIONS", "MAX_MEMBER_BYTES",
]

for _public in (read_qdpx, write_qdpx, read_qdc, write_qdc, QdpxWarning, PositionsWarning):
    _public.__module__ = __name__  # shown, documented and pickled as qdacore.io.qdpx.<name>, as before the split
del _public
