"""Bytes to text, or an InputError saying why a file is not text this pipeline can read.

Supported: UTF-8 (a BOM is KEPT as U+FEFF, so offsets match a plain ``utf-8`` read of the file;
the normaliser drops it), UTF-16 and UTF-32 with a BOM, UTF-16 without a BOM (recognised by its
NUL-byte pattern), and GB18030 (which covers GBK and GB2312). Decoding is always strict; the
order matters because the encodings overlap: UTF-8 is tried first (random GB bytes are almost
never valid UTF-8), UTF-16 only when NUL bytes say so, and GB18030 last, accepted only if the
result looks like text, since GB18030 decodes most byte soup without complaint.

An HTML page (a web article saved as .txt) is kept, with its markup BLANKED rather than removed:
every tag, comment, script and style becomes spaces (a line break first for block-level tags),
and an entity becomes its character followed by spaces. The text keeps its length, so every
offset still indexes the original file's characters and the whitespace-blind stages read only
the page's words. The encoding name then ends in ``+html``. A page with no text left is an error.
"""
from __future__ import annotations

import html.entities
from pathlib import Path

import regex

from .model import InputError
from .vocab import load_table

_ROWS = load_table("file_signatures.csv", required=("kind", "signature", "what"))
_BINARY = tuple((bytes.fromhex(r["signature"]), r["what"]) for r in _ROWS if r["kind"] == "binary")
_MARKUP = tuple(r["signature"].lower() for r in _ROWS if r["kind"] == "html")
_HTML_SUFFIXES = (".htm", ".html", ".xhtml")

_BOMS = (  # longest first: the UTF-32 LE BOM begins with the UTF-16 LE one
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
)
_UTF8_BOM = b"\xef\xbb\xbf"
_SAMPLE = 1 << 16  # bytes/characters inspected by the statistical checks

# Text-likeness of a decoding: share of characters that are CJK, ASCII or common punctuation,
# and counts of control and private-use characters (GB18030 maps byte soup onto both).
_TEXTLIKE = regex.compile(
    r"[\p{Han}\x20-\x7e\t\n\r\u00a0-\u00ff\u2000-\u206f\u2100-\u27bf\u3000-\u303f\uff00-\uffef\ufeff"
    r"\u2460-\u24ff\u0370-\u03ff\u0400-\u04ff\u3040-\u30ff\u3200-\u33ff\ufe30-\ufe4f]"
)
_LETTER = regex.compile(r"\p{L}")
_CONTROL = regex.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_PRIVATE = regex.compile(r"[\ue000-\uf8ff\U000f0000-\U0010ffff]")
_MIN_TEXTLIKE = 0.95
_MAX_ODD = 0.005  # control or private-use characters per character
_MIN_MIXED_PREFIX = 4  # non-ASCII characters valid as UTF-8 before a bad byte: GB text never has them
_TAG = regex.compile(r"</?[A-Za-z][A-Za-z0-9]*(?:\s[^<>]{0,300})?/?>")
_MIN_TAGS, _MIN_TAG_SHARE = 10, 0.05  # "many tags": at least this many and this share of the text


def read_file(path: Path) -> tuple[str, str]:
    """(text, encoding) of a file; InputError("read", reason) if it cannot be read or is not text."""
    try:
        data = Path(path).read_bytes()
    except IsADirectoryError:
        raise InputError("read", "is a directory, not a file") from None
    except OSError as error:  # missing, permission denied, I/O error: the OS says which
        raise InputError("read", f"cannot read file: {error.strerror or error}") from None
    return decode(data, str(path))


def decode(data: bytes, source: str) -> tuple[str, str]:
    """(text, encoding name) of a file's bytes; `source` is its name (an .html name means HTML).

    The encoding is "utf-8-sig" when the file has a UTF-8 BOM; the BOM then stays in the text.
    """
    text, encoding = _decode(data)
    if _is_markup(text, source):
        text = blank_markup(text)
        if not text.strip():
            raise InputError("read", "HTML page with no text outside its markup")
        encoding += "+html"
    if not _LETTER.search(text):  # figures are found by their wording: a table of numbers gives none
        raise InputError("read", "no words: only numbers, punctuation and whitespace")
    return text, encoding


