"""Text encoding detection for CSV and .txt files.

UTF-8 (with or without BOM) and UTF-16 with a BOM are recognised exactly. Anything else is
handed to charset-normalizer, but its guesses among the Western single-byte code pages are
unreliable on short samples ('café' decodes under six of them), so those all become cp1252,
the Windows superset of latin-1 that spreadsheets export. Non-Latin code pages it is sure of
(Cyrillic, Greek, CJK, ...) are kept.
"""

from __future__ import annotations

import codecs

from charset_normalizer import from_bytes

_WESTERN = {
    "cp1252",
    "latin_1",
    "iso8859_15",
    "cp1250",
    "iso8859_2",
    "mac_roman",
    "cp850",
    "cp437",
    "mac_latin2",
    "iso8859_3",
    "iso8859_4",
    "iso8859_9",
    "cp1254",
    "cp1257",
    "iso8859_13",
    "iso8859_14",
    "iso8859_16",
    "ascii",
    "utf_8",
}


def detect_encoding(head: bytes) -> str:
    """Name the encoding of text whose first bytes are `head` (a Python codec name)."""
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
        return "utf-8"
    except UnicodeDecodeError:
        pass
    best = from_bytes(head[:65536]).best()
    if best is not None and best.encoding not in _WESTERN:
        return best.encoding
    try:
        head.decode("cp1252")
        return "cp1252"
    except UnicodeDecodeError:  # cp1252 leaves five bytes undefined; latin-1 maps them all
        return "latin-1"


def read_text_file(path) -> tuple[str, str]:
    """Read a whole text file, detecting its encoding. Returns (text, encoding)."""
    raw = path.read_bytes()
    encoding = detect_encoding(raw)
    return raw.decode(encoding, errors="replace"), encoding
