"""Hostile input: the .qdpx zip read through a size cap with safe member
names, XML parsed with :mod:`defusedxml`, and the root element checked for
the REFI-QDA schema and version."""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET
import zipfile
import zlib
from pathlib import Path
from typing import Any, Optional, Union

import numpy as np

from ._report import Report, shown
from ._xml import local

# What zipfile raises on a damaged archive: its own error, and those of the
# layers under it (a header offset that seeks before the file start is an
# OSError, a corrupt deflate stream a zlib.error, an unknown method
# NotImplementedError, encryption RuntimeError, a cut member EOFError).
_DAMAGED = (zipfile.BadZipFile, zlib.error, OSError, RuntimeError, NotImplementedError, EOFError)

#: Largest decompressed size read from one archive member (256 MiB).
MAX_MEMBER_BYTES = 256 * 2**20
# The members read from one archive together: at most this many times the
# limit of one member (4 GiB by default), so that many small bombs are one too.
_TOTAL_MEMBERS = 16


def existing_file(path: Union[str, Path]) -> Path:
    """``path`` as a Path; ``FileNotFoundError`` unless it is a file."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"path={str(path)!r} is not a file")
    return path


def member_limit(value: Any) -> int:
    """``max_member_bytes=`` as a positive int, or ValueError naming it."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"max_member_bytes must be a positive whole number, got {value!r}")
    return int(value)


def read_capped(path: Path, limit: int) -> bytes:
    """The bytes of a plain (not zipped) file no larger than ``limit``."""
    size = path.stat().st_size
    if size > limit:
        raise ValueError(f"{path} is {size:,} bytes, over the limit of {limit:,} (max_member_bytes=)")
    return path.read_bytes()


def _safe_name(name: str) -> Optional[str]:
    """Normalised member name, or None for one that is absolute or climbs out."""
    norm = name.replace("\\", "/")
    parts = norm.split("/")
    if norm.startswith("/") or re.match(r"^[A-Za-z]:", norm) or ".." in parts or "\0" in norm:
        return None
    return "/".join(p for p in parts if p not in ("", "."))


