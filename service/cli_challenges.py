"""`chainmap challenge ...`: 揭榜挂帅 from the command line, acting as 区经委 (the organiser); audited as 命令行."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from matching.challenges import IllegalTransition, Kind, Status
from service.cli_paths import fail, refused

if TYPE_CHECKING:  # database modules are imported by the commands (fast start-up)
    from sqlmodel import Session

challenge_app = typer.Typer(help="揭榜挂帅: publish needs, move them through their lifecycle, respond, shortlist")


@contextlib.contextmanager
def _session() -> Iterator[Session]:
    """A session whose refusals are one Chinese line on stderr and exit 2; the command commits."""
    from pydantic import ValidationError

    from service import challenge_files, challenges
    from service.cli import _session as session_for
    from service.cli import _settings
    from service.web.errors import field_errors

    user_errors = (IllegalTransition, challenges.ChallengeError, challenge_files.AttachmentRefused, LookupError)
    with session_for(_settings()) as session, refused(*user_errors):
        try:
            yield session
        except ValidationError as exc:
            fail("；".join(e["msg"] for e in field_errors(exc.errors())))  # type: ignore[arg-type]


def _operator():
    from service import audit
    from service.auth.permissions import Principal, Role

    return Principal(Role.ADMIN, username=audit.CLI)


def _chain():
    from chainmap.taxonomy import load_named_chain
    from service.settings import Settings

    return load_named_chain(Settings().chain)


def _found(session: Session, challenge_id: int):
    from service import challenges

    return challenges.get(session=session, who=_operator(), challenge_id=challenge_id)


@challenge_app.command("list")
def list_command(status: Status | None = typer.Option(None, help="Only challenges in this state")) -> None:
    """Every challenge: number, state, publisher, title."""
    from service import challenge_views, challenges

    with _session() as session:
        found = challenges.listing(session=session, who=_operator(), status=status)
        for c in found:
            shown = challenge_views.to_public(session, _operator(), c, _chain(), full=False)
            typer.echo(f"{c.id}\t{shown.status_label}\t{shown.publisher}\t{c.title}")
        if not found:
            typer.echo("暂无榜单")


@challenge_app.command("show")
def show(challenge_id: int, as_json: bool = typer.Option(False, "--json", help="Print JSON")) -> None:
    """One challenge: the need, its responses and its history."""
    from service import challenge_views

    with _session() as session:
        shown = challenge_views.to_public(session, _operator(), _found(session, challenge_id), _chain())
    if as_json:
        typer.echo(shown.model_dump_json(indent=2))
        return
    typer.echo(f"{shown.id} {shown.title}（{shown.kind_label}，{shown.status_label}）发榜方：{shown.publisher}")
    for r in shown.responses:
        typer.echo(f"  方案 {r['id']}：{r['responder']} 报价 {r['quoted_yuan']} 元（{r['status_label']}）")
    for h in shown.history:
        typer.echo(f"  {h['at']} {h['actor']}：{h['source'] or '—'} → {h['target']} {h['note']}")


@challenge_app.command("publish")
def publish(
    title: str = typer.Option(..., help="Title of the need"),
    kind: Kind = typer.Option(Kind.PROCUREMENT, help="technical / procurement / scenario"),
    uscc: str | None = typer.Option(None, help="Publishing enterprise's 统一社会信用代码"),
    department: str | None = typer.Option(None, help="Or the publishing department, e.g. 区教育局"),
    description: str = typer.Option("", help="The need in words"),
    segment: list[str] = typer.Option([], help="Required segment code; repeat for several"),
    quantity: int | None = typer.Option(None, help="Quantity"),
    budget_min: str | None = typer.Option(None, help="Budget lower end, 元 or e.g. 200万"),
    budget_max: str | None = typer.Option(None, help="Budget upper end, 元 or e.g. 500万"),
    deadline: str | None = typer.Option(None, help="Response deadline YYYY-MM-DD (inclusive)"),
    location: str = typer.Option("", help="Town, park or address"),
    contact: str = typer.Option("", help="Contact person and phone"),
    attach: list[Path] = typer.Option([], help="File to attach; repeat for several"),
) -> None:
    """Enter a need as a draft (then `transition ID under_review` and `transition ID published`)."""
    from service import challenge_files, challenges
    from service.settings import Settings

    settings = Settings()
    with _session() as session:
        data = challenges.ChallengeIn(
            title=title,
            kind=kind,
            publisher_uscc=uscc,
            department=department,
            description=description,
            segments=segment,
            quantity=quantity,
            budget_min_yuan=budget_min,
            budget_max_yuan=budget_max,
            deadline=deadline,
            location=location,
            contact=contact,
        )
        challenge = challenges.create(session=session, who=_operator(), data=data, chain=_chain())
        for path in attach:
            challenge_files.add(
                session=session,
                challenge=challenge,
                filename=path.name,
                content=path.read_bytes(),
                data_dir=settings.data_dir,
                max_bytes=settings.attachment_max_bytes,
                actor=_operator().username,
            )
        session.commit()
        typer.echo(f"已创建榜单 {challenge.id}（草稿）：{challenge.title}")


@challenge_app.command("transition")
def transition(
    challenge_id: int,
    target: Status = typer.Argument(..., help="The state to move to"),
    note: str = typer.Option("", help="Why, kept in the history"),
    award: int | None = typer.Option(None, help="For awarded: the winning response's number"),
    amount: str | None = typer.Option(None, help="For contracted: contract amount, 元 or e.g. 380万"),
    signed_on: str | None = typer.Option(None, help="For contracted: signing date YYYY-MM-DD (default today)"),
) -> None:
    """Move a challenge (illegal moves are refused with the reason)."""
    from service import challenges, clock

    with _session() as session:
        challenge = _found(session, challenge_id)
        signed = signed_on or (clock.today().isoformat() if target is Status.CONTRACTED else None)
        data = challenges.MoveIn(
            target=target, note=note, award_response_id=award, contracted_yuan=amount, signed_on=signed
        )
        contract = challenges.apply_move(session=session, who=_operator(), challenge=challenge, data=data)
        if contract is not None:
            session.flush()
            typer.echo(f"已生成合同记录 {contract.id}（采购方为发榜企业，履行金额待登记）")
        session.commit()
        typer.echo(f"榜单 {challenge.id} 现为“{Status(challenge.status).label}”")


@challenge_app.command("respond")
def respond(
    challenge_id: int,
    uscc: str = typer.Option(..., help="Responding enterprise's 统一社会信用代码"),
    proposal: str = typer.Option(..., help="The proposal"),
    quoted: str | None = typer.Option(None, help="Quoted price, 元 or e.g. 380万"),
    delivery_days: int | None = typer.Option(None, help="Delivery time in days"),
    track_record: str = typer.Option("", help="References: earlier deliveries and customers"),
) -> None:
    """揭榜 on an enterprise's behalf, or edit its response (until the deadline)."""
    from service import challenges

    with _session() as session:
        data = challenges.ResponseIn(
            proposal=proposal,
            quoted_yuan=quoted,
            delivery_days=delivery_days,
            track_record=track_record,
            responder_uscc=uscc,
        )
        answer, new = challenges.respond(
            session=session, who=_operator(), challenge=_found(session, challenge_id), data=data
        )
        session.commit()
        typer.echo(f"{'已揭榜' if new else '已修改方案'}：方案 {answer.id}")


