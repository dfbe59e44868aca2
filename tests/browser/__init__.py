"""Browser tests: the web UI in Debian's chromium, driven by Playwright, checked by axe-core."""