def _decode(data: bytes) -> tuple[str, str]:
    if not data.strip():
        raise InputError("read", "empty file" if not data else "empty file (only whitespace)")
    for magic, what in _BINARY:
        if data.startswith(magic):
            raise InputError("read", f"binary file ({what}), not text")
    if data.startswith(_UTF8_BOM):
        return _strict(data, "utf-8", "utf-8-sig")
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return _strict(data, encoding, encoding, len(bom))
    if b"\x00" in data:
        return _decode_nul_bytes(data)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        return _decode_gb18030(data, error)
    if not text.strip():
        raise InputError("read", "empty file (only whitespace)")
    return text, "utf-8"


def _strict(data: bytes, codec: str, name: str, skip: int = 0) -> tuple[str, str]:
    """Decode ``data[skip:]`` (after a BOM the codec does not consume); error offsets are file offsets."""
    try:
        text = data[skip:].decode(codec)
    except UnicodeDecodeError as error:
        start = skip + error.start
        if error.end == len(data) - skip and error.reason in ("unexpected end of data", "truncated data"):
            raise InputError("read", f"truncated {name}: the file ends inside a character (offset {start})") from None
        raise InputError("read", f"invalid {name} (it has a {name} BOM): bad byte 0x{data[start]:02X} "
                                 f"at offset {start}") from None
    if not text.strip("\ufeff \t\r\n"):
        raise InputError("read", "empty file (only a byte-order mark and whitespace)")
    return text, name


def _decode_nul_bytes(data: bytes) -> tuple[str, str]:
    """UTF-16 without a BOM puts the NUL half of every ASCII character on one side of each pair."""
    sample = data[:_SAMPLE]
    even, odd = sample[0::2].count(0), sample[1::2].count(0)
    # CJK characters of the form U+xx00 (一 is U+4E00) put a few NULs on the other side too.
    if len(data) % 2 == 0 and max(even, odd) >= max(4, 4 * min(even, odd)):
        encoding = "utf-16-le" if odd > even else "utf-16-be"
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            text = ""
        if text and _looks_like_text(text):
            return text, encoding
    first = data.index(b"\x00")
    raise InputError("read", f"binary file: NUL byte at offset {first} and no UTF-16 pattern")


def _decode_gb18030(data: bytes, utf8_error: UnicodeDecodeError) -> tuple[str, str]:
    where = _bad_byte(data, utf8_error)
    if utf8_error.end == len(data) and utf8_error.reason == "unexpected end of data":
        raise InputError("read", f"truncated UTF-8: the file ends inside a character (offset {utf8_error.start})")
    prefix = data[:utf8_error.start].decode("utf-8")
    if sum(not c.isascii() for c in prefix) >= _MIN_MIXED_PREFIX:
        # GB18030 would "decode" the UTF-8 part into plausible-looking but wrong characters
        raise InputError("read", f"mixed encodings: valid UTF-8 until {where}")
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError as error:
        raise InputError("read", f"not UTF-8 ({where}) nor GB18030 ({_bad_byte(data, error)})") from None
    if not _looks_like_text(text):
        raise InputError("read", f"not UTF-8 ({where}), and as GB18030 it does not look like text")
    return text, "gb18030"


def _bad_byte(data: bytes, error: UnicodeDecodeError) -> str:
    return f"bad byte 0x{data[error.start]:02X} at offset {error.start}"


def _looks_like_text(text: str) -> bool:
    sample = text[:_SAMPLE]
    n = len(sample)
    if not n:
        return False
    odd = len(_CONTROL.findall(sample)) + len(_PRIVATE.findall(sample))
    return len(_TEXTLIKE.findall(sample)) >= _MIN_TEXTLIKE * n and odd <= _MAX_ODD * n


