"""The gettext catalogues: every message in the code has Korean, the compiled files are current, errors are worded."""

import gettext
import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po

from printrelease.errors import PrintReleaseError
from printrelease.i18n import CATALOGUES, both, normalise, terminal_language, translate
from printrelease.jobs.errors import UnknownJob

ROOT = Path(__file__).resolve().parents[2]


def test_every_message_in_the_code_has_a_korean_translation(tmp_path):
    template = tmp_path / "messages.pot"
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", "extract", "-F", "babel.cfg", "-k", "N_",
                    "-k", "_l", "-k", "lazy_gettext", "-o", str(template), "."], cwd=ROOT, check=True,
                   capture_output=True)
    with open(template, "rb") as stream:
        wanted = {m.id for m in read_po(stream) if m.id}
    with open(CATALOGUES / "ko" / "LC_MESSAGES" / "messages.po", "rb") as stream:
        korean = {m.id: m.string for m in read_po(stream) if m.id and not m.fuzzy}
    # A plural message has a tuple of forms, every one of which needs its Korean.
    missing = sorted(m if isinstance(m, str) else m[0] for m in wanted
                     if not (all(korean.get(m) or [""]) if isinstance(m, tuple) else korean.get(m)))
    assert missing == [], "run `make translations` and translate these in the ko catalogue"


def test_the_compiled_catalogues_match_their_sources():
    for language in ("ko", "en"):
        folder = CATALOGUES / language / "LC_MESSAGES"
        with open(folder / "messages.po", "rb") as stream:
            source = {}
            for m in read_po(stream):
                if not m.id or m.fuzzy:
                    continue
                if isinstance(m.id, tuple):  # gettext keeps plural forms as (singular msgid, form number);
                    # babel compiles an untranslated form as the English one
                    source.update({(m.id[0], n): form or m.id[min(n, 1)] for n, form in enumerate(m.string)})
                elif m.string:
                    source[m.id] = m.string
        with open(folder / "messages.mo", "rb") as stream:
            compiled = gettext.GNUTranslations(stream)._catalog
        compiled = {k: v for k, v in compiled.items() if k}
        assert compiled == source, f"{language}: run `make translations` to compile the catalogue"


def test_errors_carry_a_code_and_are_worded_in_either_language():
    error = UnknownJob(42)
    assert (error.code, error.params, str(error)) == ("unknown_job", {"job_id": 42}, "no such job: 42")
    assert error.words("ko") == "그런 작업이 없습니다: 42"
    assert PrintReleaseError().words("en") == "something went wrong"


def test_languages_from_locales_and_headers(monkeypatch):
    assert [normalise(x) for x in ("ko_KR.UTF-8", "en-US", "fr", None)] == ["ko", "en", "ko", "ko"]
    for name in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(name, raising=False)
    assert terminal_language() == "en"
    monkeypatch.setenv("LANG", "ko_KR.UTF-8")
    assert terminal_language() == "ko"
    monkeypatch.setenv("LC_ALL", "C.UTF-8")
    assert terminal_language() == "en"
    assert both("Wrong PIN.") == {"ko": "PIN이 틀렸습니다.", "en": "Wrong PIN."}
    assert translate("the document is not a PDF (it does not start with %PDF)", "ko").startswith("문서가 PDF가")
