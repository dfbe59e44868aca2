"""Attacked on the station computer: a token file other users can read is refused (they could tap as the
station and release anyone's jobs there by card number), with the remedy; the agent's own file is taken."""

import os

import pytest

from printrelease.config import ConfigError
from printrelease.stations.console import read_token


@pytest.mark.parametrize("mode", [0o644, 0o604, 0o666])
def test_a_token_file_others_can_read_is_refused_with_its_remedy(tmp_path, mode):
    token = tmp_path / "station.token"
    token.write_text("a-station-token\n")
    token.chmod(mode)
    with pytest.raises(ConfigError) as refused:
        read_token(token)
    assert f"chmod 600 {token}" in refused.value.words("en") and refused.value.exit_status == 78


def test_a_token_file_group_readable_by_another_group_is_refused(tmp_path):
    token = tmp_path / "station.token"
    token.write_text("a-station-token\n")
    token.chmod(0o640)
    os.chown(token, -1, 65534 if os.getegid() != 65534 else 0)  # nogroup
    with pytest.raises(ConfigError):
        read_token(token)


@pytest.mark.parametrize("mode", [0o600, 0o400, 0o640])
def test_the_agents_own_file_is_taken(tmp_path, mode):
    token = tmp_path / "station.token"
    token.write_text("a-station-token\n")
    token.chmod(mode)
    assert read_token(token) == "a-station-token"
