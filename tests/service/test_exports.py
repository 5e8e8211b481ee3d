"""Every Excel export neutralises text a spreadsheet would run as a formula."""

import io

import openpyxl
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlmodel import Session

from service.api import create_app
from service.excel import FORMULA_STARTS
from service.settings import Settings

HOSTILE = ('=HYPERLINK("http://evil.example","点我")', "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)", "\t=1", "\r=1")


@pytest.fixture(scope="module")
def client(demo_database, sign_in):
    """The demo database with every enterprise renamed to a formula."""
    app = create_app(Settings(database_url=demo_database()))
    with Session(app.state.engine) as session:
        for index, name in enumerate(HOSTILE):
            session.exec(
                text("UPDATE enterprise SET name = :name WHERE id % :n = :i"),
                params={"name": name, "n": len(HOSTILE), "i": index},
            )
        session.commit()
    client = TestClient(app)
    sign_in(client)
    return client


@pytest.mark.parametrize(
    "path",
    [
        "/api/chains/smart_terminal/panorama.xlsx",
        "/api/rewards/ledger.xlsx",
        "/api/audit.xlsx",
        "/api/enterprises.xlsx",
    ],
)
def test_no_exported_cell_is_a_formula(client, path):
    client.put("/api/enterprises/x/segments", json={"segments": []})  # an audit row naming an unknown firm
    response = client.get(path)
    assert response.status_code == 200
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    cells = [cell for sheet in workbook for row in sheet.iter_rows() for cell in row if cell.value is not None]
    assert cells and all(cell.data_type != "f" for cell in cells)
    texts = [cell.value for cell in cells if isinstance(cell.value, str)]
    assert not [t for t in texts if t.startswith(FORMULA_STARTS)]
    if "ledger" in path:
        assert "'" + HOSTILE[0] in texts  # shown to the reader as the text it was