def _is_markup(text: str, source: str) -> bool:
    head = text[:200].lstrip("\ufeff \t\r\n").lower()
    if head.startswith(_MARKUP) or source.lower().endswith(_HTML_SUFFIXES):
        return True
    sample = text[:_SAMPLE]
    tags = _TAG.findall(sample)
    return len(tags) >= _MIN_TAGS and sum(map(len, tags)) >= _MIN_TAG_SHARE * len(sample)


# Elements whose content is not page text, by their opening tag; [^<>] keeps a match inside one tag.
_HIDDEN_OPEN = regex.compile(r"(?i)<(script|style|noscript|template|head)\b[^<>]*>")
_HIDDEN_CLOSE = {name: regex.compile(rf"(?i)</{name}\s*>") for name in ("script", "style", "noscript", "template", "head")}
# Up to their end marker: comments, CDATA; doctype and processing instructions end at their ">".
_DELIMITED = (("<!--", "-->"), ("<![CDATA[", "]]>"))
_DECLARATION = regex.compile(r"<[!?][^<>]*>")
_ANY_TAG = regex.compile(r"</?(?P<name>[A-Za-z][A-Za-z0-9:-]*)(?:\s[^<>]*)?/?>")
_BLOCK_TAGS = frozenset(
    "address article aside blockquote body br dd div dl dt figcaption figure footer form h1 h2 h3 h4 h5 h6 "
    "header hr html li main nav ol option p pre section table tbody td tfoot th thead title tr ul".split())
_ENTITY = regex.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")


def blank_markup(text: str) -> str:
    """``text`` with tags, comments, scripts and styles turned into spaces and entities decoded in place.

    Same length as ``text``: each kept character stays at its index. One pass, linear in the
    text: a script or style that never closes ends at the next tag (or the end of the file), an
    unclosed comment or CDATA section at the end of the file, and an end marker searched for in
    vain is remembered as absent, so no stretch of the text is scanned twice.
    """
    pieces: list[str] = []
    done = 0  # text[:done] is in pieces
    absent: set[str] = set()  # end markers known not to occur after the current position
    n = len(text)
    at = text.find("<")
    while at != -1:
        end, line_break = _markup_end(text, at, absent)
        if end > at:
            pieces.append(text[done:at])
            pieces.append(_blank(end - at, line_break))
            done = end
        at = text.find("<", max(end, at + 1))
    pieces.append(text[done:n])
    return _ENTITY.sub(_entity, "".join(pieces))


def _markup_end(text: str, at: int, absent: set[str]) -> tuple[int, bool]:
    """Where the markup starting at ``text[at] == "<"`` ends (``at``: it is not markup) and
    whether it breaks the line."""
    for opener, closer in _DELIMITED:
        if text.startswith(opener, at):
            found = -1 if closer in absent else text.find(closer, at + len(opener))
            if found == -1:
                absent.add(closer)
                return len(text), True
            return found + len(closer), True
    if m := _DECLARATION.match(text, at):
        return m.end(), True
    if m := _HIDDEN_OPEN.match(text, at):
        name = m[1].lower()
        close = None if name in absent else _HIDDEN_CLOSE[name].search(text, m.end())
        if close is not None:
            return close.end(), True
        absent.add(name)
        # never closed: it ends where the next tag begins (that tag is then read as a tag)
        following = _ANY_TAG.search(text, m.end())
        return (following.start() if following else len(text)), True
    if m := _ANY_TAG.match(text, at):
        return m.end(), m["name"].lower() in _BLOCK_TAGS
    return at, False


def _blank(n: int, line_break: bool) -> str:
    return ("\n" + " " * (n - 1)) if line_break else " " * n


def _entity(m: regex.Match) -> str:
    name = m.group()[1:]
    if name.startswith(("#x", "#X")):
        code = int(name[2:-1], 16)
    elif name.startswith("#"):
        code = int(name[1:-1])
    else:
        char = html.entities.html5.get(name)
        return char + " " * (len(m.group()) - len(char)) if char else m.group()
    if not 0 < code <= 0x10FFFF or 0xD800 <= code <= 0xDFFF:
        return m.group()  # not a character: leave the entity as written
    return chr(code) + " " * (len(m.group()) - 1)
