"""My jobs' rows made in Python and the templates' plain _(): hostile text stays text, odd rows still draw."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from flask import render_template, render_template_string
from flask_babel import force_locale
from sqlalchemy import update

from printrelease.accounts.models import User
from printrelease.db import utcnow
from printrelease.jobs.models import Job
from printrelease.printers.models import Printer
from printrelease.prices.service import set_price
from tests.webui.conftest import hold
from tests.webui.test_kiosk_pages import KIM, kiosk, pair, pairing_code, server, station, tap  # noqa: F401

EVIL = "<img src=x onerror=alert(1)> 100% %(num)s %% &amp; \"q\" 's"
ESCAPED = "&lt;img src=x onerror=alert(1)&gt; 100% %(num)s %% &amp;amp; &#34;q&#34; &#39;s"


def facts(html: str, title: str) -> dict[str, str]:
    """The <dt>/<dd> pairs of the held row titled `title`."""
    row = html[html.index(f"</span>{title}</label>"):]
    row = row[:row.index("</li>")]
    return dict(re.findall(r"<dt>([^<]*)</dt><dd>(.*?)</dd>", row))


@pytest.fixture
def hostile(runtime, people, pdf):
    """kimsr's jobs: a hostile title, one that never expires, a PostScript one, one of odd sides and
    colour; a jammed printer whose location and message are hostile; kimsr's name hostile too."""
    with runtime.sessions.begin() as session:
        session.add(Printer(name="evil-p", cups_server="127.0.0.1:1", cups_queue="evil-p", location=EVIL,
                            status_state=5, status_reasons="media-jam-error", status_message=EVIL,
                            status_checked_at=utcnow()))
        session.execute(update(User).where(User.login == "kimsr").values(display_name=EVIL))
    ids = {"evil": hold(runtime, "kimsr", EVIL, pdf, age=timedelta(hours=1)),
           "forever": hold(runtime, "kimsr", "forever.pdf", pdf),
           "ps": hold(runtime, "kimsr", "ps.ps", pdf, options="sides=two-sided-short-edge print-color-mode=gray"),
           "odd": hold(runtime, "kimsr", "odd.pdf", pdf),
           "theirs": hold(runtime, "leejy", "leejy-secret.pdf", pdf)}
    with runtime.sessions.begin() as session:
        session.execute(update(Job).where(Job.id == ids["forever"]).values(expires_at=None))
        session.execute(update(Job).where(Job.id == ids["ps"]).values(format="application/postscript"))
        session.execute(update(Job).where(Job.id == ids["odd"]).values(sides="<b>odd%</b>", color_mode="%(x)s<i>"))
    return ids


@pytest.mark.parametrize("language", ["ko", "en"])
def test_hostile_titles_names_and_printers_are_text_on_my_jobs(client_as, runtime, hostile, language):
    with runtime.sessions.begin() as session:
        session.execute(update(User).values(language=language))
    html = client_as("user").get("/jobs").get_data(as_text=True)
    assert "<img src=x" not in html and "<b>odd" not in html and "<i>" not in html
    assert html.count(ESCAPED) == 5, "the title twice, the name, the location and the message: all escaped, % untouched"
    assert "leejy-secret" not in html and f'href="/jobs/{hostile["theirs"]}"' not in html
    odd = facts(html, "odd.pdf")
    assert "&lt;b&gt;odd%&lt;/b&gt;" in odd.values() and "%(x)s&lt;i&gt;" in odd.values()


def test_rows_without_deadline_picture_or_price_and_then_with_a_price(client_as, runtime, hostile):
    client = client_as("user")
    html = client.get("/jobs", headers={"Accept-Language": "en"}).get_data(as_text=True)
    forever, ps = facts(html, "forever.pdf"), facts(html, "ps.ps")
    assert forever["Time left"] == "" and "Estimated cost" not in forever
    assert ps["Sides"] == "Two-sided (short edge)" and ps["Colour"] == "Black and white"
    thumbs = re.findall(r'<img class="thumb" src="/jobs/(\d+)/thumbnail"', html)
    pictured = sorted(hostile[k] for k in ("evil", "forever", "odd"))
    assert sorted(map(int, thumbs)) == pictured, "no picture of the PostScript job"
    for job_id in thumbs:
        assert client.get(f"/jobs/{job_id}/thumbnail").status_code == 200
    with runtime.sessions.begin() as session:
        set_price(session, "A4", "KRW", mono="20", colour="100")
    html = client.get("/jobs", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert facts(html, "forever.pdf")["Estimated cost"] == "KRW\xa0200"
    assert facts(html, "ps.ps")["Estimated cost"] == "KRW\xa040", "2 black and white pages at 20"
    assert re.fullmatch(r"\d+ h \d+ min", facts(html, "ps.ps")["Time left"])


def test_a_hostile_name_in_a_translated_sentence_on_the_kiosk_is_text(app, kiosk, runtime, station, pdf):  # noqa: F811
    with runtime.sessions.begin() as session:
        session.execute(update(User).where(User.login == "kimsr").values(display_name=EVIL))
    hold(runtime, "kimsr", EVIL, pdf)
    tap(app, station, KIM)
    html = kiosk.get("/kiosk/screen").get_data(as_text=True)
    assert f"{ESCAPED}님의 대기 작업" in html and "<img src=x" not in html


def test_values_put_into_words_are_escaped_and_never_read_as_formats(app):
    source = '{{ _("%(name)s, your held jobs", name=v) }}|{{ ngettext("%(num)s job", "%(num)s jobs", 2, num=v) }}'
    with app.test_request_context("/", headers={"Accept-Language": "en"}):
        html = render_template_string(source, v="%(num)s %% <b>")
    assert html == "%(num)s %% &lt;b&gt;, your held jobs|%(num)s %% &lt;b&gt; jobs"


def test_an_error_page_drawn_inside_and_after_a_forced_language_follows_it(app):
    def page(**values):
        return render_template("errors/error.html", message=EVIL, status=404, title="t", **values)

    with app.test_request_context("/jobs", headers={"Accept-Language": "ko"}):
        before = page()
        with force_locale("en"):
            inside = page()
            with force_locale("ko"):
                nested = page()
            again = page()
        after = page()
    assert "내 인쇄 작업으로 돌아가기" in before and "내 인쇄 작업으로 돌아가기" in nested and "내 인쇄 작업으로 돌아가기" in after
    assert "Back to my jobs" in inside and "Back to my jobs" in again
    assert all(ESCAPED in html and "<img src=x" not in html for html in (before, inside, nested, after))