class Archive:
    """A .qdpx zip (or a bare .qde XML file) whose members are read through a size cap."""

    def __init__(self, path: Path, limit: int, report: Report) -> None:
        self.path, self.limit, self.report = path, limit, report
        self.zip: Optional[zipfile.ZipFile] = None
        self.members: dict[str, zipfile.ZipInfo] = {}
        self._read: dict[str, bytes] = {}
        self._texts: dict[str, str] = {}
        self.total = 0
        with open(path, "rb") as f:
            magic = f.read(4)
        if magic != b"PK\x03\x04":
            return  # a bare project.qde, as ATLAS.ti's "project only" export
        try:
            self.zip = zipfile.ZipFile(path)
        except _DAMAGED as err:
            raise ValueError(f"{path}: not a readable .qdpx zip archive ({err})") from None
        unsafe, twice = [], []
        for info in self.zip.infolist():
            name = _safe_name(info.filename)
            if name is None:
                unsafe.append(info.filename)
            elif name and not info.filename.endswith("/"):  # a file (an empty name names nothing)
                if name.lower() in self.members:
                    twice.append(info.filename)
                self.members.setdefault(name.lower(), info)
        if twice:
            self.zip.close()
            raise ValueError(f"{path.name}: the archive holds {shown(twice)} more than once (names compared "
                             "without case and separators); zip tools read the last copy and others the first, "
                             "so what it contains is ambiguous: export the project again")
        if unsafe:
            report.add(f"{path.name}: ignored {len(unsafe)} archive member(s) whose names are absolute "
                       f"or climb out of the archive: {shown(unsafe)}")

    def close(self) -> None:
        if self.zip is not None:
            self.zip.close()

    def _read_member(self, info: zipfile.ZipInfo) -> bytes:
        """The member's bytes, read once (a member named by many sources is one
        read), within the limit of one member and of all members together."""
        cached = self._read.get(info.filename)
        if cached is not None:
            return cached
        data = self._read_capped(info)
        self.total += len(data)
        if self.total > _TOTAL_MEMBERS * self.limit:
            raise ValueError(f"{self.path.name}: its members expand past {_TOTAL_MEMBERS * self.limit:,} bytes "
                             f"together ({_TOTAL_MEMBERS} x max_member_bytes=); refusing a possible zip bomb")
        self._read[info.filename] = data
        return data

    def _read_capped(self, info: zipfile.ZipInfo) -> bytes:
        what = f"{self.path.name}:{info.filename}"
        if info.file_size > self.limit:
            raise ValueError(f"{what} expands to {info.file_size:,} bytes, over the limit of "
                             f"{self.limit:,} (max_member_bytes=); refusing a possible zip bomb")
        assert self.zip is not None
        chunks, total = [], 0
        try:
            with self.zip.open(info) as f:
                # the header's size can lie: count what actually comes out
                while True:
                    chunk = f.read(min(2**20, self.limit + 1 - total))
                    if not chunk:
                        break
                    total += len(chunk)
                    if total > self.limit:
                        raise ValueError(f"{what} expands past the limit of {self.limit:,} bytes "
                                         "(max_member_bytes=); refusing a possible zip bomb")
                    chunks.append(chunk)
        except _DAMAGED as err:
            raise ValueError(f"{what}: cannot be read ({err})") from None
        return b"".join(chunks)

    def member(self, name: str) -> Optional[bytes]:
        """The bytes of archive member ``name`` (None when absent or a bare .qde)."""
        info = None if self.zip is None else self.members.get(name.lower())
        return None if info is None else self._read_member(info)

    def project_xml(self) -> bytes:
        if self.zip is None:
            return read_capped(self.path, self.limit)
        qde = [k for k in self.members if "/" not in k and k.endswith(".qde")]
        if not qde:
            raise ValueError(f"{self.path}: the archive has no project.qde at its top level; "
                             f"members are {shown(i.filename for i in self.members.values())}")
        key = "project.qde" if "project.qde" in qde else sorted(qde)[0]
        return self._read_member(self.members[key])

    def source_text(self, path: Optional[str]) -> tuple[Optional[str], str]:
        """(text, why not) for a ``plainTextPath``; only ``internal://`` is read."""
        if not path:
            return None, "no plainTextPath"
        scheme, sep, rest = path.partition("://")
        if not sep or scheme.lower() != "internal":
            return None, f"{path!r} lies outside the archive and is not opened"
        if self.zip is None:
            return None, f"{path!r}: a bare .qde file carries no sources"
        name = _safe_name(rest)
        info = None if name is None else self.members.get(f"sources/{name}".lower())
        if info is None:
            return None, f"{path!r} is not in the archive"
        if info.filename in self._texts:  # one text however many sources name it
            return self._texts[info.filename], ""
        data = self._read_member(info)
        try:
            self._texts[info.filename] = data.decode("utf-8-sig")
            return self._texts[info.filename], ""
        except UnicodeDecodeError as err:
            raise ValueError(f"{self.path.name}:{info.filename} is not UTF-8 text ({err}); "
                             "REFI-QDA plain texts are UTF-8") from None


def parse_xml(data: bytes, what: str) -> ET.Element:
    """The root of ``data``, parsed with entity declarations and external references refused."""
    from defusedxml import ElementTree as SafeET
    from defusedxml.common import DefusedXmlException

    try:
        return SafeET.fromstring(data, forbid_dtd=False, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as err:
        raise ValueError(
            f"{what}: refused ({type(err).__name__}: {err}); REFI-QDA files declare no XML "
            "entities or external references, and these are how billion-laughs and "
            "external-entity attacks work"
        ) from None
    except ET.ParseError as err:
        raise ValueError(f"{what}: not well-formed XML ({err})") from None
    except LookupError as err:  # the XML declaration names an encoding Python lacks
        raise ValueError(f"{what}: its XML declaration names an encoding that cannot be read "
                         f"({err}); REFI-QDA files are UTF-8") from None


def check_root(root: ET.Element, ns: str, tag: str, what: str) -> None:
    """Refuse a root that is not ``<tag>`` in REFI-QDA 1.0's namespace ``ns``."""
    uri = root.tag[1:].partition("}")[0] if root.tag.startswith("{") else ""
    name = local(root.tag)
    kind = "project (.qde)" if tag == "Project" else "codebook (.qdc)"
    if name != tag:
        raise ValueError(f"{what}: root element is <{name}>, not <{tag}>; not a REFI-QDA {kind}")
    if uri != ns:
        version = re.fullmatch(r"urn:QDA-XML:(?:project|codebook):(.+)", uri)
        if version:
            raise ValueError(f"{what}: REFI-QDA schema version {version.group(1)!r} ({uri}) is not "
                             f"supported; qdacore reads version 1.0 ({ns})")
        raise ValueError(f"{what}: namespace {uri or 'none'!r} is not REFI-QDA's {ns!r}; "
                         f"not a REFI-QDA {kind}")
