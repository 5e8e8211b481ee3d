"""The printable briefing: read back with poppler (pdftotext, pdftoppm) as a reader would see it."""

import subprocess

import numpy as np
import pytest
from fastapi.testclient import TestClient
from PIL import Image
from sqlmodel import Session
from typer.testing import CliRunner

from chainmap.diagram import FILL
from chainmap.panorama import Grade
from chainmap.panorama_map import PALETTE
from service.api import create_app
from service.auth.permissions import Role
from service.cli import app as cli
from service.panorama import panorama_from_db
from service.settings import Settings


@pytest.fixture(scope="module")
def app(demo_database):
    return create_app(Settings(database_url=demo_database()))


@pytest.fixture(scope="module")
def pdf(app, tmp_path_factory, sign_in):
    client = TestClient(app)
    sign_in(client, Role.OFFICER, town="方松街道")
    response = client.get("/api/chains/smart_terminal/brief.pdf")
    assert response.status_code == 200 and response.headers["content-type"] == "application/pdf"
    assert "attachment" in response.headers["content-disposition"]
    path = tmp_path_factory.mktemp("brief") / "brief.pdf"
    path.write_bytes(response.content)
    return path


def _pages_text(path) -> list[str]:
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return text.split("\f")[:-1]


def _page_image(path, page: int) -> np.ndarray:
    prefix = path.with_name(f"page{page}")
    subprocess.run(
        ["pdftoppm", "-r", "100", "-png", "-singlefile", "-f", str(page), "-l", str(page), str(path), prefix],
        check=True,
    )
    return np.asarray(Image.open(f"{prefix}.png").convert("RGB"))


def _pixels_of(image: np.ndarray, colour: str) -> int:
    rgb = np.array([int(colour[i : i + 2], 16) for i in (1, 3, 5)])
    return int((np.abs(image.astype(int) - rgb).sum(axis=2) < 30).sum())


def test_the_gap_table_names_the_gaps_and_their_candidates(app, pdf):
    with Session(app.state.engine) as session:
        panorama = panorama_from_db(session=session, chain=app.state.chain)
    pages = _pages_text(pdf)
    gap_page = next(i for i, text in enumerate(pages) if "三、缺口与招商目标" in text)
    table = "".join("".join(p.split()) for p in pages[gap_page : gap_page + 3])  # the table may run over pages
    assert all(heading in table for heading in ("缺口环节", "需求指数", "主要需求方", "招商方向", "招商候选企业"))
    assert panorama.gaps
    for gap in panorama.gaps:
        assert gap.name in table
        assert all(c.name in table for c in gap.candidates[:4])


def test_cover_page_numbers_sections_and_demo_note(pdf):
    pages = _pages_text(pdf)
    assert "智能终端产业链简报" in pages[0] and "松江区" in pages[0] and "含示例数据" in pages[0]
    assert all(f"第{n}页/共{len(pages)}页" in "".join(text.split()) for n, text in enumerate(pages, start=1))
    whole = "".join(pages)
    for section in ("一、产业链图谱", "二、强弱环节", "四、园区主导方向聚焦度", "五、企业分布图", "六、数据来源与说明"):
        assert section in whole
    assert "G60信创产业园" in whole and "编制日期" in whole
    size = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert "595.276 x 841.89 pts (A4)" in size


def test_the_diagram_and_map_pages_are_drawn(pdf):
    pages = _pages_text(pdf)
    diagram = _page_image(pdf, next(i for i, t in enumerate(pages, 1) if "一、产业链图谱" in t))
    assert diagram.shape[1] > diagram.shape[0]  # a landscape page
    for grade in (Grade.STRONG, Grade.WEAK):  # boxes filled by grade
        assert _pixels_of(diagram, FILL[grade]) > 2000, grade
    snapshot = _page_image(pdf, next(i for i, t in enumerate(pages, 1) if "五、企业分布图" in t))
    assert (snapshot.sum(axis=2) < 3 * 250).mean() > 0.15  # far from a blank page
    assert sum(_pixels_of(snapshot, colour) > 20 for colour in PALETTE[:8]) >= 6  # enterprise points by direction


def test_the_chain_page_offers_the_briefing_to_staff_only(app, sign_in):
    client = TestClient(app)
    public = client.get("/chains/smart_terminal").text
    assert "brief.pdf" not in public and "panorama.xlsx" not in public  # no links a visitor is refused
    assert client.get("/api/chains/smart_terminal/brief.pdf").status_code == 401
    sign_in(client, Role.ADMIN)
    staff = client.get("/chains/smart_terminal").text
    assert all(f'href="/api/chains/smart_terminal/{file}"' in staff for file in ("brief.pdf", "panorama.xlsx"))


def test_cli_writes_the_briefing_and_refuses_an_unknown_chain(app, tmp_path, monkeypatch):
    monkeypatch.setenv("CHAINMAP_DATABASE_URL", str(app.state.engine.url))
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    result = runner.invoke(cli, ["brief", "--out", "产业链简报.pdf"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "产业链简报.pdf").read_bytes().startswith(b"%PDF")
    refused = runner.invoke(cli, ["brief", "--out", "x.pdf", "--chain", "nope"])
    assert refused.exit_code == 2 and "未找到产业链“nope”" in refused.output and not (tmp_path / "x.pdf").exists()
    monkeypatch.setenv("CHAINMAP_DATABASE_URL", f"sqlite:///{tmp_path / 'never-initialised.db'}")
    blank = runner.invoke(cli, ["brief", "--out", "x.pdf"])
    assert blank.exit_code == 2 and "chainmap init" in blank.output and not (tmp_path / "x.pdf").exists()
