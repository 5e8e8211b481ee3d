"""Files as district offices send them: text in whatever encoding Excel saved, dates in Chinese forms."""

from __future__ import annotations

import re
from contextlib import suppress
from datetime import date, timedelta
from pathlib import Path

# Encodings charset-normalizer may report for Chinese text; GB18030 decodes all of them.
CHINESE_ENCODINGS = frozenset({"gb2312", "gbk", "gb18030", "hz", "big5", "big5hkscs", "cp950"})
EXCEL_EPOCH = date(1899, 12, 30)  # day 0 of Excel's 1900 date system (serial 60, the phantom 1900-02-29, is past)
EXCEL_SERIAL = re.compile(r"(\d{5})(?:\.0+)?")  # 10000..99999: 1927-05-18 to 2173-10-14
DATE = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:\s+00:00(?::00)?)?")


class UnreadableFile(ValueError):
    """A file that is missing, cannot be opened, is empty or is not text; the message is Chinese."""


def read_bytes(path: Path) -> bytes:
    """The whole file; a missing, unreadable or empty file is refused."""
    try:
        data = path.read_bytes()
    except FileNotFoundError as exc:
        raise UnreadableFile(f"找不到文件 {path}") from exc
    except OSError as exc:
        raise UnreadableFile(f"无法读取文件 {path}（{exc.strerror or '不是普通文件'}）") from exc
    if not data.strip():
        raise UnreadableFile(f"{path.name} 是空文件")
    return data


def decode_text(data: bytes, name: str) -> str:
    """Text in UTF-8 (with or without BOM), GBK/GB18030 or UTF-16; other encodings by charset-normalizer.

    GB18030 is tried before detection, because on a short file (a header and a row) detection takes
    GBK for Korean cp949 (“采购方” became “꽃뭔렘”). GB18030 decodes almost any bytes, so its reading
    is kept only when it looks like Chinese (``_reads_as_chinese``)."""
    from charset_normalizer import from_bytes

    with suppress(UnicodeDecodeError):
        return data.decode("utf-8-sig")
    with suppress(UnicodeDecodeError):
        text = data.decode("gb18030")
        if "\x00" not in text and _reads_as_chinese(text):  # UTF-16 and binary files hold zero bytes
            return text
    best = from_bytes(data).best()
    if best is None or "\x00" in str(best):
        raise UnreadableFile(f"{name} 不是文本表格文件（无法识别编码）")
    if best.encoding.lower() in CHINESE_ENCODINGS:
        return data.decode("gb18030", errors="replace")
    return str(best).lstrip("\ufeff")


def _reads_as_chinese(text: str) -> bool:
    """At least half the characters beyond ASCII are in GB2312 (the 6,763 hanzi and the symbols of
    everyday Chinese). Other encodings read as GB18030 fall almost wholly outside it (“Müller” in
    cp1252 becomes “M黮ler”); real names keep a few rarer hanzi (堃, 喆)."""
    beyond_ascii = len(text) - len(text.encode("ascii", errors="ignore"))
    outside = text.encode("gb2312", errors="replace").count(b"?") - text.count("?")
    return 2 * outside <= beyond_ascii


def read_text(path: Path) -> str:
    """A text file's content, whatever encoding an office saved it in."""
    return decode_text(read_bytes(path), path.name)


def parse_date(text: str) -> date:
    """2025-07-01, 2025/07/01, 2025.7.1 or 2025年7月1日 (Excel's 2025-07-01 00:00:00 and serial 45839 too)."""
    serial = EXCEL_SERIAL.fullmatch(text.strip())
    if serial is not None:
        return EXCEL_EPOCH + timedelta(days=int(serial.group(1)))
    found = DATE.fullmatch(text.strip())
    if found is None:
        raise ValueError(f"“{text}”不是日期（应如 2025-07-01、2025/7/1 或 2025年7月1日）")
    try:
        return date(*(int(part) for part in found.groups()))
    except ValueError as exc:
        raise ValueError(f"“{text}”不是有效日期") from exc
