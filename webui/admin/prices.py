"""Prices: what each printed side costs per paper size, mono and colour, one- and two-sided; a new price
from a date on (the core refuses one that would start in the past), printers' own prices and their end,
and the history of every price set."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import g, render_template
from flask_babel import gettext, lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, StringField
from wtforms.validators import InputRequired, Length, Optional

from printrelease.db import utcnow
from printrelease.errors import PrintReleaseError
from printrelease.prices.models import PRICED_SIZES, Price
from printrelease.prices.money import format_unit_price
from printrelease.prices.service import end_override, price_history, prices_in_force, set_price
from printrelease.printers.service import list_printers
from webui.admin import bp
from webui.admin.common import audited, day_range, done, page_of
from webui.auth import role_required
from webui.database import get_session, runtime
from webui.errors import status_for
from webui.i18n import language

HISTORY_PER_PAGE = 25
AMOUNTS = ("mono_simplex", "colour_simplex", "mono_duplex", "colour_duplex")


class PriceForm(FlaskForm):
    size = SelectField(_l("Paper size"), choices=PRICED_SIZES, validators=[InputRequired()])
    mono = StringField(_l("Black and white side"), validators=[InputRequired(), Length(max=20)])
    colour = StringField(_l("Colour side"), validators=[InputRequired(), Length(max=20)])
    mono_duplex = StringField(_l("Black and white side, two-sided"), validators=[Optional(), Length(max=20)])
    colour_duplex = StringField(_l("Colour side, two-sided"), validators=[Optional(), Length(max=20)])
    valid_from = DateField(_l("From"), validators=[Optional()])
    printer = SelectField(_l("Where"), validators=[Optional()])


class EndOverrideForm(FlaskForm):
    """Shown beside PriceForm, so its fields carry the prefix "end-" (ids unique on the page)."""

    class Meta:
        csrf = False  # the app-wide CSRFProtect has checked the request's token already (webui/security.py)

    printer = SelectField(_l("Printer"), validators=[InputRequired()])
    size = SelectField(_l("Paper size"), choices=PRICED_SIZES, validators=[InputRequired()])
    valid_from = DateField(_l("From"), validators=[Optional()])


@dataclass(frozen=True)
class PriceRow:
    size: str
    price: Price | None
    amounts: dict[str, str]  # formatted, by AMOUNTS
    discounts: dict[str, str]  # "25%" off for two-sided, by "mono" and "colour"

    @property
    def scheduled(self) -> bool:
        return self.price is not None and self.price.valid_from > utcnow()


def price_row(size: str, price: Price | None) -> PriceRow:
    if price is None or price.ends_override:
        return PriceRow(size, price, {}, {})
    amounts = {name: format_unit_price(getattr(price, name), price.currency, language()) for name in AMOUNTS}
    discounts = {}
    for kind in ("mono", "colour"):
        simplex, duplex = getattr(price, f"{kind}_simplex"), getattr(price, f"{kind}_duplex")
        if simplex and duplex < simplex:
            discounts[kind] = f"{round(100 - duplex * 100 / simplex)}%"
    return PriceRow(size, price, amounts, discounts)


def _forms(price: PriceForm | None = None, end: EndOverrideForm | None = None):
    """The two forms with their printers: any for a new price, those with prices of their own for an end."""
    printers = [(p.name, f"{p.name} · {p.location}" if p.location else p.name) for p in list_printers(get_session())]
    price = price or PriceForm(formdata=None)
    price.printer.choices = [("", gettext("Every printer (the site's price)"))] + printers
    end = end or EndOverrideForm(formdata=None, prefix="end")
    own = set(_overridden(price_history(get_session())))
    end.printer.choices = [(name, label) for name, label in printers if name in own]
    return price, end


def _overridden(history: list[Price]) -> list[str]:
    """Printers that have had prices of their own."""
    return sorted({row.printer.name for row in history if row.printer is not None})


def _page(status: int = 200, problem: str | None = None, price: PriceForm | None = None,
          end: EndOverrideForm | None = None):
    session = get_session()
    history = price_history(session)
    overrides = []
    for name in _overridden(history):
        own = [(size, row) for size, row in prices_in_force(session, printer=name)
               if row is not None and row.printer is not None]
        overrides += [(name, price_row(size, row)) for size, row in own]
    price, end = _forms(price, end)
    return render_template("admin/prices.html", site=[price_row(size, row) for size, row in prices_in_force(session)],
                           overrides=overrides,
                           history=page_of(history[::-1], HISTORY_PER_PAGE, lambda r: price_row(r.paper_size, r)),
                           scheduled=[price_row(r.paper_size, r) for r in history if r.valid_from > utcnow()],
                           price=price, end=end, problem=problem, currency=runtime().settings.currency,
                           zone=runtime().settings.timezone), status


@bp.get("/prices")
@role_required("admin")
def prices():
    return _page()


def _start(day) -> datetime | None:
    return day_range(day, None)[0] if day else None


def describe(price: Price) -> str:
    """For the trail: "A4 at dept-a from 2026-12-01 00:00 UTC: KRW 20 / KRW 100, two-sided KRW 15 / KRW 80"."""
    scope = price.printer.name if price.printer else "site"
    head = f"{price.paper_size} at {scope} from {price.valid_from:%Y-%m-%d %H:%M} UTC"
    if price.ends_override:
        return f"{head}: site prices again"
    mono, colour, mono_duplex, colour_duplex = (format_unit_price(getattr(price, name), price.currency, "en")
                                                for name in AMOUNTS)
    return f"{head}: {mono} / {colour}, two-sided {mono_duplex} / {colour_duplex}"


@bp.post("/prices/set")
@role_required("admin")
def prices_set():
    price, _end = _forms(PriceForm())
    if not price.validate():
        return _page(400, price=price)
    session = get_session()
    try:
        row = set_price(session, price.size.data, runtime().settings.currency, price.mono.data, price.colour.data,
                        price.mono_duplex.data or None, price.colour_duplex.data or None,
                        _start(price.valid_from.data), price.printer.data or None, g.user.login)
    except PrintReleaseError as error:
        session.rollback()
        return _page(status_for(error), error.words(language()), price=price)
    audited("prices.set", f"{row.paper_size} at {row.printer.name if row.printer else 'site'}", describe(row))
    return done(gettext("The new price for %(size)s is set; jobs charged before keep the price they had.",
                        size=row.paper_size), "admin.prices")


@bp.post("/prices/end-override")
@role_required("admin")
def prices_end_override():
    _price, end = _forms(end=EndOverrideForm(prefix="end"))
    if not end.validate():
        return _page(400, end=end)
    session = get_session()
    try:
        row = end_override(session, end.printer.data, end.size.data, runtime().settings.currency,
                           _start(end.valid_from.data), g.user.login)
    except PrintReleaseError as error:
        session.rollback()
        return _page(status_for(error), error.words(language()), end=end)
    audited("prices.end_override", f"{row.paper_size} at {row.printer.name}", describe(row))
    return done(gettext("%(printer)s is charged at the site's price for %(size)s again.", printer=row.printer.name,
                        size=row.paper_size), "admin.prices")
