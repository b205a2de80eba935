"""Just enough PDF reading to check what fpdf2 wrote: the `(...) Tj` strings decoded through each font's
ToUnicode map (fpdf2 embeds Unicode fonts as subsets with their own glyph numbering)."""
from __future__ import annotations

import re
import zlib

ESCAPES = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f", b"(": b"(", b")": b")", b"\\": b"\\"}
OBJECT_START = re.compile(rb"(\d+) 0 obj")
STREAM_START = re.compile(rb"stream\r?\n")
LENGTH = re.compile(rb"/Length\s+(\d+)(?!\s+\d+\s+R)")
TEXT = re.compile(rb"/(F\w+)\s+[\d.]+\s+Tf|\((.*?)(?<!\\)\)\s*Tj", re.S)


def _objects(data: bytes) -> dict[int, tuple[bytes, bytes]]:
    """Object number -> (dictionary part, decoded stream or b'').

    A stream is cut by its /Length, not by searching for "endstream": compressed bytes may contain
    that word (or "endobj") by chance."""
    out = {}
    at = 0
    while match := OBJECT_START.search(data, at):
        start = match.end()
        end = data.find(b"endobj", start)
        stream = STREAM_START.search(data, start, end if end >= 0 else len(data))
        head, content = data[start:end], b""
        if stream:
            head = data[start:stream.start()]
            length = LENGTH.search(head)
            if length:
                content = data[stream.end():stream.end() + int(length.group(1))]
                end = data.find(b"endobj", stream.end() + len(content))
            else:
                content = data[stream.end():data.find(b"endstream", stream.end())].rstrip(b"\r\n")
            if b"/FlateDecode" in head:
                content = zlib.decompress(content)
        out[int(match.group(1))] = (head, content)
        at = end + len(b"endobj") if end >= 0 else len(data)
    return out


def _unescape(raw: bytes) -> bytes:
    def one(m):
        code = m.group(1)
        return bytes([int(code, 8)]) if code[:1].isdigit() else ESCAPES.get(code, code)

    return re.sub(rb"\\([0-7]{1,3}|.)", one, raw, flags=re.S)


def _cmap(stream: bytes) -> dict[int, str]:
    cmap: dict[int, str] = {}
    for block in re.findall(rb"beginbfchar(.*?)endbfchar", stream, re.S):
        for src, dst in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
            cmap[int(src, 16)] = bytes.fromhex(dst.decode()).decode("utf-16-be")
    for block in re.findall(rb"beginbfrange(.*?)endbfrange", stream, re.S):
        for lo, hi, dst in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
            for n in range(int(lo, 16), int(hi, 16) + 1):
                cmap[n] = chr(int(dst, 16) + n - int(lo, 16))
    return cmap


def _font_maps(objects) -> dict[bytes, dict[int, str] | None]:
    """Resource name (F1) -> its ToUnicode map; None for a simple (Latin-1) font."""
    maps = {}
    for head, _ in objects.values():
        for fonts in re.findall(rb"/Font\s*<<(.*?)>>", head, re.S):
            for name, ref in re.findall(rb"/(F\w+)\s+(\d+) 0 R", fonts):
                unicode_ref = re.search(rb"/ToUnicode\s+(\d+) 0 R", objects[int(ref)][0])
                maps[name] = _cmap(objects[int(unicode_ref.group(1))][1]) if unicode_ref else None
    return maps


def pdf_text(data: bytes) -> str:
    objects = _objects(data)
    maps = _font_maps(objects)
    lines, cmap = [], None
    for _, stream in objects.values():
        for font, raw in TEXT.findall(stream):
            if font:
                cmap = maps.get(font)
                continue
            text = _unescape(raw)
            lines.append(text.decode("latin-1") if cmap is None else "".join(
                cmap.get(int.from_bytes(text[i:i + 2], "big"), "?") for i in range(0, len(text) - 1, 2)))
    return "\n".join(lines)
