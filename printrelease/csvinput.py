"""CSV files as offices save them: UTF-8 with or without a BOM, or Korean Excel's CP949 (EUC-KR).

Detection is exact for these two: Korean text in CP949 is almost never valid UTF-8, so a file that
decodes as UTF-8 is UTF-8 and anything else is tried as CP949 (a superset of EUC-KR). Other encodings
must be named (`--encoding`).
"""

from __future__ import annotations

import codecs
import csv
import io

from printrelease.errors import Invalid
from printrelease.i18n import N_

DETECTED = ("utf-8", "cp949")


class UnreadableCsv(Invalid):
    code = "unreadable_csv"


def decode_csv(data: bytes, encoding: str | None = None, source: str = "the CSV") -> str:
    """The file's text; `encoding` None detects UTF-8 (BOM or not) or CP949."""
    return decode_csv_as(data, encoding, source)[0]


def decode_csv_as(data: bytes, encoding: str | None = None, source: str = "the CSV") -> tuple[str, str]:
    """The file's text and the codec it was read with ("utf-8-sig", "cp949", ...), as `decode_csv`."""
    if encoding:
        try:
            codec = codecs.lookup(encoding).name
        except LookupError:
            raise UnreadableCsv(N_("unknown encoding '%(encoding)s'"), encoding=encoding) from None
        candidates = ("utf-8-sig",) if codec == "utf-8" else (codec,)
    else:
        candidates = ("utf-8-sig", "cp949")
    for candidate in candidates:
        try:
            text = data.decode(candidate)
        except UnicodeDecodeError as error:
            problem = error
            continue
        if "\x00" in text:
            # No database stores it; a CSV never holds one (a file saved as UTF-16 is full of them).
            raise UnreadableCsv(N_("%(file)s line %(line)s holds a NUL character: save it as 'CSV UTF-8'"),
                                file=source, line=text[:text.index("\x00")].count("\n") + 1)
        return text, candidate
    line = data[:problem.start].count(b"\n") + 1
    if encoding:
        raise UnreadableCsv(N_("%(file)s line %(line)s is not %(encoding)s: check the encoding (--encoding)"),
                            file=source, line=line, encoding=encoding)
    raise UnreadableCsv(N_("%(file)s is neither UTF-8 nor CP949 (line %(line)s): save it as 'CSV UTF-8' or name "
                           "its encoding with --encoding"), file=source, line=line)


def read_rows(text: str, columns: tuple[str, ...], required: tuple[str, ...]) -> list[tuple[int, dict[str, str]]]:
    """(line number, row) pairs of a CSV with a header naming some of `columns`, cells stripped."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    fields = reader.fieldnames or []
    missing = [name for name in required if name not in fields]
    if missing:
        raise UnreadableCsv(N_("the CSV needs a header row with the column(s) %(columns)s"),
                            columns=", ".join(missing))
    unknown = set(fields) - set(columns)
    if unknown:
        raise UnreadableCsv(N_("unknown column(s): %(columns)s"), columns=", ".join(sorted(unknown)))
    return [(line, {k: (v or "").strip() for k, v in row.items() if k is not None})
            for line, row in enumerate(reader, start=2)]