@challenge_app.command("shortlist")
def shortlist(
    challenge_id: int,
    k: int = typer.Option(10, help="How many candidates"),
    excel: Path | None = typer.Option(None, help="Also write the shortlist and award decision to this .xlsx"),
    as_json: bool = typer.Option(False, "--json", help="Print JSON"),
) -> None:
    """The matcher's candidates (responders or not) with reasons, responders ranked, invited firms."""
    from service import challenge_shortlist

    with _session() as session:
        challenge = _found(session, challenge_id)
        short = challenge_shortlist.shortlist(session=session, chain=_chain(), challenge=challenge, k=k)
        if excel:
            challenge_shortlist.write_export(session=session, challenge=challenge, short=short, path=excel)
    if as_json:
        typer.echo(json.dumps(short, ensure_ascii=False, indent=2, default=str))
        return
    for title, rows in (("推荐候选", short["candidates"]), ("揭榜企业（按匹配度）", short["responders"])):
        typer.echo(title)
        for c in rows:
            flags = "、".join(f for f, on in (("已揭榜", c["responded"]), ("已邀请", c["invited"])) if on)
            typer.echo(f"  {c['rank'] or '—'}. {c['name']}（{flags or '未揭榜'}）：{'；'.join(c['reasons'])}")
    if excel:
        typer.echo(f"已写入 {excel}")
