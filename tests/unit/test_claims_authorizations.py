"""The authorization rules as dated data, the units a claim bills under a number, and the
edits: which finding for which claim, all warnings."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal

from chalicelib.api.contract import ClaimRequest
from chalicelib.claims.authorizations import (
    Authorization,
    AuthorizationRule,
    AuthorizationRules,
    AuthorizationTerms,
    authorization_edits,
    claim_numbers,
    rule_in_force,
    units_billed,
    with_use,
    work_items,
)
from chalicelib.claims.model import Claim
from tests.conftest import CONTRACT

NOW = datetime(2026, 11, 27, 12, tzinfo=UTC)


def _claim(
    units: str = "2", *, line_number: str | None = None, claim_number: str | None = "A1"
) -> Claim:
    claim = ClaimRequest.model_validate_json((CONTRACT / "claim-basic.json").read_text()).to_claim()
    information = claim.claim_information
    first = replace(
        information.service_lines[0],
        procedure_code="97110",
        unit_count=Decimal(units),
        prior_authorization_numbers=(line_number,) if line_number else (),
    )
    second = replace(information.service_lines[1], procedure_code="99214")
    information = replace(
        information, service_lines=(first, second), prior_authorization_number=claim_number
    )
    return replace(claim, claim_information=information)


def _authorization(**changes: object) -> Authorization:
    """An authorization for 97110, four units, November and December 2026; `changes` to its
    terms."""
    terms = AuthorizationTerms(
        kind="authorization",
        payer_id="SBX01",
        number="A1",
        member_id="W123456789",
        patient_birth_date=None,
        procedure_codes=("97110",),
        units=Decimal(4),
        valid_from=date(2026, 11, 1),
        valid_to=date(2026, 12, 31),
        rendering_provider_npi=None,
    )
    return Authorization(
        tenant_id="t",
        authorization_id="aut_1",
        terms=replace(terms, **changes),  # type: ignore[arg-type]
        recorded_at=NOW,
    )


def test_the_newest_version_in_force_decides_and_can_lift_a_requirement() -> None:
    first = AuthorizationRules("1", NOW, (AuthorizationRule("97110", date(2026, 1, 1)),))
    lifted = AuthorizationRules(
        "2", NOW, (AuthorizationRule("97110", date(2026, 11, 10), required=False),)
    )
    assert rule_in_force([lifted, first], "97110", date(2026, 11, 5)) == first.rules[0]
    assert rule_in_force([first, lifted], "97110", date(2026, 11, 16)) == lifted.rules[0]
    assert rule_in_force([first], "99214", date(2026, 11, 16)) is None
    ended = AuthorizationRule("97110", date(2026, 1, 1), effective_to=date(2026, 6, 30))
    assert not ended.in_force(date(2026, 7, 1)) and ended.in_force(date(2026, 6, 30))


def test_a_lines_own_number_wins_over_the_claims() -> None:
    claim = _claim(line_number="L9")
    assert claim_numbers(claim) == (("authorization", "L9"), ("authorization", "A1"))
    # Only the covered procedure's units count, under the number its line carries.
    assert units_billed(_claim(), _authorization()) == Decimal(2)
    assert units_billed(claim, _authorization()) == Decimal(0)
    assert units_billed(_claim(), _authorization(procedure_codes=())) == Decimal(3)


def test_units_are_kept_per_claim_so_a_resend_counts_once_and_a_void_gives_them_back() -> None:
    used = with_use(_authorization(), _claim(), now=NOW)
    assert used is not None and used.units_used == Decimal(2)
    assert with_use(used, _claim(), now=NOW) is None  # the same claim again: nothing changes
    replacement = with_use(used, _claim("3"), now=NOW)
    assert replacement is not None and replacement.units_used == Decimal(3)
    assert replacement.running_out and replacement.running_out_since == NOW
    void = _claim("3")
    void = replace(
        void, claim_information=replace(void.claim_information, claim_frequency_code="8")
    )
    back = with_use(replacement, void, now=NOW)
    assert back is not None and back.units_used == 0 and back.running_out_since is None


def test_edits_name_what_is_wrong_and_only_warn() -> None:
    needs = {0: "the payer's rules"}
    missing = authorization_edits(_claim(claim_number=None), needed=needs, recorded={})
    assert [f.code for f in missing] == ["authorization_missing"]
    unknown = authorization_edits(_claim(), needed=needs, recorded={})
    assert [f.code for f in unknown] == ["authorization_not_on_file"]
    held = _authorization(
        member_id="OTHER1",
        valid_to=date(2026, 11, 10),
        units=Decimal(1),
        rendering_provider_npi="1234567893",
    )
    found = authorization_edits(_claim(), needed=needs, recorded={("authorization", "A1"): held})
    assert {f.code for f in found} == {
        "authorization_other_patient",
        "authorization_dates",
        "authorization_units",
        "authorization_provider",
    }
    # The claim's number does not speak for the 99214 line (it needs none) ...
    assert "authorization_procedure" not in {f.code for f in found}
    # ... but a line that names a number for a procedure it does not cover is warned.
    on_line = _claim(line_number="A1")
    on_line = replace(
        on_line,
        claim_information=replace(
            on_line.claim_information,
            service_lines=tuple(
                replace(line, prior_authorization_numbers=("A1",))
                for line in on_line.claim_information.service_lines
            ),
        ),
    )
    codes = [
        f.code
        for f in authorization_edits(
            on_line, needed={}, recorded={("authorization", "A1"): _authorization()}
        )
    ]
    assert codes == ["authorization_procedure"]
    assert {f.severity for f in found} == {"warning"}
    fine = authorization_edits(
        _claim(),
        needed=needs,
        recorded={("authorization", "A1"): _authorization(procedure_codes=("97110", "99214"))},
    )
    assert fine == ()


def test_the_worklist_shows_an_authorization_before_it_ends_and_when_it_runs_low() -> None:
    [ending] = work_items(_authorization())
    assert ending.kind == "authorization_expiring" and ending.since == datetime(
        2026, 12, 17, tzinfo=UTC
    )
    low = with_use(_authorization(), _claim("3"), now=NOW)
    assert low is not None
    assert [i.kind for i in work_items(low)] == [
        "authorization_expiring",
        "authorization_running_out",
    ]
    resolved = replace(low, resolved={"authorization_running_out": NOW})
    assert [i.kind for i in work_items(resolved)] == ["authorization_expiring"]
