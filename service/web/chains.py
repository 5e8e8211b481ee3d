"""The chains a visitor can switch between, and which one a request is looking at."""

from __future__ import annotations

from functools import cache

from fastapi import HTTPException, Request

from chainmap.taxonomy import Chain, available_chains, load_named_chain


@cache
def chain_named(code: str) -> Chain:
    """A shipped chain by code; 404 with the available codes otherwise."""
    if code not in available_chains():
        raise HTTPException(status_code=404, detail=f"未找到产业链“{code}”，可用：{'、'.join(available_chains())}")
    return load_named_chain(code)


@cache
def all_chains() -> tuple[Chain, ...]:
    return tuple(map(chain_named, available_chains()))


def viewed_chain(request: Request) -> Chain:
    """The chain of a /chains/{code} page or of ``?chain=``, else the application's chain."""
    code = request.path_params.get("code") or request.query_params.get("chain")
    return chain_named(code) if code in available_chains() else request.app.state.chain
