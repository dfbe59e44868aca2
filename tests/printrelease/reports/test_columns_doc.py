"""docs/report-columns.md names every column of every report in Korean and English, as the files head them."""

from pathlib import Path

from printrelease.reports.columns import columns_for
from printrelease.reports.query import DIMENSIONS

DOC = Path(__file__).resolve().parents[3] / "docs" / "report-columns.md"


def test_every_column_is_documented_in_both_languages():
    text = DOC.read_text(encoding="utf-8")
    missing = set()
    for kind, by in [("summary", DIMENSIONS), ("detail", ()), ("clicks", ())]:
        for language in ("ko", "en"):
            for column in columns_for(kind, by, language, "KRW"):
                if column.title not in text and column.title.split(" (KRW)")[0] not in text:
                    missing.add(f"{kind} {language}: {column.title}")
    assert missing == set()
