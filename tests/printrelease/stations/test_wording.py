"""Every tap outcome is worded for the person at the printer, Korean first and English too."""

import pytest

from printrelease.stations.models import TapOutcome
from printrelease.stations.wording import WORDING, wording


@pytest.mark.parametrize("outcome", [o.value for o in TapOutcome] + ["error", "timeout"])
def test_every_outcome_has_both_languages(outcome):
    said = wording(outcome, "이지영", 1, 2, "dept-5f")
    assert set(said) == {"ko", "en"} and all(said.values()) and "{" not in said["ko"] + said["en"]
    assert any("\uac00" <= ch <= "\ud7a3" for ch in said["ko"])  # Hangul syllables


def test_an_outcome_without_wording_reads_as_an_error():
    assert wording("something new") == wording("error")
    assert set(WORDING) == {o.value for o in TapOutcome} | {"error", "timeout"}
