"""One server (as a process, on the session's private cupsd) and one chromium for the browser tests.

Pages are checked as they are visited: axe-core fails a test on any serious or critical violation, and a
page that breaks its own Content-Security-Policy fails it too. Screenshots go to docs/screenshots/ when
PRINTRELEASE_SAVE_PICTURES=1 (`make screenshots`), else to the test's temporary folder.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.conftest import fresh_database
from tests.integration.conftest import running_stack

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "비밀번호-2026"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
SERIOUS = ("serious", "critical")


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def web(request, cupsd, tmp_path_factory):
    """The whole stack on SQLite with kimsr (김성렬) and leejy (이지영), both with PASSWORD."""
    root = tmp_path_factory.mktemp("web")
    with running_stack(cupsd, root, fresh_database(request, "sqlite", root / "data")) as stack:
        for login, name in (("kimsr", "김성렬"), ("leejy", "이지영")):
            stack.cli("users", "add", login, "--name", name, "--department", "budget")
            stack.cli("users", "set-password", login, "--password", PASSWORD)
        yield stack


@pytest.fixture(scope="session")
def pictures(tmp_path_factory) -> Path:
    if os.environ.get("PRINTRELEASE_SAVE_PICTURES") == "1":
        folder = ROOT / "docs" / "screenshots"
        folder.mkdir(parents=True, exist_ok=True)
        return folder
    return tmp_path_factory.mktemp("screenshots")


class Visitor:
    """A browser tab of one person: every page it lands on is checked for accessibility and CSP."""

    def __init__(self, context, base_url: str):
        from axe_playwright_python.sync_playwright import Axe

        self.context, self.base_url, self.axe = context, base_url, Axe()
        self.page = context.new_page()
        self.csp_errors: list[str] = []
        self.page.on("console", lambda message: self._console(message))

    def _console(self, message) -> None:
        if message.type == "error" and "Content Security Policy" in message.text:
            self.csp_errors.append(message.text)

    def goto(self, path: str):
        self.page.goto(self.base_url + path)
        self.check()
        return self.page

    def check(self) -> None:
        """axe-core on the page as it is now: no serious or critical violation, no CSP refusal."""
        self.page.wait_for_load_state("load")
        result = self.axe.run(self.page, options={"resultTypes": ["violations"]})
        bad = [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3]) for v in result.response["violations"]
               if v["impact"] in SERIOUS]
        assert bad == [], f"accessibility violations on {self.page.url}: {bad}"
        assert self.csp_errors == [], self.csp_errors

    def log_in(self, login="kimsr", password=PASSWORD):
        self.goto("/login")
        self.page.get_by_label(self.words("Login name", "아이디")).fill(login)
        self.page.get_by_label(self.words("Password", "비밀번호")).fill(password)
        self.page.locator("main form button[type=submit]").click()
        self.page.wait_for_url("**/jobs")
        self.check()

    def words(self, english: str, korean: str) -> str:
        return korean if self.page.evaluate("document.documentElement.lang") == "ko" else english


@pytest.fixture
def visitor(browser, web):
    """A fresh browser context (no cookies) in Korean, at a desktop width."""
    context = browser.new_context(locale="ko-KR", viewport={"width": 1100, "height": 900})
    yield Visitor(context, web.url)
    context.close()


@pytest.fixture
def open_visitor(browser, web):
    """open_visitor(locale, width, height): more tabs, in English or at a phone's width."""
    contexts = []

    def make(locale="ko-KR", width=1100, height=900):
        context = browser.new_context(locale=locale, viewport={"width": width, "height": height})
        contexts.append(context)
        return Visitor(context, web.url)

    yield make
    for context in contexts:
        context.close()
