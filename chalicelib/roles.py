"""The roles an API key carries (chalicelib.api.access says which routes each may call):
`submitter` sends claims and files, `biller` works them, `operator` runs the schedules,
`read_only` reads, `admin` manages tenants and keys. A key made before these roles carries
`tenant`: what a submitter and a biller may do."""

from __future__ import annotations

SUBMITTER, BILLER, OPERATOR, READ_ONLY, ADMIN = (
    "submitter",
    "biller",
    "operator",
    "read_only",
    "admin",
)
ROLES = (SUBMITTER, BILLER, OPERATOR, READ_ONLY, ADMIN)
LEGACY = {"tenant": frozenset({SUBMITTER, BILLER})}


def effective_roles(roles: frozenset[str] | set[str] | tuple[str, ...]) -> frozenset[str]:
    """A key's roles with the legacy `tenant` role spelled out; unknown names dropped."""
    found = set(roles)
    for legacy, meaning in LEGACY.items():
        if legacy in found:
            found |= meaning
    return frozenset(found & set(ROLES))
