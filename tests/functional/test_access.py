"""Roles are enforced on every route: the table (chalicelib.api.access) names every route of
the app, and each route called with a key of each role answers 403 exactly when the table
does not give that role the route."""

from __future__ import annotations

import re

import pytest
from chalice.test import Client

from chalicelib.api.access import ACCESS
from chalicelib.api.auth import PUBLIC_PATHS
from chalicelib.roles import ROLES
from tests.functional.conftest import headers


def app_routes() -> set[tuple[str, str]]:
    from app import app

    return {
        (method, path)
        for path, methods in app.routes.items()
        if path not in PUBLIC_PATHS
        for method in methods
    }


def test_the_table_names_every_route_and_only_routes() -> None:
    assert set(ACCESS) == app_routes()


@pytest.fixture
def keys(client: Client) -> dict[str, str]:
    from chalicelib.clock import utcnow
    from chalicelib.store.tenants import issue_key

    return {
        role: issue_key("tenant-a", roles=(role,), name=role, expires_at=None, now=utcnow())[0]
        for role in ROLES
    }


def test_every_route_with_every_role(client: Client, keys: dict[str, str]) -> None:
    wrong: list[str] = []
    for method, path in sorted(app_routes()):
        concrete = re.sub(r"\{[^}]+\}", "x-unknown", path)
        for role in ROLES:
            answer = client.http.request(method, concrete, headers=headers(keys[role]), body=b"{}")
            refused = answer.status_code == 403
            if refused == (role in ACCESS[(method, path)]):
                wrong.append(f"{method} {path} as {role}: {answer.status_code}")
    assert wrong == []
