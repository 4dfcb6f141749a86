"""Helpers for tests/test_articles.py: a tiny PDF writer (text lines in Helvetica, an Info dict)."""
from __future__ import annotations

from pathlib import Path


def _esc(s: str) -> str:
    return s.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def write_pdf(path: Path, lines: list[str], info: dict[str, str]) -> Path:
    """A one-page PDF whose text layer is `lines` (top to bottom), with /Title, /Author, /CreationDate …"""
    ops = ["BT", "/F1 11 Tf", "14 TL", "60 780 Td"]
    for ln in lines:
        ops.append(f"({_esc(ln)}) Tj T*")
    ops.append("ET")
    stream = "\n".join(ops).encode("latin-1")
    info_s = " ".join(f"/{k} ({_esc(v)})" for k, v in info.items())
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        f"<< {info_s} >>".encode("latin-1"),
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for i, body in enumerate(objs, 1):
        offsets.append(len(out))
        out += f"{i} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objs) + 1}\n0000000000 65535 f \n".encode()
    for off in offsets:
        out += f"{off:010d} 00000 n \n".encode()
    out += f"trailer\n<< /Size {len(objs) + 1} /Root 1 0 R /Info {len(objs)} 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    path.write_bytes(bytes(out))
    return path


RES_2510_LINES = [
    "Security Council endorses Berlin conclusions on Libya",
    "",
    "The UN Security Council on Wednesday adopted resolution 2510, endorsing the con-",
    "clusions of the Berlin Conference held on 19 January.",
    "Fourteen members voted in favour and Russia abstained.",
    "The Council urged the parties to pursue the talks of the 5+5 JMC towards a lasting ceasefire.",
]
RES_2510_INFO = {"Title": "Security Council endorses Berlin conclusions on Libya", "Author": "Council Watch Bulletin",
                 "CreationDate": "D:20200212180000Z"}
