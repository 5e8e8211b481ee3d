"""The import pipeline: enterprises and contracts, every error of every row, the three modes, --update with a diff."""

import random
import threading
import time
import uuid
from datetime import date
from operator import itemgetter
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import event
from sqlmodel import func, select
from typer.testing import CliRunner

from chainmap.records import EnterpriseRecord
from chainmap.uscc import generate
from service import models as m
from service import repository
from service.classification import set_manual_segments
from service.cli import app
from service.imports import ImportOptions, Kind, Mode, jobs, run_import
from service.imports.jobs import ImportJobs
from service.imports.report import summary

CHAIN = "smart_terminal"
runner = CliRunner()
CODES = [generate(random.Random(n)) for n in range(100, 112)]


def _csv(tmp_path: Path, text: str, name: str = "in.csv", encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def _import(session, kind, path, **options):
    return run_import(session=session, kind=kind, path=path, options=ImportOptions(chain_code=CHAIN, **options))


def _count(session, table) -> int:
    return session.exec(select(func.count()).select_from(table)).one()


@pytest.fixture
def database(tmp_path, monkeypatch):
    monkeypatch.setenv("CHAINMAP_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    return tmp_path


def test_a_gbk_file_with_other_header_names_is_imported_placed_and_classified(database):
    text = (
        "信用代码,单位名称,经纬度,主营产品,营业收入（万元）\n"
        f'{CODES[0]},上海示例测控仪器有限公司,"121.2235, 31.0329",智能电表、在线分析仪,"1,250.5"\n'
        f"{CODES[1]},NA,,MCU芯片,\n"
    )
    result = runner.invoke(app, ["import", "enterprises", str(_csv(database, text, encoding="gbk"))])
    assert result.exit_code == 0, result.output
    assert (
        "已导入 2 家企业" in result.output and "按坐标定位 1 家" in result.output and "自动分类 2 家" in result.output
    )
    from sqlmodel import Session

    from service.db import make_engine
    from service.settings import Settings

    with Session(make_engine(Settings())) as session:
        stored = {e.uscc: e for e in session.exec(select(m.Enterprise))}
        links = session.exec(select(func.count()).select_from(m.EnterpriseSegment)).one()
    assert stored[CODES[0]].revenue_yuan == 12_505_000 and stored[CODES[0]].placement == "coordinates"
    assert stored[CODES[1]].name == "NA" and links >= 2


def test_every_error_of_every_row_is_reported_with_row_and_column(session, tmp_path):
    text = (
        "统一社会信用代码,企业名称,标签,环节代码,营业收入,经度,纬度,行业代码\n"
        "91310117XXXXXXXXXX,,独角兽,ST.NOPE,1e7,121.55,,12\n"
        f"{CODES[2]},好企业,专精特新,ST.CHIP.MCU,3200000,,,3973\n"
    )
    result = _import(session, Kind.ENTERPRISES, _csv(tmp_path, text))
    first = {p.column for p in result.problems if p.row == 2}
    assert first == {"uscc", "name", "labels", "segments", "revenue_yuan", "lat", "industry_code"}
    assert result.bad_rows == [2] and result.stored == 0 and _count(session, m.Enterprise) == 0
    assert any("科学计数法" in p.message for p in result.problems)


def test_labels_are_read_by_their_full_and_their_short_names(session, tmp_path):
    text = f'统一社会信用代码,企业名称,标签\n{CODES[2]},甲,规上、上市；小巨人\n{CODES[3]},乙,"规上企业,高新技术企业"\n'
    result = _import(session, Kind.ENTERPRISES, _csv(tmp_path, text))
    assert not result.problems and result.stored == 2
    first, second = (session.exec(select(m.Enterprise).where(m.Enterprise.uscc == c)).one() for c in CODES[2:4])
    assert first.is_above_scale and first.is_listed and first.is_little_giant and not first.is_high_tech
    assert second.is_above_scale and second.is_high_tech and not second.is_listed


def test_skip_bad_stores_the_good_rows_in_one_go(session, tmp_path):
    text = f"统一社会信用代码,企业名称\n{CODES[3]},甲\n坏代码,乙\n{CODES[3]},重复\n{CODES[4]},None\n"
    result = _import(session, Kind.ENTERPRISES, _csv(tmp_path, text), mode=Mode.SKIP_BAD)
    assert [(p.row, p.column) for p in result.problems] == [(3, "uscc"), (4, "uscc")]
    assert "与第2行的统一社会信用代码重复" in result.problems[1].message
    assert result.stored == 2 and sorted(session.exec(select(m.Enterprise.name)).all()) == ["None", "甲"]
    assert summary(result).endswith("跳过有错误的 2 行")


def test_dry_run_stores_nothing_and_writes_the_bad_rows_report(database):
    text = f"统一社会信用代码,企业名称,营业收入\n{CODES[5]},甲,100\n{CODES[6]},乙,1e7\n"
    report = database / "bad.xlsx"
    result = runner.invoke(
        app, ["import", "enterprises", "--dry-run", "--report", str(report), str(_csv(database, text))]
    )
    assert result.exit_code == 1 and "试运行：共 2 行数据，1 行无误，1 行有错误" in result.output, result.output
    sheet = openpyxl.load_workbook(report)["错误行"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("行号", "统一社会信用代码", "企业名称", "营业收入", "错误")
    assert rows[1][:4] == (3, CODES[6], "乙", "1e7") and "营业收入：“1e7”是科学计数法" in rows[1][4]
    again = runner.invoke(app, ["import", "enterprises", str(_csv(database, text.replace("1e7", "")))])
    assert "已导入 2 家企业" in again.output  # the dry run stored nothing


def test_update_shows_each_change_then_applies_it_and_keeps_manual_segments(database):
    first = f"统一社会信用代码,企业名称,地址,营业收入,环节代码\n{CODES[7]},甲,松江区泗泾镇,3000000,ST.CHIP.MCU\n"
    assert runner.invoke(app, ["import", "enterprises", str(_csv(database, first))]).exit_code == 0
    changed = f"统一社会信用代码,企业名称,地址,营业收入（万元）,环节代码\n{CODES[7]},甲,松江区洞泾镇,320,ST.DISP\n"
    path = _csv(database, changed, "changed.csv", "gbk")
    refused = runner.invoke(app, ["import", "enterprises", str(path)])
    assert refused.exit_code == 1 and "已在数据库中（甲）" in refused.output and "--update" in refused.output
    assert "请勾选“更新已有企业”" in refused.output  # the web page's checkbox, named for the web
    from sqlmodel import Session

    from service.db import make_engine
    from service.settings import Settings

    with Session(make_engine(Settings())) as session:
        set_manual_segments(session=session, uscc=CODES[7], chain_code=CHAIN, codes=["ST.SENS"])
        session.commit()
    updated = runner.invoke(app, ["import", "enterprises", "--update", str(path)])
    assert updated.exit_code == 0, updated.output
    assert f"更新：第2行 甲（{CODES[7]}）地址：“松江区泗泾镇” → “松江区洞泾镇”" in updated.output
    assert "营业收入（元）：“3,000,000” → “3,200,000”" in updated.output
    assert "更新 1 家" in updated.output and "1 家的人工指定环节保留未改" in updated.output
    with Session(make_engine(Settings())) as session:
        firm = repository.get_enterprise(session=session, uscc=CODES[7])
        codes = session.exec(
            select(m.Segment.code).join(m.EnterpriseSegment).where(m.EnterpriseSegment.enterprise_id == firm.id)
        ).all()
    assert firm.address == "松江区洞泾镇" and firm.revenue_yuan == 3_200_000 and codes == ["ST.SENS"]


def test_an_update_row_with_a_blank_name_keeps_the_stored_name(database):
    first = f"统一社会信用代码,企业名称,主营产品\n{CODES[8]},乙,旧产品\n"
    assert runner.invoke(app, ["import", "enterprises", str(_csv(database, first))]).exit_code == 0
    blank = f"统一社会信用代码,企业名称,主营产品\n{CODES[8]},,新产品\n{CODES[9]},,新企业的产品\n"
    updated = runner.invoke(app, ["import", "enterprises", "--update", "--skip-bad", str(_csv(database, blank))])
    assert updated.exit_code == 0, updated.output
    assert "主营产品：“旧产品” → “新产品”" in updated.output and "企业名称：“乙”" not in updated.output
    assert "第3行" in updated.output and "企业名称不能为空" in updated.output  # a new enterprise needs its name
    from sqlmodel import Session

    from service.db import make_engine
    from service.settings import Settings

    with Session(make_engine(Settings())) as session:
        firm = repository.get_enterprise(session=session, uscc=CODES[8])
        assert (firm.name, firm.products) == ("乙", "新产品")
        assert repository.get_enterprise(session=session, uscc=CODES[9]) is None


@pytest.fixture
def firms(session):
    names = [
        "上海松江精密传感器有限公司",
        "上海松江精密传感器有限公司",
        "上海甲乙智能终端有限公司",
        "上海丙丁芯片有限公司",
    ]
    records = [EnterpriseRecord(uscc=code, name=name) for code, name in zip(CODES[8:12], names, strict=True)]
    repository.add_enterprises(session=session, records=records, chain_code=CHAIN)
    return dict(zip(CODES[8:12], names, strict=True))


def test_contracts_name_parties_by_code_or_exact_name_and_list_candidates_otherwise(session, tmp_path, firms):
    """Row 3's buyer has a stray space (near-exact: accepted); row 5's drops 有限 (only similar: refused)."""
    text = (
        "甲方,乙方,金额（万元）,签订日期\n"
        f"{CODES[10]},上海丙丁芯片有限公司,320,2025/07/01\n"
        '上海甲乙智能终端 有限公司,上海丙丁芯片有限公司,"1,000",2025年7月1日\n'
        "上海甲乙智能终端有限公司,上海松江精密传感器有限公司,10,45839\n"
        "上海甲乙智能终端公司,上海丙丁芯片有限公司,10,2025-07-01\n"
        "上海甲乙智能终端有限公司,无名企业,1e7,2025-13-01\n"
    )
    result = _import(session, Kind.CONTRACTS, _csv(tmp_path, text), mode=Mode.SKIP_BAD)
    problems = {(p.row, p.column): p.message for p in result.problems}
    assert set(problems) == {(4, "seller"), (5, "buyer"), (6, "seller"), (6, "contracted_yuan"), (6, "signed_on")}
    assert (
        f"对应多家企业：上海松江精密传感器有限公司（{CODES[8]}）、上海松江精密传感器有限公司（{CODES[9]}）"
        in problems[(4, "seller")]
    )
    assert f"相近的有：上海甲乙智能终端有限公司（{CODES[10]}）" in problems[(5, "buyer")]
    assert "未登记的企业“无名企业”" in problems[(6, "seller")]
    stored = session.exec(select(m.Contract).order_by(m.Contract.id)).all()
    assert [(c.contracted_yuan, c.performed_yuan, c.signed_on, c.year) for c in stored] == [
        (3_200_000, 3_200_000, date(2025, 7, 1), 2025),
        (10_000_000, 10_000_000, date(2025, 7, 1), 2025),
    ]
    from service.rewards import contracts_from_db

    assert [(c.buyer, c.seller, c.performed_yuan) for c in contracts_from_db(session=session)] == [
        (CODES[10], CODES[11], 3_200_000),
        (CODES[10], CODES[11], 10_000_000),
    ]  # what the reward budget and the matcher's history read
    again = _import(session, Kind.CONTRACTS, _csv(tmp_path, text), mode=Mode.SKIP_BAD)
    assert again.stored == 0 and "已在数据库中" in {p.row: p.message for p in again.problems}[2]


def test_contract_files_without_rows_or_amounts_are_refused_in_one_line(database):
    for text, message in (
        ("甲方,乙方,金额,签订日期\n", "文件没有数据行"),
        ("甲方,乙方,签订日期\nA,B,2025-07-01\n", "缺少金额列"),
    ):
        result = runner.invoke(app, ["import", "contracts", str(_csv(database, text))])
        assert result.exit_code == 2 and message in result.output and len(result.output.strip().splitlines()) == 1


@pytest.fixture
def web(demo_database):
    from fastapi.testclient import TestClient

    from service.api import create_app
    from service.settings import Settings

    return TestClient(create_app(Settings(database_url=demo_database())))


def _until(read, condition):
    for _ in range(300):  # the job runs in a thread; the page polls the same status
        if condition(seen := read()):
            return seen
        time.sleep(0.1)
    raise AssertionError("import job did not get there")


def _finished(client, location: str) -> str:
    _until(lambda: client.get(f"{location}/status").json(), itemgetter("finished"))
    return client.get(location).text


def test_officers_import_on_the_web_page_and_others_may_not(web, sign_in):
    from service.auth.permissions import Role

    assert web.get("/import", follow_redirects=False).headers["location"].startswith("/login")
    sign_in(web, Role.ENTERPRISE, uscc=web.get("/api/enterprises?limit=1").json()["data"][0]["uscc"])
    assert web.get("/import").status_code == 403
    sign_in(web, Role.OFFICER, town="泗泾镇")
    page = web.get("/import")
    assert page.status_code == 200 and "数据导入" in page.text and 'name="csrf_token"' in page.text
    text = (
        "统一社会信用代码,企业名称,地址,营业收入\n"
        f"{CODES[0]},网页导入企业,上海市松江区泗泾镇民益路1号,100\n"
        f"{CODES[1]},<b>坏</b>,上海市松江区泗泾镇民益路2号,1e7\n"
    )
    files = {"file": ("企业.csv", text.encode("gbk"), "text/csv")}
    form = {"kind": "enterprises", "mode": "skip-bad", "csrf_token": web.headers["X-CSRF-Token"]}
    started = web.post("/import", data=form, files=files, follow_redirects=False)
    assert started.status_code == 303, started.text
    html = _finished(web, started.headers["location"])
    assert "已导入 1 家企业" in html and "第3行" in html and "“1e7”是科学计数法" in html and "<b>坏</b>" not in html
    report = web.get(started.headers["location"] + "/report.xlsx")
    assert report.status_code == 200 and report.content.startswith(b"PK")
    assert web.get("/api/enterprises?q=网页导入企业").json()["count"] == 1
    sign_in(web, Role.OFFICER, town="泗泾镇")  # another officer does not see the job
    assert web.get(started.headers["location"]).status_code == 404


def test_an_officer_imports_only_the_enterprises_of_its_town_and_their_contracts(web, sign_in):
    from service.auth.permissions import Role

    firms = web.get("/api/enterprises?limit=500").json()["data"]
    own = [f for f in firms if f["town"] == "泗泾镇"]
    other = [f for f in firms if f["town"] not in (None, "泗泾镇")]
    sign_in(web, Role.OFFICER, town="泗泾镇")
    form = {"mode": "skip-bad", "update": "true", "csrf_token": web.headers["X-CSRF-Token"]}

    def imported(kind: str, text: str) -> str:
        files = {"file": ("in.csv", text.encode("gbk"), "text/csv")}
        started = web.post("/import", data={**form, "kind": kind}, files=files, follow_redirects=False)
        return _finished(web, started.headers["location"])

    html = imported(
        "enterprises",
        "统一社会信用代码,企业名称,地址\n"
        f"{CODES[2]},镇内新企业,上海市松江区泗泾镇民益路3号\n"
        f"{CODES[3]},镇外新企业,上海市松江区九亭镇沪亭北路1号\n"
        f"{own[0]['uscc']},镇内企业改名,\n"
        f"{other[0]['uscc']},镇外企业改名,\n"
        f"{own[2]['uscc']},{own[2]['name']},上海市松江区九亭镇沪亭北路2号\n",
    )
    assert "第3行" in html and "该地址不在您负责的街镇/园区，无权导入此企业" in html
    assert "第5行" in html and f"“{other[0]['name']}”不在您负责的街镇/园区，无权导入或修改" in html
    assert "第6行" in html and f"新地址不在您负责的街镇/园区，不能把“{own[2]['name']}”迁出" in html
    assert web.get(f"/api/enterprises/{own[2]['uscc']}").json()["town"] == "泗泾镇"
    names = {f["uscc"]: f["name"] for f in web.get("/api/enterprises?limit=500").json()["data"]}
    assert names[own[0]["uscc"]] == "镇内企业改名" and names[other[0]["uscc"]] == other[0]["name"]
    assert CODES[2] in names and CODES[3] not in names

    html = imported(
        "contracts",
        "采购方,供应方,合同金额,签订日期\n"
        f"{own[1]['uscc']},{other[1]['uscc']},5000000,2025-07-01\n"
        f"{other[1]['uscc']},{other[2]['uscc']},5000000,2025-07-01\n",
    )
    assert (
        "已导入 1 份合同" in html
        and "第3行" in html
        and "采购方与供应方都不在您负责的街镇/园区，无权导入该合同" in html
    )


def test_a_park_officer_updates_the_enterprises_of_its_park_only(web, sign_in):
    from service.auth.permissions import Role

    firms = web.get("/api/enterprises?limit=500").json()["data"]
    park = next(f["park"] for f in firms if f["park"])
    inside = next(f for f in firms if f["park"] == park)
    outside = next(f for f in firms if f["park"] != park)
    sign_in(web, Role.OFFICER, park=park)
    text = f"统一社会信用代码,企业名称,主营产品\n{inside['uscc']},{inside['name']},园区内新品\n{outside['uscc']},x,外\n"
    files = {"file": ("in.csv", text.encode(), "text/csv")}
    form = {"kind": "enterprises", "mode": "skip-bad", "update": "true", "csrf_token": web.headers["X-CSRF-Token"]}
    html = _finished(web, web.post("/import", data=form, files=files, follow_redirects=False).headers["location"])
    assert "更新 1 家" in html and "第3行" in html and "无权导入或修改" in html
    assert web.get(f"/api/enterprises/{outside['uscc']}").json()["name"] == outside["name"]


def _start(started: ImportJobs, engine, text: str, mode: Mode = Mode.SKIP_BAD):
    options = ImportOptions(chain_code=CHAIN, mode=mode)
    return started.start(
        engine=engine, owner="officer", kind=Kind.ENTERPRISES, options=options, filename="企业.csv", data=text.encode()
    )


@pytest.fixture
def demo_engine(demo_database):
    from service.db import make_engine
    from service.settings import Settings

    return make_engine(Settings(database_url=demo_database()))


def test_a_job_started_in_one_process_is_followed_in_another_from_its_progress_to_its_report(demo_engine, tmp_path):
    gate = threading.Event()  # the database answers once it opens: the job waits after reading the file
    event.listen(demo_engine, "checkout", lambda *_: gate.wait(30))
    started, other = ImportJobs(tmp_path), ImportJobs(tmp_path)  # two server processes sharing the folder
    text = f"统一社会信用代码,企业名称,营业收入\n{CODES[8]},跨进程企业,100\n{CODES[9]},乙,1e7\n"
    job = _start(started, demo_engine, text)
    reading = _until(lambda: other.get(job.id), lambda seen: seen.done == 1)
    assert (reading.stage, reading.total, reading.finished) == ("读取", 1, False)
    assert (reading.owner, reading.kind, reading.filename, reading.options.mode) == (
        "officer",
        Kind.ENTERPRISES,
        "企业.csv",
        Mode.SKIP_BAD,
    )
    gate.set()
    done = _until(lambda: other.get(job.id), lambda seen: seen.finished)
    assert done.stages[:3] == ["读取", "校验", "写入"] and not done.error and done.outcome is not None
    assert done.outcome.summary.startswith("已导入 1 家企业") and done.outcome.problem_count == 1
    assert done.outcome.problems[0].row == 3 and "科学计数法" in done.outcome.problems[0].message
    report = other.report(done)
    assert report is not None and report.read_bytes().startswith(b"PK")
    assert other.get(f"../{tmp_path.name}/{job.id}") is None and other.get(uuid.uuid4().hex) is None


def test_only_the_last_finished_jobs_are_kept(demo_engine, tmp_path, monkeypatch):
    monkeypatch.setattr(jobs, "KEEP", 1)
    started, other = ImportJobs(tmp_path), ImportJobs(tmp_path)
    first, second = (_start(started, demo_engine, "统一社会信用代码,企业名称\n") for _ in range(2))
    for job in (first, second):
        failed = _until(lambda job=job: other.get(job.id), lambda seen: seen.finished)
        assert failed.error.startswith("企业.csv") and failed.outcome is None
    _start(other, demo_engine, "统一社会信用代码,企业名称\n")
    assert other.get(first.id) is None and not (tmp_path / first.id).exists() and other.get(second.id) is not None


def test_with_several_server_processes_any_of_them_answers_for_any_job(demo_database, sign_in, tmp_path):
    from fastapi.testclient import TestClient

    from service.api import create_app
    from service.auth.permissions import Role
    from service.settings import Settings

    settings = Settings(database_url=demo_database(), data_dir=tmp_path, secret_key="one key for every process")
    upload, other = TestClient(create_app(settings)), TestClient(create_app(settings))
    sign_in(upload, Role.OFFICER, town="泗泾镇")
    other.cookies = upload.cookies  # the browser sends its session to whichever process answers
    text = f"统一社会信用代码,企业名称,地址,营业收入\n{CODES[10]},另一进程企业,泗泾镇,100\n{CODES[11]},乙,泗泾镇,1e7\n"
    files = {"file": ("企业.csv", text.encode("gbk"), "text/csv")}
    form = {"kind": "enterprises", "mode": "skip-bad", "csrf_token": upload.headers["X-CSRF-Token"]}
    location = upload.post("/import", data=form, files=files, follow_redirects=False).headers["location"]
    html = _finished(other, location)
    assert "企业.csv（企业，跳过错误行）" in html and "已导入 1 家企业" in html and "错误（1 处）" in html
    report = other.get(f"{location}/report.xlsx")
    assert report.status_code == 200 and report.content.startswith(b"PK")
