"""Price lists: validity from local midnight, printer overrides, fallbacks, duplex, rounding, money words."""

from datetime import timedelta

import pytest

from printrelease.jobs.models import Job
from printrelease.prices.errors import BadAmount, PriceInThePast, UnpricedSize
from printrelease.prices.money import format_money, format_unit_price, parse_amount, parse_unit_price
from printrelease.prices.service import end_override, estimate, estimates, price_history, price_in_force, set_price
from printrelease.printers.models import Printer
from tests.printrelease.reports.month import LONG_AGO, kst


@pytest.fixture
def priced(session):
    session.add_all([Printer(name="dept-a", cups_queue="dept-a"), Printer(name="colour", cups_queue="colour")])
    session.flush()
    set_price(session, "A4", "KRW", "20", "100", "15", "80", valid_from=kst(2026, 3, 1), now=LONG_AGO)
    set_price(session, "A4", "KRW", "30", "150", valid_from=kst(2026, 3, 16), now=LONG_AGO)
    set_price(session, "A3", "KRW", "40", "200", valid_from=kst(2026, 3, 1), now=LONG_AGO)
    set_price(session, "A4", "KRW", "10", "60", valid_from=kst(2026, 3, 10), printer="colour", now=LONG_AGO)
    end_override(session, "colour", "A4", "KRW", valid_from=kst(2026, 3, 20), now=LONG_AGO)
    return session


def job(session, pages=10, colour=0, copies=1, duplex=False, size="A4", printer=None):
    from printrelease.accounts.service import add_user

    owner = add_user(session, "kimsr", "김성렬")
    return Job(owner=owner, title="t", pages=pages, copies=copies, color_pages=colour, paper_size=size,
               sides="two-sided-long-edge" if duplex else "one-sided", color_mode="color", printer=printer,
               number_up=1)


def test_a_new_price_applies_from_local_midnight_exactly(priced):
    midnight = kst(2026, 3, 16)
    assert midnight.hour == 15  # 00:00 in Seoul is 15:00 UTC the day before
    before = price_in_force(priced, "A4", None, midnight - timedelta(microseconds=1))
    after = price_in_force(priced, "A4", None, midnight)
    assert (before.mono_simplex, after.mono_simplex) == (2000, 3000)
    assert price_in_force(priced, "A4", None, kst(2026, 3, 1) - timedelta(seconds=1)) is None


def test_overrides_fallbacks_and_the_end_of_an_override(priced):
    colour_id = priced.query(Printer).filter_by(name="colour").one().id
    at = kst(2026, 3, 12)
    assert price_in_force(priced, "A4", colour_id, at).colour_simplex == 6000
    assert price_in_force(priced, "A3", colour_id, at).colour_simplex == 20000  # no A3 override: the site's
    assert price_in_force(priced, "A5", None, at).paper_size == "A4"  # unpriced sizes are charged as A4
    assert price_in_force(priced, "Letter", None, at).paper_size == "A4"  # priced size without a list: A4
    assert price_in_force(priced, "A4", colour_id, kst(2026, 3, 20)).colour_simplex == 15000  # site again
    assert [p.printer_id for p in price_history(priced)] == [None, None, None, colour_id, colour_id]


def test_charges_split_colour_pages_and_apply_the_duplex_price(priced):
    j = job(priced, pages=21, colour=1)
    charge = estimate(priced, j, at=kst(2026, 3, 3))
    assert (charge.colour_impressions, charge.mono_impressions, charge.amount) == (1, 20, 100 + 20 * 20)
    j = job(priced, pages=5, colour=5, copies=2, duplex=True)
    assert estimate(priced, j, at=kst(2026, 3, 3)).amount == 10 * 80
    assert estimate(priced, j, printer="colour", at=kst(2026, 3, 12)).amount == 10 * 60  # simplex price = duplex


