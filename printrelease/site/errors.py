"""Errors of the site settings."""

from printrelease.errors import Invalid
from printrelease.i18n import N_, translate


class UnknownSetting(Invalid):
    code = "unknown_setting"
    template = N_("'%(name)s' is not a setting that can be changed here (%(names)s)")


class BadSettingValue(Invalid):
    code = "bad_setting_value"
    template = N_("%(name)s: '%(value)s' is not allowed; %(expected)s")

    def words(self, language: str | None = "en") -> str:
        # `expected` is a message of its own, worded in the same language.
        params = {**self.params, "expected": translate(self.params["expected"], language)}
        return translate(self.template, language, **params)
