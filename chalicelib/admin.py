"""`python -m chalicelib.admin`: take a practice onto a stage, from a deployer's shell.

Runs the same use cases as the admin routes (chalicelib.services.admin) straight against the
stage's table, with the AWS credentials of the shell (`--stage prod` means the table
`claimgate-prod`; or set CLAIMGATE_TABLE, and AWS_REGION). Every answer is one JSON document
on stdout; a refusal is one on stderr, with exit status 2. A key is printed once, when it is
issued or rotated: it is kept only as a hash.

    python -m chalicelib.admin --stage prod create-tenant acme "Acme Family Practice"
    python -m chalicelib.admin --stage prod issue-key acme --role submitter --role biller \\
        --name "Acme EHR export" [--expires 2027-12-31T00:00:00Z]
    python -m chalicelib.admin --stage prod list-keys acme
    python -m chalicelib.admin --stage prod rotate-key acme 3f9a1b2c4d5e [--grace-hours 24]
    python -m chalicelib.admin --stage prod revoke-key acme 3f9a1b2c4d5e
    python -m chalicelib.admin --stage prod suspend acme | resume acme
    python -m chalicelib.admin --stage prod offboard acme   # suspended first: export, delete
    python -m chalicelib.admin --stage prod refresh-report-facts acme  # claims saved before
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from dataclasses import asdict
from datetime import datetime, timedelta
from typing import Any

from chalicelib.roles import ROLES


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m chalicelib.admin", description=__doc__)
    parser.add_argument("--stage", help="the stage whose table to use (claimgate-<stage>)")
    commands = parser.add_subparsers(dest="command", required=True)
    create = commands.add_parser("create-tenant")
    create.add_argument("tenant_id")
    create.add_argument("name")
    for name in ("show-tenant", "suspend", "resume", "list-keys"):
        commands.add_parser(name).add_argument("tenant_id")
    issue = commands.add_parser("issue-key")
    issue.add_argument("tenant_id")
    issue.add_argument("--role", action="append", choices=ROLES, required=True)
    issue.add_argument("--name", help="the person or system the key belongs to")
    issue.add_argument("--expires", type=datetime.fromisoformat)
    issue.add_argument("--requests-per-minute", type=int, help="the key's own limit")
    rotate = commands.add_parser("rotate-key")
    rotate.add_argument("tenant_id")
    rotate.add_argument("key_id")
    rotate.add_argument("--grace-hours", type=int, default=24)
    commands.add_parser("offboard").add_argument("tenant_id")
    commands.add_parser("refresh-report-facts").add_argument("tenant_id")
    revoke = commands.add_parser("revoke-key")
    revoke.add_argument("tenant_id")
    revoke.add_argument("key_id")
    return parser


def _run(args: argparse.Namespace) -> Any:
    from chalicelib.clock import utcnow
    from chalicelib.services import admin

    now = utcnow()
    if args.command == "create-tenant":
        return admin.create_tenant(args.tenant_id, args.name, now=now)
    if args.command == "show-tenant":
        return admin.get_tenant(args.tenant_id)
    if args.command in ("suspend", "resume"):
        return admin.set_suspended(args.tenant_id, suspended=args.command == "suspend", now=now)
    if args.command == "offboard":  # to the end: a shell has no request's time limit
        from chalicelib.services.offboarding import offboard

        return offboard(args.tenant_id, principal="cli", now=now, budget_seconds=None)
    if args.command == "refresh-report-facts":
        from chalicelib.services.reports import refresh_facts

        return {"claimsSaved": refresh_facts(args.tenant_id)}
    if args.command == "list-keys":
        return {"keys": admin.list_keys(args.tenant_id)}
    if args.command == "issue-key":
        api_key, key = admin.issue_key(
            args.tenant_id,
            roles=tuple(args.role),
            name=args.name,
            expires_at=args.expires,
            now=now,
            requests_per_minute=args.requests_per_minute,
        )
        return {"apiKey": api_key, **asdict(key)}
    if args.command == "rotate-key":
        api_key, new, old = admin.rotate_key(
            args.tenant_id, args.key_id, grace=timedelta(hours=args.grace_hours), now=now
        )
        return {"apiKey": api_key, "new": new, "old": old}
    return admin.revoke_key(args.tenant_id, args.key_id, now=now)


def _plain(value: Any) -> Any:
    if hasattr(value, "__dataclass_fields__"):
        return _plain(asdict(value))
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, datetime):
        return value.isoformat()
    return value


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.stage:
        os.environ["CLAIMGATE_TABLE"] = f"claimgate-{args.stage}"
    from chalicelib.services.errors import RefusedError

    try:
        answer = _run(args)
    except RefusedError as error:
        json.dump({"code": error.code, "message": error.reason}, sys.stderr)
        sys.stderr.write("\n")
        return 2
    json.dump(_plain(answer), sys.stdout, indent=2)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
