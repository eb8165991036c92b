"""A deployed stage never runs on a secret from a default in code."""

from __future__ import annotations

import pytest

from chalicelib.config import ConfigError, load_settings


def test_a_deployed_stage_refuses_the_local_cursor_secret() -> None:
    with pytest.raises(ConfigError, match="CLAIMGATE_CURSOR_SECRET_ID"):
        load_settings({"CLAIMGATE_STAGE": "prod"})
    with pytest.raises(ConfigError):
        load_settings({"CLAIMGATE_STAGE": "prod", "CLAIMGATE_CURSOR_SECRET": "short"})


def test_a_deployed_stage_reads_its_cursor_secret_from_secrets_manager() -> None:
    found = load_settings(
        {"CLAIMGATE_STAGE": "prod", "CLAIMGATE_CURSOR_SECRET_ID": "claimgate/prod/stage/cursor-key"}
    )
    assert found.cursor_secret_id == "claimgate/prod/stage/cursor-key"
    assert load_settings({}).stage == "local"  # make run and the tests: the local default
