"""Build a stage's deployable template offline: no AWS credentials, no AWS calls.

    python -m infra.plan STAGE        (make deploy-plan STAGE=dev)

1. infra/template.py writes the stage's resources, roles and alarms (build/STAGE/resources.json);
2. `chalice package --merge-template` writes the app's functions, API and schedules and merges
   them (build/STAGE/sam.json, with deployment.zip beside it);
3. cfn-lint checks the result: any error fails the plan.

`make deploy STAGE=...` (infra/deploy.sh) uploads and deploys exactly this template.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
# cfn-lint rules left out, each for a reason:
#   W3005: DependsOn on the log group is deliberate (SAM also references the role).
IGNORED_CHECKS = ("W3005",)


def build_dir(stage: str) -> Path:
    return ROOT / "build" / stage


def offline_environment() -> dict[str, str]:
    """The environment for the tools: a region (the template is region-neutral: every ARN is
    written with pseudo parameters) and no credentials at all, so nothing can reach AWS."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("AWS_", "CLAIMGATE_")) and k != "POWERTOOLS_SERVICE_NAME"
    }
    env["AWS_DEFAULT_REGION"] = "us-east-1"
    env["AWS_CONFIG_FILE"] = os.devnull
    env["AWS_SHARED_CREDENTIALS_FILE"] = os.devnull
    return env


def plan(stage: str) -> Path:
    from .template import build_template

    out = build_dir(stage)
    out.mkdir(parents=True, exist_ok=True)
    resources = out / "resources.json"
    resources.write_text(json.dumps(build_template(stage), indent=2, sort_keys=True) + "\n")
    env = offline_environment()
    subprocess.run(  # noqa: S603 - our own tools from this virtual environment
        [
            str(BIN / "chalice"),
            "package",
            "--stage",
            stage,
            "--merge-template",
            str(resources),
            str(out),
        ],
        cwd=ROOT,
        env=env,
        check=True,
    )
    template = out / "sam.json"
    lint(template)
    return template


def lint(template: Path) -> None:
    command = [str(BIN / "cfn-lint"), "--ignore-checks", *IGNORED_CHECKS, "--", str(template)]
    result = subprocess.run(  # noqa: S603 - our own tools from this virtual environment
        command, check=False, env=offline_environment(), capture_output=True, text=True
    )
    if result.returncode != 0:
        raise SystemExit(f"cfn-lint found problems in {template}:\n{result.stdout}{result.stderr}")


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python -m infra.plan STAGE", file=sys.stderr)  # noqa: T201
        return 2
    try:
        template = plan(argv[0])
    except ValueError as error:
        print(error, file=sys.stderr)  # noqa: T201
        return 2
    print(f"{template} is ready and passes cfn-lint")  # noqa: T201
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
