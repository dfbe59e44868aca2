"""The templates' words and the page's wording: Jinja's newstyle gettext as one plain call, times, money."""

from datetime import datetime, timedelta, timezone

from flask import render_template_string
from flask_babel import force_locale

from webui.i18n import Wording

from tests.webui.conftest import log_in


def _render(app, source: str, language: str = "ko", **values) -> str:
    with app.test_request_context("/", headers={"Accept-Language": language}):
        return render_template_string(source, **values)


def test_a_translation_keeps_its_markup_and_escapes_the_values_put_into_it(app):
    # "%(minutes)s min" is "%(minutes)s분" in Korean; a value is escaped as Jinja's newstyle gettext does.
    assert _render(app, '{{ _("%(minutes)s min", minutes=m) }}', m="<b>5</b>") == "&lt;b&gt;5&lt;/b&gt;분"
    assert _render(app, '{{ _("%(minutes)s min", minutes=5) }}', "en") == "5 min"
    # Always a format string, as newstyle gettext is: "%%" writes one "%".
    assert _render(app, '{{ _("100%% sure") }}', "en") == "100% sure"
    assert _render(app, '{{ _("%(text)s", text="<") }}', "en") == "&lt;"  # any name may be a value


def test_ngettext_takes_num_for_the_count_unless_told_otherwise(app):
    one = _render(app, '{{ ngettext("%(num)s job", "%(num)s jobs", n) }}', "en", n=1)
    many = _render(app, '{{ ngettext("%(num)s job", "%(num)s jobs", n) }}', "en", n=3)
    assert (one, many) == ("1 job", "3 jobs")
    assert _render(app, '{{ ngettext("%(num)s job", "%(num)s jobs", 2, num="<i>") }}', "en") == "&lt;i&gt; jobs"


def test_words_follow_a_forced_language_inside_the_same_request(app):
    with app.test_request_context("/", headers={"Accept-Language": "ko"}):
        assert render_template_string('{{ _("expiring now") }}') == "곧 만료"
        with force_locale("en"):
            assert render_template_string('{{ _("expiring now") }}') == "expiring now"
            assert Wording().time_left(datetime.now(timezone.utc) - timedelta(seconds=1)) == "expiring now"
        assert render_template_string('{{ _("expiring now") }}') == "곧 만료"


def test_the_wording_writes_times_left_instants_and_money_in_each_language(app):
    now = datetime(2026, 12, 7, 3, 0, tzinfo=timezone.utc)
    instant = datetime(2026, 12, 7, 5, 30)  # naive: UTC, as the database keeps it
    with app.test_request_context("/", headers={"Accept-Language": "ko"}):
        say = Wording()
        assert say.time_left(now + timedelta(hours=3, minutes=20), now) == "3시간 20분"
        assert say.time_left(now + timedelta(seconds=20), now) == "1분"
        assert say.time_left(None) == "" and say.when(None) == ""
        assert say.when(instant) == "2026. 12. 7. 14:30"  # the site's clock is Seoul's
        assert say.money(1234, "KRW") == "₩1,234" and say.money(None, "KRW") == ""
    with app.test_request_context("/", headers={"Accept-Language": "en"}):
        say = Wording()
        assert say.time_left(now + timedelta(minutes=59), now) == "59 min"
        assert say.when(instant) == "7 Dec 2026, 14:30"
        assert say.money(1234, "KRW") == "KRW\xa01,234"


def test_the_session_cookie_is_set_when_it_changes_not_on_every_page(client, people):
    log_in(client, "kimsr")
    first = client.get("/jobs")  # the page's form key goes into the session once
    assert first.status_code == 200
    again = client.get("/jobs")
    assert again.status_code == 200 and "Set-Cookie" not in again.headers
    assert client.get("/healthz").headers.get("Set-Cookie") is None


def test_a_stored_value_is_translated_when_known_and_written_as_it_is_when_not(app):
    from webui.jobs.words import SIDES

    assert _render(app, "{{ word(SIDES, v) }}", SIDES=SIDES, v="two-sided-long-edge") == "양면 (긴 쪽)"
    assert _render(app, "{{ word(SIDES, v) }}", "en", SIDES=SIDES, v="two-sided-long-edge") == "Two-sided (long edge)"
    # A value no table knows (a bad row) is neither markup nor a format: escaped, its % kept.
    assert _render(app, "{{ word(SIDES, v) }}", SIDES=SIDES, v="<b>100%</b>") == "&lt;b&gt;100%&lt;/b&gt;"
