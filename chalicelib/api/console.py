"""The operators' and billers' page: `GET /console` (and `/`, which sends there) serves a
plain HTML page and its script and style from chalicelib/console, no build step. The page
holds no data: it asks the JSON routes with the key entered in it, so it is public, and its
Content-Security-Policy lets it load nothing but itself."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from chalice.app import Blueprint, Response

console = Blueprint(__name__)

FILES = Path(__file__).resolve().parent.parent / "console"
ASSETS = {"console.js": "text/javascript", "console.css": "text/css"}
HEADERS: dict[str, str | list[str]] = {
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; form-action 'none'; frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


@cache
def _read(name: str) -> str:
    return (FILES / name).read_text(encoding="utf-8")


@console.route("/", methods=["GET"])
def root() -> Response:
    return Response(body="", status_code=302, headers={"Location": "console"})


@console.route("/console", methods=["GET"])
def page() -> Response:
    headers: dict[str, str | list[str]] = {**HEADERS, "Content-Type": "text/html; charset=utf-8"}
    return Response(body=_read("index.html"), status_code=200, headers=headers)


@console.route("/console/{asset}", methods=["GET"])
def asset(asset: str) -> Response:
    kind = ASSETS.get(asset)
    if kind is None:
        return Response(
            body='{"message": "no such file", "errors": [{"field": "asset", "code": "not_found", '
            '"message": "no such file"}]}',
            status_code=404,
            headers={"Content-Type": "application/json"},
        )
    headers: dict[str, str | list[str]] = {**HEADERS, "Content-Type": f"{kind}; charset=utf-8"}
    return Response(body=_read(asset), status_code=200, headers=headers)
