"""The local API server `make run` starts: Chalice's own local server (what `chalice local`
runs), answering in the API's error shape what it would answer otherwise. For a path no route
matches, Chalice's local gateway answers like API Gateway's default, 403 `{"message": "Missing
Authentication Token"}`; a deployed stage answers 404 in the API's error shape instead
(infra/gateway_responses.py), and so does this. What the HTTP server itself refuses (a method
it has no handler for, a malformed request, a Content-Length that is no number, a body over
API Gateway's 10 MB) is answered in the shape too, instead of an HTML page or a dropped
connection.

    python -m scripts.serve_api --port 8000
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path
from typing import Any

from chalice.app import Chalice
from chalice.config import Config
from chalice.local import ChaliceRequestHandler, LocalDevServer, LocalGateway, RouteMatcher

from infra.gateway_responses import error_body, not_found_body

ROOT = Path(__file__).resolve().parent.parent
MAX_BODY_BYTES = 10 * 1024 * 1024  # API Gateway's payload limit
# http.server's own refusals, as the API's codes (a method it has no handler for is 405).
_SERVER_ERRORS = {
    400: ("bad_request", "the request is not valid HTTP"),
    405: ("method_not_allowed", "this route does not take this method"),
    408: ("timeout", "the request was not sent in time"),
    413: ("too_large", f"the request body is larger than {MAX_BODY_BYTES} bytes"),
    414: ("too_long", "the request line is too long"),
    431: ("too_large", "the request headers are too large"),
}


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

    def parse_request(self) -> bool:
        """The request line and headers, and the body's length as API Gateway checks it
        before a request reaches the app (Chalice's handler reads whatever Content-Length
        says, and drops the connection on one that is not a number)."""
        if not super().parse_request():
            return False
        length = self.headers.get("content-length", "0").strip()
        if not (length.isascii() and length.isdigit()):
            self.send_error(400)
            return False
        if int(length) > MAX_BODY_BYTES:
            self.send_error(413)  # its body is never read: the connection is closed
            return False
        return True

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """http.server's error page, in the API's error shape (501, a method with no
        handler, answers 405 like a method a route does not take)."""
        code = 405 if code == 501 else code
        our_code, text = _SERVER_ERRORS.get(code, ("bad_request", "the request was refused"))
        body = error_body(our_code, text).encode()
        self.log_error("code %d, message %s", code, message or text)
        self.send_response(code)
        self.send_header("Connection", "close")
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    args = parser.parse_args()
    from chalice.cli.factory import CLIFactory

    # As `chalice local` does: the app's log lines on stdout, as Lambda would print them.
    logging.basicConfig(stream=sys.stdout, level=logging.INFO, format="%(message)s")
    config = CLIFactory(project_dir=str(ROOT)).create_config_obj(chalice_stage_name="dev")
    try:
        server = LocalDevServer(
            config.chalice_app, config, args.host, args.port, handler_cls=_Handler
        )
    except OSError as error:  # taken since `make run` looked: one line, no traceback
        print(f"port {args.port} on {args.host}: {error.strerror}", file=sys.stderr)
        return 1
    server.server.serve_forever()
    return 0


if __name__ == "__main__":
    sys.exit(main())
