"""The reports' columns: a stable id (documented, for programs), a title from the catalogues, a kind."""

from __future__ import annotations

from dataclasses import dataclass

from printrelease.i18n import N_, translate

# Kinds: text, int, money (minor units of the report's currency), percent (Decimal, 45.2 means 45.2 %),
# decimal, month and day (dates), datetime (local time, naive).
KEYS = {
    "department": [("department_code", N_("Department code"), "text"), ("department", N_("Department"), "text")],
    "user": [("user", N_("User"), "text"), ("name", N_("Name"), "text")],
    "printer": [("printer", N_("Printer"), "text")],
    "month": [("month", N_("Month"), "month")],
    "day": [("day", N_("Day"), "day")],
}
SUMMARY = [
    ("jobs", N_("Jobs"), "int"), ("pages", N_("Pages"), "int"), ("sheets", N_("Sheets"), "int"),
    ("colour_impressions", N_("Colour impressions"), "int"), ("mono_impressions", N_("Mono impressions"), "int"),
    ("duplex_share", N_("Duplex share (%%)"), "percent"), ("charged", N_("Charged"), "money"),
    ("corrections", N_("Corrections"), "money"), ("cost", N_("Net cost"), "money"),
    ("unprinted_jobs", N_("Jobs not printed"), "int"), ("unprinted_pages", N_("Pages not printed"), "int"),
    ("unspent", N_("Cost not spent"), "money"), ("sheets_saved", N_("Sheets saved"), "int"),
    ("co2_saved_kg", N_("CO2 saved (kg)"), "decimal"), ("trees_saved", N_("Trees saved"), "decimal"),
]
DETAIL = [
    ("record", N_("Record"), "int"), ("printed_at", N_("Printed at"), "datetime"), ("kind", N_("Kind"), "text"),
    ("corrects", N_("Corrects record"), "int"), ("user", N_("User"), "text"), ("name", N_("Name"), "text"),
    ("department_code", N_("Department code"), "text"), ("department", N_("Department"), "text"),
    ("printer", N_("Printer"), "text"), ("title", N_("Title"), "text"), ("paper_size", N_("Paper size"), "text"),
    ("sides", N_("Sides"), "text"), ("copies", N_("Copies"), "int"), ("pages", N_("Pages"), "int"),
    ("sheets", N_("Sheets"), "int"), ("colour_impressions", N_("Colour impressions"), "int"),
    ("mono_impressions", N_("Mono impressions"), "int"), ("cost", N_("Cost"), "money"),
    ("reason", N_("Reason"), "text"), ("corrected_by", N_("Corrected by"), "text"),
]
CLICKS = [
    ("printer", N_("Printer"), "text"), ("paper_size", N_("Paper size"), "text"), ("jobs", N_("Jobs"), "int"),
    ("mono_impressions", N_("Mono impressions"), "int"), ("colour_impressions", N_("Colour impressions"), "int"),
    ("sheets", N_("Sheets"), "int"), ("mono_clicks", N_("Mono clicks"), "int"),
    ("colour_clicks", N_("Colour clicks"), "int"),
]
DIMENSION_WORDS = {"department": N_("department"), "user": N_("user"), "printer": N_("printer"),
                   "month": N_("month"), "day": N_("day")}
SHEET_NAMES = {"department": N_("By department"), "user": N_("By user"), "printer": N_("By printer"),
               "month": N_("By month"), "day": N_("By day"), "detail": N_("Detail"), "clicks": N_("Clicks")}


@dataclass(frozen=True)
class Column:
    id: str
    title: str  # in the report's language
    kind: str


def columns_for(kind: str, by: tuple[str, ...], language: str, currency: str) -> list[Column]:
    if kind == "summary":
        spec = [key for dimension in by for key in KEYS[dimension]] + SUMMARY
    else:
        spec = DETAIL if kind == "detail" else CLICKS
    columns = []
    for column_id, title, column_kind in spec:
        # The catalogues hold the titles as python-format ("Duplex share (%%)"): formatted, "%%" is "%".
        words = translate(title, language) % {}
        if column_kind == "money":
            words = f"{words} ({currency})"
        columns.append(Column(column_id, words, column_kind))
    return columns


def title_for(kind: str, by: tuple[str, ...], language: str) -> str:
    if kind == "detail":
        return translate(N_("Print usage, job by job"), language)
    if kind == "clicks":
        return translate(N_("Printer click counts by paper size"), language)
    groups = " · ".join(translate(DIMENSION_WORDS[d], language) for d in by)
    return translate(N_("Print usage by %(groups)s"), language, groups=groups)


def sheet_name(kind: str, by: tuple[str, ...], language: str) -> str:
    """An Excel sheet name (31 characters at most, none of []:*?/\\)."""
    name = " · ".join(translate(SHEET_NAMES[d], language) for d in (by or (kind,)))
    return "".join(" " if ch in "[]:*?/\\" else ch for ch in name)[:31]
