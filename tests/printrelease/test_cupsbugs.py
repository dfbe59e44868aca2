"""Known-broken CUPS builds are named by the doctor with the way out; others pass."""

import subprocess

from printrelease import cupsbugs, doctor


def test_the_build_that_crashes_on_a_space_in_a_document_name_is_known():
    known = cupsbugs.known_problem("2.4.2-3+deb12u10")
    assert "space" in known.problem and "no account" in known.problem and known.good == "2.4.2-3+deb12u9"
    assert cupsbugs.known_problem("2.4.2-3+deb12u9") is None
    assert cupsbugs.known_problem(None) is None


def test_the_installed_version_is_read_from_dpkg():
    done = subprocess.run(["dpkg-query", "-W", "-f=${Version}", "cups-daemon"], capture_output=True, text=True)
    assert cupsbugs.installed_cupsd_version() == (done.stdout.strip() or None)


def test_the_doctor_warns_with_the_remedy(monkeypatch):
    monkeypatch.setattr(doctor, "installed_cupsd_version", lambda: "2.4.2-3+deb12u10")
    check = doctor._cups_build()
    assert (check.status, check.name) == (doctor.WARNING, "cups build")
    assert "crashes" in check.detail and "cups-daemon=2.4.2-3+deb12u9" in check.remedy
    monkeypatch.setattr(doctor, "installed_cupsd_version", lambda: "2.4.2-3+deb12u9")
    assert doctor._cups_build().status == doctor.OK
