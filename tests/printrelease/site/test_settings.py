"""Site settings changed at run time: checked, stored, read through a short cache, used by capture, shown
and set at the command line."""

from datetime import timedelta

import pytest

from printrelease.db import utcnow
from printrelease.jobs.capture import CaptureRequest, capture_job
from printrelease.jobs.models import JobState
from printrelease.site.errors import BadSettingValue, UnknownSetting
from printrelease.site.service import SiteSettingsCache, reset_setting, set_setting, site_values
from sandbox.documents import make_pdf


@pytest.mark.parametrize("name, value, stored", [("hold_hours", "48", "48"), ("hold_hours", "0.5", "0.5"),
                                                 ("max_job_bytes", "200M", str(200 * 1024 * 1024)),
                                                 ("max_job_bytes", "1g", str(1024 ** 3)),
                                                 ("max_job_bytes", "5000000", "5000000")])
def test_values_are_checked_and_stored_normalised(session, name, value, stored):
    assert set_setting(session, name, value, "admin").value == stored


@pytest.mark.parametrize("name, value", [("hold_hours", "0"), ("hold_hours", "-1"), ("hold_hours", "nan"),
                                         ("hold_hours", "inf"), ("hold_hours", "99999"), ("max_job_bytes", "1K"),
                                         ("max_job_bytes", "100T"), ("max_job_bytes", "-5M"),
                                         ("max_job_bytes", "1e9")])
def test_bad_values_are_refused_with_a_reason(session, name, value):
    with pytest.raises(BadSettingValue) as raised:
        set_setting(session, name, value)
    assert name in raised.value.words("ko")


def test_only_known_settings(session):
    with pytest.raises(UnknownSetting):
        set_setting(session, "secret_key", "x")


def test_stored_values_override_the_configuration_until_reset(session, settings):
    assert site_values(session, settings).hold_time == settings.hold_time
    set_setting(session, "hold_hours", "2")
    values = site_values(session, settings)
    assert (values.hold_time, values.max_job_bytes, values.overridden) == (
        timedelta(hours=2), settings.max_job_bytes, frozenset({"hold_hours"}))
    assert reset_setting(session, "hold_hours") and not reset_setting(session, "hold_hours")
    assert site_values(session, settings).hold_time == settings.hold_time


def test_the_cache_reads_again_after_its_time(runtime):
    cache = SiteSettingsCache(runtime.sessions, runtime.settings, ttl=3600)
    assert cache.values().hold_time == timedelta(hours=24)
    with runtime.sessions.begin() as session:
        set_setting(session, "hold_hours", "3")
    assert cache.values().hold_time == timedelta(hours=24), "read at most once per ttl"
    cache.forget()
    assert cache.values().hold_time == timedelta(hours=3)


def test_capture_holds_for_the_site_setting_and_refuses_past_its_size(runtime, tmp_path):
    with runtime.sessions.begin() as session:
        set_setting(session, "hold_hours", "2")
        set_setting(session, "max_job_bytes", "1M")
    runtime.site_settings.forget()
    small = make_pdf(tmp_path / "small.pdf", "작은 문서").read_bytes()
    with runtime.sessions.begin() as session:
        job = capture_job(session, runtime.spool, runtime.capture_policy, CaptureRequest("kimsr", "작은 문서"),
                          [small]).job
        assert job.state == JobState.HELD
        assert timedelta(hours=1, minutes=59) < job.expires_at - utcnow() <= timedelta(hours=2)
        outcome = capture_job(session, runtime.spool, runtime.capture_policy,
                              CaptureRequest("kimsr", "큰 문서", declared_size=2 * 1024 * 1024), [b"%PDF" * 10])
        assert outcome.job.state == JobState.REJECTED and outcome.refusal.code == "document_too_large"


def test_settings_show_and_set_at_the_command_line(runner):
    shown = runner.invoke("settings", "show").output
    assert "hold_hours\t24\tconfiguration" in shown and f"max_job_bytes\t{1024 ** 3}\tconfiguration" in shown
    assert runner.invoke("settings", "set", "max_job_bytes", "300M").output == f"max_job_bytes = {300 * 1024 ** 2}\n"
    assert "cli:" in runner.invoke("settings", "show").output
    refused = runner.invoke("settings", "set", "hold_hours", "0")
    assert refused.exit_code == 1 and "hold_hours" in refused.output
    assert "configuration" in runner.invoke("settings", "reset", "max_job_bytes").output
