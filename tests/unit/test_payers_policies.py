"""Follow-up policies: defaults per claim filing code, overrides, validation, and the dates
the follow-up planner schedules by."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import fields, replace
from datetime import date
from typing import cast

import pytest

from chalicelib.payers.policies import (
    DEFAULT_POLICIES,
    FALLBACK,
    PayerPolicy,
    PolicyError,
    appeal_deadline,
    checks_exhausted,
    first_check_due,
    next_check_due,
    policy_for,
    timely_filing_at_risk,
    timely_filing_deadline,
)


@pytest.mark.parametrize(
    ("code", "first", "every", "timely", "appeal", "crosses_over"),
    [
        ("MB", 14, 14, 365, 120, True),
        ("MA", 14, 14, 365, 120, True),
        ("MC", 21, 14, 365, 90, False),
        ("CI", 30, 15, 90, 180, False),
        ("12", 30, 15, 90, 180, False),
        ("HM", 30, 15, 90, 180, False),
        ("16", 30, 15, 180, 60, False),
        ("BL", 30, 15, 180, 180, False),
        ("FI", 30, 15, 365, 90, False),
        ("CH", 30, 15, 365, 90, False),
        ("VA", 30, 15, 180, 90, False),
        ("WC", 30, 15, 365, 90, False),
    ],
)
def test_payers_policies_default_per_filing_code(
    code: str, first: int, every: int, timely: int, appeal: int, crosses_over: bool
) -> None:
    policy = policy_for(code, None)
    assert (
        policy.first_status_check_days,
        policy.status_check_interval_days,
        policy.timely_filing_days,
        policy.appeal_window_days,
        policy.crosses_over_to_secondary,
        policy.max_status_checks,
    ) == (first, every, timely, appeal, crosses_over, None)


def test_payers_policies_unknown_code_falls_back_to_the_short_windows() -> None:
    assert policy_for("ZZ", None) is FALLBACK
    assert policy_for("", None) is FALLBACK
    assert FALLBACK.timely_filing_days == min(
        p.timely_filing_days for p in DEFAULT_POLICIES.values()
    )


def test_payers_policies_code_is_read_ignoring_case_and_spaces() -> None:
    assert policy_for(" mb ", None) is policy_for("MB", None)


def test_payers_policies_payer_override_wins() -> None:
    own = PayerPolicy(10, 7, 120, 30, crosses_over_to_secondary=False, max_status_checks=5)
    assert policy_for("MB", own) is own
    assert policy_for("ZZ", own) is own


def test_payers_policies_only_medicare_crosses_over_by_default() -> None:
    crossing = {
        code for code, policy in DEFAULT_POLICIES.items() if policy.crosses_over_to_secondary
    }
    assert crossing == {"MA", "MB"}


_VALID = PayerPolicy(30, 15, 90, 180, crosses_over_to_secondary=False)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("first_status_check_days", 0),
        ("first_status_check_days", -3),
        ("first_status_check_days", 181),
        ("status_check_interval_days", 0),
        ("status_check_interval_days", 91),
        ("timely_filing_days", 0),
        ("timely_filing_days", 1096),
        ("appeal_window_days", 0),
        ("appeal_window_days", 731),
        ("max_status_checks", 0),
        ("max_status_checks", 101),
        ("first_status_check_days", True),
        ("timely_filing_days", 90.0),
        ("appeal_window_days", "180"),
        ("crosses_over_to_secondary", 1),
        ("crosses_over_to_secondary", None),
    ],
)
def test_payers_policies_invalid_value_names_the_field(field: str, value: object) -> None:
    values = {item.name: getattr(_VALID, item.name) for item in fields(_VALID)}
    values[field] = value
    build = cast("Callable[..., PayerPolicy]", PayerPolicy)  # wrong types on purpose
    with pytest.raises(PolicyError) as raised:
        build(**values)
    assert raised.value.field == field
    assert field in str(raised.value)


def test_payers_policies_bounds_themselves_are_valid() -> None:
    PayerPolicy(1, 1, 1, 1, crosses_over_to_secondary=True, max_status_checks=1)
    PayerPolicy(180, 90, 1095, 730, crosses_over_to_secondary=False, max_status_checks=100)


def test_payers_policies_policy_error_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="timely_filing_days"):
        PayerPolicy(30, 15, 0, 180, crosses_over_to_secondary=False)


def test_payers_policies_status_check_dates() -> None:
    medicare = policy_for("MB", None)
    assert first_check_due(date(2026, 11, 20), medicare) == date(2026, 12, 4)
    assert next_check_due(date(2026, 12, 4), medicare) == date(2026, 12, 18)
    commercial = policy_for("CI", None)
    assert first_check_due(date(2026, 12, 15), commercial) == date(2027, 1, 14)
    assert next_check_due(date(2027, 1, 14), commercial) == date(2027, 1, 29)


def test_payers_policies_checks_exhausted_only_with_a_cap() -> None:
    assert not checks_exhausted(500, _VALID)
    capped = replace(_VALID, max_status_checks=3)
    assert not checks_exhausted(2, capped)
    assert checks_exhausted(3, capped)


def test_payers_policies_timely_filing_deadline_counts_days_from_service() -> None:
    assert timely_filing_deadline(date(2026, 11, 16), policy_for("CI", None)) == date(2027, 2, 14)
    # 365 days, never later than Medicare's "one calendar year": a leap day falls inside.
    assert timely_filing_deadline(date(2027, 3, 1), policy_for("MB", None)) == date(2028, 2, 29)


def test_payers_policies_timely_filing_at_risk_from_the_window_on() -> None:
    policy = policy_for("CI", None)  # deadline 2027-02-14 for 2026-11-16
    served = date(2026, 11, 16)
    assert not timely_filing_at_risk(served, date(2027, 1, 14), policy)
    assert timely_filing_at_risk(served, date(2027, 1, 15), policy)
    assert timely_filing_at_risk(served, date(2027, 2, 14), policy)
    assert timely_filing_at_risk(served, date(2027, 6, 1), policy)  # past it: still at risk
    assert not timely_filing_at_risk(served, date(2027, 1, 15), policy, within_days=29)
    assert timely_filing_at_risk(served, date(2027, 2, 14), policy, within_days=0)
    assert not timely_filing_at_risk(served, date(2027, 2, 13), policy, within_days=0)


def test_payers_policies_at_risk_window_must_not_be_negative() -> None:
    with pytest.raises(ValueError, match="within_days"):
        timely_filing_at_risk(date(2026, 1, 1), date(2026, 1, 2), _VALID, within_days=-1)


def test_payers_policies_appeal_deadline_from_the_remittance() -> None:
    assert appeal_deadline(date(2026, 12, 1), policy_for("MB", None)) == date(2027, 3, 31)
    assert appeal_deadline(date(2026, 12, 1), policy_for("MC", None)) == date(2027, 3, 1)
