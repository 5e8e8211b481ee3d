"""Signing in test clients: an account of a role is created in the app's database, then signs in by the form."""

from __future__ import annotations

import uuid
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from service.auth import accounts
from service.auth.permissions import Role


def create_account(client: TestClient, role: Role, **binding) -> tuple[str, str]:
    username, password = f"{role.value}-{uuid.uuid4().hex[:8]}", f"口令-{uuid.uuid4().hex}"
    with Session(client.app.state.engine) as session:  # type: ignore[attr-defined]
        accounts.add_account(session=session, username=username, password=password, role=role, **binding)
        session.commit()
    return username, password


def sign_in_as(client: TestClient, username: str, password: str) -> None:
    """Sign in through the login form; later writes carry the session's CSRF token."""
    client.cookies.clear()
    client.headers.pop("X-CSRF-Token", None)
    form = {"username": username, "password": password, "csrf_token": client.get("/api/me").json()["csrf_token"]}
    response = client.post("/login", data=form, follow_redirects=False)
    assert response.status_code == 303, response.text
    client.headers["X-CSRF-Token"] = client.get("/api/me").json()["csrf_token"]


@pytest.fixture(scope="session")
def sign_in() -> Callable[..., str]:
    """``sign_in(client, role=Role.ADMIN, town=..., park=..., uscc=...)`` -> the new account's username."""

    def sign_in(client: TestClient, role: Role = Role.ADMIN, **binding) -> str:
        username, password = create_account(client, role, **binding)
        sign_in_as(client, username, password)
        return username

    return sign_in
