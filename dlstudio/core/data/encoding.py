"""Text encoding detection for CSV and .txt files.

UTF-8 (with or without BOM) and UTF-16 with a BOM are recognised exactly, and so is UTF-16
without a BOM when the text is mostly ASCII (every other byte is then a NUL, which would
otherwise look like binary data). Anything else is handed to charset-normalizer, but its
guesses among the Western single-byte code pages are unreliable on short samples ('café'
decodes under six of them), so those all become cp1252, the Windows superset of latin-1 that
spreadsheets export. Non-Latin code pages it is sure of (Cyrillic, Greek, CJK, ...) are kept.

Files stitched together from two exports are often UTF-8 in some lines and cp1252 in others.
Decoding the whole file either way garbles half of it, so such text is decoded line by line
(`decode_utf8_lines`): UTF-8 wherever a line is valid UTF-8, the legacy code page elsewhere.
"""

from __future__ import annotations

import codecs
import unicodedata
from contextvars import ContextVar
from dataclasses import dataclass, field

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
    # Latin code pages charset-normalizer names on short samples; cp1252 reads them better.
    "hp_roman8",
    "mac_iceland",
    "mac_turkish",
    "cp858",
    "cp860",
    "cp861",
    "cp863",
    "cp865",
}
UTF8_NAMES = {"utf-8", "utf8", "utf_8", "utf-8-sig", "ascii"}
_UTF16_PROBE = 4096
_SURE_BYTES = 64  # non-ASCII bytes needed before trusting a guess of a non-Western code page


@dataclass
class DecodedLines:
    """Text decoded line by line, and how many lines needed the fallback code page."""

    text: str
    fallback: str
    fallback_lines: int = 0
    first_fallback_line: int | None = None

    def note(self) -> str | None:
        """A sentence for the user, or None when every line was valid UTF-8."""
        if not self.fallback_lines:
            return None
        lines = "line was" if self.fallback_lines == 1 else "lines were"
        return (
            f"{self.fallback_lines} {lines} not valid UTF-8 and read as {self.fallback} "
            f"(the first on line {self.first_fallback_line}); the other lines are UTF-8"
        )


def detect_encoding(head: bytes) -> str:
    """Name the encoding of text whose first bytes are `head` (a Python codec name).

    A head that mixes valid UTF-8 lines with lines that are not is called "utf-8": read it
    with `decode_utf8_lines`, which decodes the other lines on their own.
    """
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    utf16 = utf16_without_bom(head)
    if utf16:  # before UTF-8: NUL bytes are valid UTF-8
        return utf16
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
        return "utf-8"
    except UnicodeDecodeError:
        pass
    if _has_utf8_lines(head):
        return "utf-8"
    return _legacy_encoding(head)


def utf16_without_bom(head: bytes) -> str | None:
    """'utf-16-le' or 'utf-16-be' for BOM-less UTF-16 of mostly ASCII text, else None.

    ASCII characters in UTF-16 are one text byte and one NUL; text in other languages would
    not show the pattern, but then it is not mistaken for binary either, since it has no NULs.
    """
    probe = head[: _UTF16_PROBE - _UTF16_PROBE % 2]
    if len(probe) < 8 or len(probe) % 2:
        probe = probe[:-1]
    if len(probe) < 8:
        return None
    even, odd = probe[0::2], probe[1::2]
    for text, nuls, name in ((even, odd, "utf-16-le"), (odd, even, "utf-16-be")):
        if nuls.count(0) >= 0.9 * len(nuls) and text.count(0) <= 0.02 * len(text):
            return name
    return None


