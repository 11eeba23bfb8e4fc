"""Bytes to text: UTF-8 (BOM kept as U+FEFF so offsets match a plain utf-8 read), UTF-16, GB18030."""
from __future__ import annotations

from .model import InputError

_MAGIC = {b"\x89PNG": "PNG image", b"%PDF": "PDF document", b"PK\x03\x04": "ZIP archive", b"\x1f\x8b": "GZIP archive"}


def decode(data: bytes, source: str) -> tuple[str, str]:
    if not data.strip():
        raise InputError("read", "empty file")
    for magic, what in _MAGIC.items():
        if data.startswith(magic):
            raise InputError("read", f"binary file ({what}), not text")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16"), "utf-16"
    sample = data[:4000]
    if sample.count(b"\x00") > len(sample) // 4:
        even_nuls = sample[0::2].count(b"\x00")
        odd_nuls = sample[1::2].count(b"\x00")
        encoding = "utf-16-le" if odd_nuls > even_nuls else "utf-16-be"
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            raise InputError("read", "binary file: NUL bytes and not UTF-16") from None
    if b"\x00" in data:
        raise InputError("read", "binary file: contains NUL bytes")
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as utf8_error:
        try:
            return data.decode("gb18030"), "gb18030"
        except UnicodeDecodeError:
            raise InputError("read", f"not UTF-8, UTF-16 or GB18030 (first bad byte at {utf8_error.start})") from None
