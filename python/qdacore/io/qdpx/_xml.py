"""REFI-QDA XML, element by element: the namespaces, qualified and written tag
names, and the small helpers that read and write the parts many elements share
(descriptions, note references, audit attributes, dates, text XML can hold)."""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from typing import Any, Optional

import numpy as np
import pandas as pd

from ._guids import GUID_RE

NS = "urn:QDA-XML:project:1.0"
CODEBOOK_NS = "urn:QDA-XML:codebook:1.0"
AUDIT = ["created_by", "created", "modified_by", "modified"]  # columns of the audit attributes
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


# -- reading --------------------------------------------------------------------------
def qname(tag: str, ns: str = NS) -> str:
    """``tag`` qualified by ``ns``, as ElementTree names what it parses."""
    return f"{{{ns}}}{tag}"


def local(tag: Any) -> str:
    """The tag without its namespace ("" for a comment or processing instruction)."""
    return tag.rpartition("}")[2] if isinstance(tag, str) else ""


def child_text(el: ET.Element, tag: str, ns: str = NS) -> Optional[str]:
    """Text of the child ``tag`` ("" when empty), None without one."""
    child = el.find(qname(tag, ns))
    if child is None:
        return None
    return child.text or ""


def note_refs(el: ET.Element) -> Optional[str]:
    """The ``NoteRef`` targets of ``el``, space-separated, or None."""
    refs = [r.get("targetGUID") or "" for r in el.findall(qname("NoteRef"))]
    return " ".join(refs) if refs else None


# -- writing --------------------------------------------------------------------------
def to_bytes(root: ET.Element) -> bytes:
    """``ET.tostring(root, encoding="utf-8", xml_declaration=True)``, byte for
    byte, without recursion: ElementTree's serializer calls itself per level,
    so a codebook nested a thousand codes deep raised RecursionError. The
    trees written here hold plain tags and str attributes, no comments."""
    out = ["<?xml version='1.0' encoding='utf-8'?>\n"]
    stack: list[tuple[ET.Element, bool]] = [(root, False)]
    while stack:
        el, closing = stack.pop()
        if closing:
            out.append(f"</{el.tag}>")
        else:
            attrs = "".join(f' {key}="{_escape_attribute(value)}"' for key, value in el.items())
            if el.text or len(el):
                out.append(f"<{el.tag}{attrs}>")
                if el.text:
                    out.append(_escape_text(el.text))
                stack.append((el, True))
                stack.extend((child, False) for child in reversed(el))
                continue
            out.append(f"<{el.tag}{attrs} />")
        if el.tail:
            out.append(_escape_text(el.tail))
    return "".join(out).encode("utf-8")


# ElementTree's own escaping, so that the bytes are those it writes
_escape_attribute = ET._escape_attrib  # type: ignore[attr-defined]
_escape_text = ET._escape_cdata  # type: ignore[attr-defined]


def plain_tag(tag: str, ns: str = NS) -> str:
    """Tags are written unqualified under a default ``xmlns`` on the root
    (ElementTree cannot otherwise give a default namespace to plain attributes)."""
    return tag


def xml_text(value: Any, where: str) -> str:
    """``value`` as XML text, refusing characters XML 1.0 cannot hold."""
    text = str(value)
    bad = _XML_ILLEGAL.search(text)
    if bad:
        raise ValueError(f"{where}: character U+{ord(bad.group()):04X} cannot be written to XML; "
                         f"remove it from {text[:40]!r}")
    return text


def iso(values: pd.Series) -> np.ndarray:
    """xsd:dateTime strings in UTC (``...Z``), None where missing."""
    out = np.full(len(values), None, dtype=object)
    if not len(values):
        return out
    t = pd.to_datetime(values, errors="coerce", utc=True)
    ok = t.notna().to_numpy()
    if ok.any():
        whole = t[ok].dt.strftime("%Y-%m-%dT%H:%M:%S")
        frac = (t[ok].dt.microsecond * 1000 + t[ok].dt.nanosecond).to_numpy()
        out[ok] = np.where(frac == 0, whole + "Z", whole + "." + pd.Series(frac).astype(str).str.zfill(9)
                           .str.rstrip("0").to_numpy(dtype=object) + "Z")
    return out


def column(df: pd.DataFrame, name: str) -> pd.Series:
    """``df[name]`` or an all-missing column."""
    if name in df.columns:
        return df[name]
    return pd.Series([None] * len(df), index=df.index, dtype=object)


def nonnull(value: Any) -> bool:
    """True for a value to write: not None, NaN, NA or NaT."""
    return value is not None and not (isinstance(value, float) and np.isnan(value)) and value is not pd.NA \
        and value is not pd.NaT


def description(el: ET.Element, value: Any, where: str, ns: str = NS) -> None:
    """A ``Description`` child holding ``value``, unless it is missing."""
    if nonnull(value):
        ET.SubElement(el, plain_tag("Description", ns)).text = xml_text(value, where)


def note_ref_elements(el: ET.Element, value: Any) -> None:
    """A ``NoteRef`` child per GUID in the space-separated ``value``."""
    if nonnull(value):
        for target in str(value).split():
            if GUID_RE.fullmatch(target):
                ET.SubElement(el, plain_tag("NoteRef"), targetGUID=target)
