"""schemathesis over the whole OpenAPI, signed in as each role: no server error, and every answer is one the
schema documents (status code, content type, body)."""

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)
from sqlmodel import Session

from service.api import create_app
from service.auth import accounts
from service.auth.permissions import Role
from service.settings import Settings

from .conftest import create_account

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@pytest.fixture(scope="module")
def app(demo_database):
    return create_app(Settings(database_url=demo_database()))


@pytest.fixture(scope="module")
def tokens(app) -> dict[Role, str]:
    """A bearer token per signed-in role (tokens need no CSRF header)."""
    client = TestClient(app)
    made = {}
    for role, binding in ((Role.ADMIN, {}), (Role.OFFICER, {"town": "九亭镇"}), (Role.ENTERPRISE, None)):
        if binding is None:
            binding = {"uscc": client.get("/api/enterprises", params={"limit": 1}).json()["data"][0]["uscc"]}
        username, _ = create_account(client, role, **binding)
        with Session(app.state.engine) as session:
            _, made[role] = accounts.issue_token(
                session=session, account=accounts.find(session=session, username=username)
            )
            session.commit()
    return made


FUZZ = settings(
    max_examples=6, deadline=None, phases=[Phase.generate], suppress_health_check=list(HealthCheck), database=None
)


def test_no_server_errors_and_only_documented_answers(app, tokens):
    """Every operation, a few generated requests each, sent as each role and anonymously."""
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 20

    for operation in operations:

        @FUZZ
        @given(case=operation.as_strategy())
        def run(case):
            for role in Role:
                headers = {"Authorization": f"Bearer {tokens[role]}"} if role in tokens else {}
                case.call_and_validate(headers=headers, checks=CHECKS)

        run()