@pytest.mark.parametrize("printer", [None, "colour", "dept-a"])
@pytest.mark.parametrize("day", [1, 3, 12, 16, 20])
def test_many_jobs_priced_from_columns_cost_what_each_costs_priced_from_its_row(priced, printer, day):
    """`estimates` (My jobs: columns only) against `estimate` (the mapped row), through overrides, their
    end, fallbacks to A4 and the instant before any price."""
    jobs = [job(priced, pages=3, colour=1, size=size, duplex=duplex) for size in ("A4", "A3", "A5", "Letter")
            for duplex in (False, True)]
    priced.flush()
    at = kst(2026, 3, day) - timedelta(seconds=1 if day == 1 else 0)
    assert estimates(priced, jobs, printer, at) == {j.id: estimate(priced, j, printer, at) for j in jobs}


def test_fractions_of_a_won_round_half_up_once_per_job(priced):
    set_price(priced, "A4", "KRW", "12.5", "100", valid_from=kst(2026, 4, 1), now=LONG_AGO)
    assert estimate(priced, job(priced, pages=3), at=kst(2026, 4, 2)).amount == 38  # 37.5 -> 38
    assert estimate(priced, job(priced, pages=2), at=kst(2026, 4, 2)).amount == 25


def test_a_price_cannot_start_in_the_past_and_amounts_are_exact(priced):
    with pytest.raises(PriceInThePast):
        set_price(priced, "A4", "KRW", "20", "100", valid_from=kst(2026, 3, 1), now=kst(2026, 3, 2))
    with pytest.raises(UnpricedSize):
        set_price(priced, "A5", "KRW", "20", "100")
    for bad in ("-1", "0.001", "abc", "1e40", "NaN"):
        with pytest.raises(BadAmount):
            set_price(priced, "A4", "KRW", bad, "100")
    row = set_price(priced, "A4", "USD", "0.035", "0.2")
    assert (row.mono_simplex, row.colour_simplex) == (350, 2000)


def test_money_in_korean_and_english():
    assert format_money(1234, "KRW", "ko") == "₩1,234"
    assert format_money(1234, "KRW", "en") == "KRW\xa01,234"
    assert format_money(-1080, "KRW", "ko") == "-₩1,080"
    assert format_money(123456, "USD", "en") == "USD\xa01,234.56"
    assert format_money(10**14, "KRW", "ko") == "₩100,000,000,000,000"
    assert format_unit_price(2050, "KRW", "ko") == "₩20.5"
    assert parse_amount("-1,234", "KRW") == -1234
    with pytest.raises(BadAmount):
        parse_amount("12.5", "KRW")


@pytest.mark.parametrize("text, why", [("-1", "from ₩0 to ₩10,000,000"), ("10000001", "from ₩0 to ₩10,000,000"),
                                       ("1e999999", "from ₩0 to ₩10,000,000"), ("1e40", "from ₩0 to ₩10,000,000"),
                                       ("0.001", "at most 2"), ("1e-99999999999", "at most 2"),
                                       ("NaN", "not an amount"), ("Infinity", "not an amount"),
                                       ("스무", "not an amount")])
def test_amounts_out_of_range_are_refused_saying_why(text, why):
    """A price out of range, however written, is refused with the range, never an overflow (1e999999)."""
    with pytest.raises(BadAmount) as refused:
        parse_unit_price(text, "KRW")
    assert why in refused.value.words("en").replace("KRW\xa0", "₩"), refused.value.words("en")
    assert len(refused.value.words("en")) < 120, "a long amount is not repeated in full"
    assert parse_unit_price("10000000", "KRW") == 10**9 and parse_unit_price("0.01", "KRW") == 1
    assert parse_amount("-" + "9" * 15, "KRW") == -(10**15 - 1)
    for bad in ("9" * 400, "1e999999", "-1e999999", "0.5", "NaN"):
        with pytest.raises(BadAmount):
            parse_amount(bad, "KRW")


def test_the_cli_refuses_an_amount_out_of_range_with_why(runner):
    for amount in ("-5", "1e999999", "0.001"):
        result = runner.invoke("prices", "set", "--size", "A4", "--mono", amount, "--colour", "100")
        assert result.exit_code == 1 and "Traceback" not in result.output, result.output
        assert amount in result.output and ("0" in result.output), result.output
