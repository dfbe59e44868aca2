"""Attacked through the configuration: a value that cannot work (not a number, infinite, negative, an hour
count past the calendar, an unknown log level or time zone) is one line naming the setting and exit
status 78 at the start of every edge, never a traceback, nor a server that starts and then misbehaves (a
sweep in a busy loop, every job expired or refused, every capture failing on a date overflow)."""

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

import printrelease
from printrelease.config import ConfigError, Settings

BAD = [
    ("HOLD_HOURS", "nan"), ("HOLD_HOURS", "inf"), ("HOLD_HOURS", "1e30"), ("HOLD_HOURS", "100000000"),
    ("HOLD_HOURS", "-5"), ("HOLD_HOURS", "0"), ("CLAIM_WINDOW_MINUTES", "-1"), ("SWEEP_INTERVAL", "0"),
    ("SWEEP_INTERVAL", "-1"), ("MAX_JOB_BYTES", "-1"), ("MAX_JOB_BYTES", "1e3"), ("CO2_GRAMS_PER_SHEET", "abc"),
    ("CO2_GRAMS_PER_SHEET", "NaN"), ("TRUSTED_PROXIES", "-1"), ("ANALYSIS_WORKERS", "0"), ("WEB_WORKERS", "0"),
    ("SMTP_PORT", "99999999"), ("CAPTURE_ATTEMPTS", "0"), ("START_TIMEOUT_SECONDS", "-inf"),
    ("LOG_LEVEL", "LOUD"), ("TIMEZONE", "Mars/Olympus_Mons"), ("TIMEZONE", "../../etc/passwd"),
]


@pytest.mark.parametrize("name, value", BAD)
def test_a_value_that_cannot_work_is_a_configuration_error_naming_it(name, value):
    with pytest.raises(ConfigError) as refused:
        Settings.from_env({"PRINTRELEASE_CONFIG": "", f"PRINTRELEASE_{name}": value})
    assert f"PRINTRELEASE_{name}" in refused.value.words("en")


def test_zero_where_zero_means_something_is_taken():
    settings = Settings.from_env({"PRINTRELEASE_CONFIG": "", "PRINTRELEASE_DEVICE_TIMEOUT_SECONDS": "0",
                                  "PRINTRELEASE_TRUSTED_PROXIES": "0", "PRINTRELEASE_LOG_LEVEL": "debug",
                                  "PRINTRELEASE_HOLD_HOURS": "0.5"})
    assert (settings.device_timeout, settings.trusted_proxies, settings.log_level) == (0, 0, "DEBUG")
    assert settings.hold_time.total_seconds() == 1800


def test_the_command_says_it_in_one_line_with_exit_status_78(tmp_path):
    config = tmp_path / "printrelease.conf"
    config.write_text("PRINTRELEASE_HOLD_HOURS=inf\n")
    done = subprocess.run([sys.executable, "-m", "printrelease", "jobs", "list"], capture_output=True, text=True,
                          env={**{k: v for k, v in os.environ.items() if not k.startswith("PRINTRELEASE_")},
                               "PRINTRELEASE_CONFIG": str(config)})
    assert done.returncode == 78 and "Traceback" not in done.stderr, done.stderr
    assert done.stderr.strip().count("\n") == 0 and "PRINTRELEASE_HOLD_HOURS=inf" in done.stderr


@pytest.fixture
def installed(tmp_path, monkeypatch):
    """/etc/printrelease as make install leaves it: root's, readable by the service's group only."""
    import printrelease.config

    folder = tmp_path / "etc-printrelease"
    folder.mkdir(mode=0o750)
    monkeypatch.setattr(printrelease.config, "DEFAULT_CONFIG", folder / "printrelease.conf")
    return folder / "printrelease.conf"


def test_an_installed_machine_without_its_configuration_says_so(installed):
    """Not a site of defaults, with a data folder 'var' wherever the command was run."""
    with pytest.raises(ConfigError) as refused:
        Settings.from_env({})
    assert f"configuration file {installed} does not exist" in refused.value.words("en")


def test_an_account_that_may_not_read_the_configuration_is_told_what_to_run(installed, tmp_path):
    """An administrator who forgot sudo, on a server where /etc/printrelease is 0750: Path.exists() raised
    PermissionError. Run as nobody with Debian's Python and the configuration module alone (the standard
    library is all it needs, for the station's sake), copied where nobody may read it."""
    installed.write_text("PRINTRELEASE_DATA_DIR=/var/lib/printrelease\n")
    code = tempfile.mkdtemp(prefix="printrelease-config-")
    try:
        os.chmod(code, 0o755)
        package, copy = Path(printrelease.__file__).parent, Path(code) / "printrelease"
        copy.mkdir()
        for module in ("__init__.py", "config.py", "errors.py", "i18n.py"):
            shutil.copy(package / module, copy / module)
        script = (f"import sys; sys.path.insert(0, {code!r}); import pathlib, printrelease.config as c\n"
                  f"c.DEFAULT_CONFIG = pathlib.Path({str(installed)!r})\n"
                  "try:\n    c.Settings.from_env({})\nexcept c.ConfigError as e:\n    print(e.words('en'))")
        done = subprocess.run(["/usr/sbin/runuser", "-u", "nobody", "--", "/usr/bin/python3", "-c", script],
                              cwd=code, capture_output=True, text=True,
                              env={"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"})
    finally:
        shutil.rmtree(code)
    assert "Traceback" not in done.stderr and "permission denied" in done.stdout, done.stderr
    assert "sudo printrelease" in done.stdout
