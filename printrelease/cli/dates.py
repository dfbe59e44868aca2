"""Dates on the command line: YYYY-MM-DD on the site's clock (PRINTRELEASE_TIMEZONE)."""

from __future__ import annotations

from datetime import date

import click


class LocalDate(click.ParamType):
    name = "YYYY-MM-DD"

    def convert(self, value, param, ctx):
        if isinstance(value, date):
            return value
        try:
            return date.fromisoformat(value)
        except ValueError:
            self.fail(f"{value!r} is not a date like 2026-03-31", param, ctx)


class Month(click.ParamType):
    name = "YYYY-MM"

    def convert(self, value, param, ctx):
        try:
            return date.fromisoformat(f"{value}-01")
        except ValueError:
            self.fail(f"{value!r} is not a month like 2026-03", param, ctx)


LOCAL_DATE, MONTH = LocalDate(), Month()
