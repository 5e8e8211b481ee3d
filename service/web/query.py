"""An empty query parameter is an absent one: ``?max_km=&budget_yuan=`` asks the same as ``?``.

Browsers send every field of a GET form, filled or not; without this an empty optional number
would be refused as "not a number". Required parameters left empty are still reported as missing.
"""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode

from starlette.types import ASGIApp, Receive, Scope, Send


def without_blanks(query: bytes) -> bytes:
    """The query string without its blank parameters; unchanged, byte for byte, when it has none."""
    pairs = parse_qsl(query.decode("latin-1"), keep_blank_values=True)
    kept = [(key, value) for key, value in pairs if value.strip()]
    return query if len(kept) == len(pairs) else urlencode(kept).encode("ascii")


class BlankQueryParams:
    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope.get("query_string"):
            scope = {**scope, "query_string": without_blanks(scope["query_string"])}
        await self.app(scope, receive, send)
