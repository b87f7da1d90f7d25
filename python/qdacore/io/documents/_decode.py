"""Bytes of a text file to ``str``: byte-order marks, UTF-8, the Chinese
legacy encodings, then charset-normalizer; binary content and files that mix
encodings refused with what to do."""
from __future__ import annotations

import codecs
import re
from typing import Optional

import numpy as np

from ._blocks import DocumentError

#: Byte-order marks, longest first (UTF-32's starts with UTF-16's).
_BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
         (codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
#: Share of a GB18030 reading's non-ASCII characters that must be common
#: simplified hanzi (GB2312 rows 16-87) or Chinese punctuation, numbers and
#: full-width forms (rows 1-3) for it to win without a detector. Big5 bytes
#: read as GB18030 give kana, Greek, box drawing and rare characters instead.
_GB_SHARE = 0.9
_CJK = re.compile("[\u3400-\u9fff]")
_ENCODING_HINT = "pass encoding= (e.g. encoding='gb18030') or convert the file to UTF-8 (iconv -f ... -t utf-8)"


def decode(data: bytes, encoding: Optional[str]) -> tuple[str, str]:
    """The text of ``data`` and the encoding it was read with."""
    if encoding is not None:
        try:
            return data.decode(encoding), encoding
        except LookupError:
            raise DocumentError(f"unknown encoding={encoding!r}") from None
        except UnicodeDecodeError as err:
            raise DocumentError(f"not {encoding}: bytes {err.start}-{err.end} cannot be decoded; "
                                "pass another encoding= or None to detect it") from None
    for bom, name in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(name), name
            except UnicodeDecodeError as err:
                raise DocumentError(f"starts with a {name} byte-order mark but byte {err.start} is not "
                                    f"{name}; {_ENCODING_HINT}") from None
    if b"\x00" in data:  # no BOM: NUL bytes mean binary, or UTF-16 without its mark
        from charset_normalizer import from_bytes

        best = from_bytes(data).best()
        if best is not None and best.encoding in ("utf_16_le", "utf_16_be"):
            return str(best), best.encoding.replace("_", "-")
        raise DocumentError(_utf16_hint(data) or "binary content (NUL bytes), not text; if it is a "
                            "document of another kind, give it the right extension")
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as err:
        utf8_error = err
    gb = _as_gb18030(data)
    if gb is not None:
        return gb, "gb18030"
    _refuse_mixed(data, utf8_error)
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None or best.encoding is None:
        raise DocumentError(f"binary content or an unknown encoding; {_ENCODING_HINT}")
    return str(best), best.encoding


def _as_gb18030(data: bytes) -> Optional[str]:
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError:
        return None
    n_wide = len(text) - len(text.encode("ascii", "ignore"))
    if not n_wide:
        return text
    # in GB2312 every non-ASCII character is two bytes >= 0x80, so the leads are every other high byte
    high = np.frombuffer(text.encode("gb2312", "ignore"), dtype=np.uint8)
    high = high[high >= 0x80]
    leads = high[0::2]
    common = np.count_nonzero((leads >= 0xB0) | (leads <= 0xA3))
    return text if common >= _GB_SHARE * n_wide else None


def _refuse_mixed(data: bytes, utf8_error: UnicodeDecodeError) -> None:
    """A file with lines of Chinese in UTF-8 and lines that are not UTF-8 was
    pasted together from two files: no one encoding reads it. A line counts
    as UTF-8 Chinese with two CJK characters: GB18030 or Big5 bytes make a
    valid UTF-8 line now and then (a one-character line may), but seldom one
    that reads as Chinese."""
    first_bad_line = data.count(b"\n", 0, utf8_error.start) + 1
    for number, line in enumerate(data.split(b"\n"), 1):
        if line.isascii():
            continue
        try:
            decoded = line.decode("utf-8")
        except UnicodeDecodeError:
            continue
        if len(_CJK.findall(decoded)) < 2:
            continue
        raise DocumentError(f"mixes encodings: line {number} is UTF-8, line {first_bad_line} is not; "
                            "convert each part to UTF-8 (iconv) and join them again")


def _utf16_hint(data: bytes) -> Optional[str]:
    """What to pass for UTF-16 without a byte-order mark, where the NUL bytes
    fall on one side of nearly every pair of ASCII text."""
    start = data[:4096]
    head = np.frombuffer(start[:len(start) // 2 * 2], dtype=np.uint8).reshape(-1, 2)
    if not len(head):
        return None
    for side, name in ((1, "utf-16-le"), (0, "utf-16-be")):
        if np.mean(head[:, side] == 0) > 0.6 and np.mean(head[:, 1 - side] == 0) < 0.05:
            return (f"UTF-16 without a byte-order mark, it seems (NUL bytes in every other place): "
                    f"pass encoding={name!r}")
    return None
