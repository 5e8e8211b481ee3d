"""`chainmap users ...`: accounts and API tokens from the command line; every change is audited."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import TYPE_CHECKING

import typer

from service.auth.permissions import Role
from service.cli_paths import refused

if TYPE_CHECKING:  # the database and account modules are imported by the commands that use them (fast start-up)
    from sqlmodel import Session

    from service.settings import Settings

users_app = typer.Typer(help="Accounts, roles and API tokens", no_args_is_help=True)
DEMO_PREFIX = "demo-"


@contextlib.contextmanager
def _accounts_session() -> Iterator[Session]:
    """A session whose account errors are printed in Chinese (exit 2); the command commits."""
    from sqlmodel import Session

    from service.auth import accounts
    from service.db import make_engine
    from service.settings import Settings

    with Session(make_engine(Settings())) as session, refused(accounts.AccountError):
        yield session


def _audit(session: Session, action: str, username: str, after: dict | None = None) -> None:
    from service import audit

    audit.record(session=session, actor=audit.CLI, action=action, target=username, after=after, client="cli")


def _password(password: str | None) -> str:
    return password or typer.prompt("密码（至少10个字符）", hide_input=True, confirmation_prompt=True)


@users_app.command("add")
def add(
    username: str = typer.Argument(..., help="Sign-in name"),
    role: Role = typer.Option(..., help="admin, officer or enterprise"),
    password: str | None = typer.Option(None, help="Password; asked for when not given"),
    name: str = typer.Option("", help="Display name, e.g. 九亭镇经发办 张三"),
    town: str | None = typer.Option(None, help="An officer's town (街镇)"),
    park: str | None = typer.Option(None, help="An officer's park (园区)"),
    uscc: str | None = typer.Option(None, help="An enterprise user's 统一社会信用代码"),
) -> None:
    """Create an account; officers need --town or --park, enterprise users --uscc."""
    from service.auth import accounts

    with _accounts_session() as session:
        accounts.add_account(
            session=session,
            username=username,
            password=_password(password),
            role=role,
            display_name=name,
            town=town,
            park=park,
            uscc=uscc,
        )
        _audit(session, "user_added", username, {"role": role.value, "town": town, "park": park, "uscc": uscc})
        session.commit()
    typer.echo(f"已创建用户 {username}（{role.label}）")


@users_app.command("list")
def list_users() -> None:
    """Every account with its role, binding and state."""
    from sqlmodel import col, select

    from service import models as m

    with _accounts_session() as session:
        towns = {t.id: t.name for t in session.exec(select(m.Town))}
        parks = {p.id: p.name for p in session.exec(select(m.Park))}
        for a in session.exec(select(m.Account).order_by(col(m.Account.username))):
            bound = towns.get(a.town_id) or parks.get(a.park_id) or _uscc(session, a.enterprise_id)
            state = "启用" if a.is_active else "停用"
            typer.echo(f"{a.username}\t{Role(a.role).label}\t{bound or '-'}\t{state}\t{a.display_name}")


def _uscc(session: Session, enterprise_id: int | None) -> str | None:
    from service import models as m

    enterprise = session.get(m.Enterprise, enterprise_id) if enterprise_id else None
    return enterprise.uscc if enterprise else None


@users_app.command("disable")
def disable(username: str = typer.Argument(...)) -> None:
    """Disable an account: it can no longer sign in, and its sessions and tokens stop working."""
    from service.auth import accounts

    with _accounts_session() as session:
        account = accounts.find(session=session, username=username)
        account.is_active = False
        session.add(account)
        _audit(session, "user_disabled", username)
        session.commit()
    typer.echo(f"已停用用户 {username}")


@users_app.command("reset-password")
def reset_password(
    username: str = typer.Argument(...),
    password: str | None = typer.Option(None, help="New password; asked for when not given"),
) -> None:
    """Set a new password and lift a lockout."""
    from service.auth import accounts

    with _accounts_session() as session:
        account = accounts.find(session=session, username=username)
        accounts.set_password(session=session, account=account, password=_password(password))
        _audit(session, "password_reset", username)
        session.commit()
    typer.echo(f"已重置用户 {username} 的密码")


@users_app.command("token")
def token(
    username: str = typer.Argument(...),
    label: str = typer.Option("", help="What the token is for, e.g. 园区数据同步"),
    revoke: int | None = typer.Option(None, help="Revoke the token with this number instead"),
) -> None:
    """Issue a bearer API token (shown once, stored hashed), or revoke one with --revoke N."""
    from service.auth import accounts

    with _accounts_session() as session:
        account = accounts.find(session=session, username=username)
        if revoke is not None:
            accounts.revoke_token(session=session, account=account, token_id=revoke)
            _audit(session, "token_revoked", username, {"token": revoke})
            session.commit()
            typer.echo(f"已吊销令牌 {revoke}")
            return
        row, secret = accounts.issue_token(session=session, account=account, label=label)
        number = row.id
        _audit(session, "token_issued", username, {"token": number, "label": label})
        session.commit()
    typer.echo(f"令牌 {number}（只显示这一次）：{secret}\n用法：Authorization: Bearer {secret}")


def first_admin(settings: Settings, username: str, password: str | None) -> None:
    """`chainmap init --admin NAME`: the first administrator, only while no administrator exists."""
    from sqlmodel import Session, select

    from service import models as m
    from service.db import make_engine

    with Session(make_engine(settings)) as session:
        if session.exec(select(m.Account).where(m.Account.role == Role.ADMIN)).first():
            typer.echo("已有管理员账户，未新建（用 `chainmap users add` 添加更多用户）")
            return
    add(username=username, role=Role.ADMIN, password=password, name="", town=None, park=None, uscc=None)


def replace_demo_accounts(session: Session) -> None:
    """Remove the demo accounts (before demo enterprises they point to are replaced)."""
    from sqlmodel import col, delete, select

    from service import models as m

    demo = select(m.Account.id).where(col(m.Account.username).startswith(DEMO_PREFIX))
    session.exec(delete(m.ApiToken).where(col(m.ApiToken.account_id).in_(demo)))  # type: ignore[call-overload]
    session.exec(delete(m.Account).where(col(m.Account.username).startswith(DEMO_PREFIX)))  # type: ignore[call-overload]


def demo_accounts(session: Session) -> list[tuple[str, Role, str]]:
    """One demo account per role, bound to a demo town and a demo enterprise with contracts; passwords are new."""
    from sqlmodel import col, select

    from service import models as m
    from service.auth import accounts

    buyer = session.exec(
        select(m.Enterprise).join(m.Contract, col(m.Contract.buyer_id) == m.Enterprise.id).where(m.Enterprise.is_demo)
    ).first()
    town = session.get(m.Town, buyer.town_id) if buyer and buyer.town_id else None
    plan = [(f"{DEMO_PREFIX}admin", Role.ADMIN, {})]
    if town:
        plan.append((f"{DEMO_PREFIX}officer", Role.OFFICER, {"town": town.name}))
    if buyer:
        plan.append((f"{DEMO_PREFIX}enterprise", Role.ENTERPRISE, {"uscc": buyer.uscc}))
    created = []
    for username, role, binding in plan:
        password = accounts.new_password()
        name = f"示例{role.label}"
        accounts.add_account(
            session=session, username=username, password=password, role=role, display_name=name, **binding
        )
        _audit(session, "user_added", username, {"role": role.value, **binding})
        created.append((username, role, password))
    return created
