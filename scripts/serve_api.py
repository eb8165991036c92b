"""The local API server `make run` starts: Chalice's own local server (what `chalice local`
runs), with one difference. For a path no route matches, Chalice's local gateway answers like
API Gateway's default, 403 `{"message": "Missing Authentication Token"}`; a deployed stage
answers 404 in the API's error shape instead (a gateway response in infra/), and so does this.

    python -m scripts.serve_api --port 8000
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path
from typing import Any

from chalice.app import Chalice
from chalice.config import Config
from chalice.local import ChaliceRequestHandler, LocalDevServer, LocalGateway, RouteMatcher

ROOT = Path(__file__).resolve().parent.parent
NOT_FOUND_MESSAGE = "no such route: see GET /v1/openapi.json"


def not_found_body() -> str:
    """The API's error shape (chalicelib.api.http.error_response) for an unknown route."""
    error = {"field": None, "code": "not_found", "message": NOT_FOUND_MESSAGE, "severity": "error"}
    return json.dumps({"message": NOT_FOUND_MESSAGE, "errors": [error]})


class RoutingGateway(LocalGateway):
    """Chalice's local gateway, answering 404 in the API's shape for unknown paths."""

    def __init__(self, app_object: Chalice, config: Config) -> None:
        super().__init__(app_object, config)
        self._routes = RouteMatcher(list(app_object.routes))

    def handle_request(
        self, method: str, path: str, headers: dict[str, Any], body: bytes | None
    ) -> dict[str, Any]:
        try:
            self._routes.match_route(path)
        except ValueError:
            return {
                "statusCode": 404,
                "headers": {"Content-Type": "application/json"},
                "multiValueHeaders": {},
                "body": not_found_body(),
            }
        response: dict[str, Any] = super().handle_request(method, path, headers, body)
        return response


class _Handler(ChaliceRequestHandler):
    def __init__(self, *args: Any, app_object: Chalice, config: Config, **kwargs: Any) -> None:
        self.local_gateway = RoutingGateway(app_object, config)
        super(ChaliceRequestHandler, self).__init__(*args, **kwargs)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    args = parser.parse_args()
    from chalice.cli.factory import CLIFactory

    # As `chalice local` does: the app's log lines on stdout, as Lambda would print them.
    logging.basicConfig(stream=sys.stdout, level=logging.INFO, format="%(message)s")
    config = CLIFactory(project_dir=str(ROOT)).create_config_obj(chalice_stage_name="dev")
    server = LocalDevServer(config.chalice_app, config, args.host, args.port, handler_cls=_Handler)
    server.server.serve_forever()
    return 0


if __name__ == "__main__":
    sys.exit(main())
