"""Damaged 835, 999 and 277CA files through the upload routes: never a 500, and a file that is
refused changes nothing (never half-applied). Property-based: hypothesis mutates real files
the sandbox clearinghouse wrote for claims on file."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from itertools import count

import pytest
from chalice.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.reliability.harness import HoldingGateway, claim, poll, submit_claims, upload
from tests.x12_mutations import HOSTILE, OPERATIONS, Mutation

mutations = st.builds(
    Mutation,
    op=st.sampled_from(OPERATIONS),
    at=st.integers(min_value=0, max_value=10_000),
    other=st.integers(min_value=0, max_value=10_000),
    element=st.integers(min_value=1, max_value=12),
    value=st.one_of(st.sampled_from(HOSTILE), st.text(max_size=12)),
)


@dataclass
class Mailbox:
    client: Client
    claim_ids: list[str]
    files: dict[str, bytes]


@pytest.fixture
def mailbox(
    client: Client, holding: Callable[[frozenset[str]], HoldingGateway]
) -> Iterator[Mailbox]:
    """Two claims at the payer and the 999, 277CA and 835 the clearinghouse wrote for them,
    held back so the test uploads them (damaged) itself."""
    ids = submit_claims(client, 2, prefix="MUT")
    gateway = holding(frozenset({"999", "277CA", "835"}))
    poll(client)
    poll(client)
    files = {kind: gateway.held_of(kind)[0] for kind in ("999", "277CA", "835")}
    yield Mailbox(client, ids, files)


_traces = count(1)


def _unique_trace(content: bytes) -> bytes:
    """A new TRN02 for each example, so the payer+TRN dedupe never hides what a file does."""
    return re.sub(rb"(~TRN\*1\*)[^*~]*", rb"\g<1>MUT%d" % next(_traces), content, count=1)


def _state(box: Mailbox) -> list[tuple[str, int, int]]:
    found = []
    for claim_id in box.claim_ids:
        body = claim(box.client, claim_id)
        found.append((body["status"], len(body["history"]), len(body["payments"])))
    return found


ROUTES = {"835": "/v1/remittances", "999": "/v1/acknowledgments", "277CA": "/v1/acknowledgments"}


@settings(
    max_examples=80,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(kind=st.sampled_from(sorted(ROUTES)), damage=st.lists(mutations, min_size=1, max_size=3))
def test_a_damaged_file_is_never_a_500_nor_half_applied(
    mailbox: Mailbox, kind: str, damage: list[Mutation]
) -> None:
    content = mailbox.files[kind]
    for mutation in damage:
        content = mutation.apply(content)
    if kind == "835":
        content = _unique_trace(content)
    before = _state(mailbox)
    status, body = upload(mailbox.client, ROUTES[kind], content)
    assert status in (200, 202, 400, 413, 422), (status, body)
    if status >= 400:
        assert _state(mailbox) == before, body
        assert body["errors"], body