def decode_utf8_lines(raw: bytes) -> DecodedLines:
    """Decode `raw` as UTF-8 where it is valid, and each line that is not as a legacy page.

    The legacy code page is chosen from the failing lines alone (cp1252 unless
    charset-normalizer is sure of a non-Western one), so valid UTF-8 is never garbled. A
    failing line is decoded from its first invalid byte on; what comes before that byte on the
    same line is valid UTF-8 and in practice plain ASCII.
    """
    if raw.startswith(codecs.BOM_UTF8):
        raw = raw[len(codecs.BOM_UTF8) :]
    try:
        return DecodedLines(raw.decode("utf-8"), "cp1252")
    except UnicodeDecodeError:
        pass
    fallback = "cp1252"
    for _ in range(2):  # a second pass only when the failing lines are not Western text
        state = _FallbackState(fallback)
        token = _FALLBACK.set(state)
        try:
            text = raw.decode("utf-8", errors=_ERROR_HANDLER)
        finally:
            _FALLBACK.reset(token)
        sample = b"\n".join(state.sample)
        if sum(b > 127 for b in sample) < _SURE_BYTES:
            break  # too few to tell a code page by; charset-normalizer would guess wildly
        sure = _legacy_encoding(sample)
        if sure in ("cp1252", "latin-1", fallback):
            break
        fallback = sure
    first_line = raw.count(b"\n", 0, state.first_at) + 1
    return DecodedLines(text, fallback, state.lines, first_line)


@dataclass
class _FallbackState:
    encoding: str
    lines: int = 0
    first_at: int = 0
    sample: list[bytes] = field(default_factory=list)
    sampled: int = 0


_FALLBACK: ContextVar[_FallbackState] = ContextVar("dlstudio_utf8_fallback")
_ERROR_HANDLER = "dlstudio-utf8-line-fallback"


def _decode_rest_of_line(error: UnicodeDecodeError) -> tuple[str, int]:
    """Codec error handler: decode from the bad byte to the end of its line another way."""
    state = _FALLBACK.get()
    data = error.object
    end = data.find(b"\n", error.start)
    end = len(data) if end < 0 else end
    chunk = bytes(data[error.start : end])
    if not state.lines:
        state.first_at = error.start
    state.lines += 1
    if state.sampled < 65536:
        state.sample.append(chunk)
        state.sampled += len(chunk)
    return _decode_legacy(chunk, state.encoding), end


codecs.register_error(_ERROR_HANDLER, _decode_rest_of_line)


def read_text_file(path) -> tuple[str, str]:
    """Read a whole text file, detecting its encoding. Returns (text, encoding)."""
    raw = path.read_bytes()
    encoding = detect_encoding(raw)
    if encoding in UTF8_NAMES:
        decoded = decode_utf8_lines(raw)
        if decoded.fallback_lines:
            return decoded.text, f"utf-8 and {decoded.fallback}"
        return decoded.text, encoding
    return raw.decode(encoding, errors="replace"), encoding


def _has_utf8_lines(head: bytes) -> bool:
    """Whether some non-ASCII lines of `head` are valid UTF-8 (so the rest is a mix-in)."""
    for line in head.split(b"\n")[:-1]:  # the last line may be cut mid-character
        if line.isascii():
            continue
        try:
            line.decode("utf-8")
            return True
        except UnicodeDecodeError:
            continue
    return False


def _legacy_encoding(data: bytes) -> str:
    best = from_bytes(data[:65536]).best()
    if best is not None and best.encoding not in _WESTERN and not _reads_as_latin(data, best):
        return best.encoding
    try:
        data.decode("cp1252")
        return "cp1252"
    except UnicodeDecodeError:  # cp1252 leaves five bytes undefined; latin-1 maps them all
        return "latin-1"


def _reads_as_latin(data: bytes, guess) -> bool:
    """Whether a code page guessed for `data` turns its accented bytes into Latin letters.

    On short samples charset-normalizer names any of a dozen Latin pages (Baltic cp775, DOS
    pages, …) where Windows' cp1252 is far likelier and reads the same letters; a guess that
    yields Cyrillic, Greek, Arabic or CJK letters is a real alternative and is kept.
    """
    letters = [c for c in str(guess) if not c.isascii() and c.isalpha()]
    if not letters:
        return True
    latin = sum("LATIN" in unicodedata.name(c, "") for c in letters)
    return latin >= 0.8 * len(letters)


def _decode_legacy(data: bytes, encoding: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError:
        return data.decode("latin-1" if encoding == "cp1252" else encoding, errors="replace")
