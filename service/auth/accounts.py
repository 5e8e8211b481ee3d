"""Accounts: argon2 password hashes (pwdlib), sign-in with lockout, bearer tokens hashed at rest.

Functions write through the session and never commit; the caller owns the transaction.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime, timedelta
from functools import cache

from pwdlib import PasswordHash
from sqlmodel import Session, select

from chainmap.uscc import normalize
from service import models as m
from service.auth.permissions import Principal, Role
from service.rewards import DEVELOPMENT_ZONE, DEVELOPMENT_ZONE_PARKS

TOKEN_PREFIX = "cm_"
MIN_PASSWORD = 10
_hasher = PasswordHash.recommended()


class AccountError(ValueError):
    """A refused account change or sign-in; the message is shown to the person."""


def _now() -> datetime:
    return datetime.now(UTC)


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def new_password() -> str:
    return secrets.token_urlsafe(12)


def _check_password(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"密码至少 {MIN_PASSWORD} 个字符")
    return _hasher.hash(password)


def find(*, session: Session, username: str) -> m.Account:
    account = session.exec(select(m.Account).where(m.Account.username == username)).first()
    if account is None:
        raise AccountError(f"没有用户“{username}”")
    return account


def add_account(
    *,
    session: Session,
    username: str,
    password: str,
    role: Role,
    display_name: str = "",
    town: str | None = None,
    park: str | None = None,
    uscc: str | None = None,
) -> m.Account:
    """A new account bound to what its role needs: an officer to a town or park, an enterprise user to a USCC."""
    if role is Role.ANONYMOUS:
        raise AccountError("不能创建访客账户")
    if session.exec(select(m.Account).where(m.Account.username == username)).first():
        raise AccountError(f"用户名“{username}”已存在")
    account = m.Account(
        username=username, display_name=display_name or username, role=role, password_hash=_check_password(password)
    )
    if role is Role.OFFICER:
        if bool(town) == bool(park):
            raise AccountError("街镇/园区工作人员须指定一个街镇（--town）或一个园区（--park）")
        account.town_id = _id_of(session, m.Town, town, "街镇") if town else None
        account.park_id = _id_of(session, m.Park, park, "园区") if park else None
    if role is Role.ENTERPRISE:
        enterprise = uscc and session.exec(select(m.Enterprise).where(m.Enterprise.uscc == normalize(uscc))).first()
        if not enterprise:
            raise AccountError(f"企业用户须指定已登记企业的统一社会信用代码（--uscc），未找到“{uscc or ''}”")
        account.enterprise_id = enterprise.id
    session.add(account)
    session.flush()
    return account


def _id_of(session: Session, table: type[m.Town] | type[m.Park], name: str, kind: str) -> int | None:
    row = session.exec(select(table).where(table.name == name)).first()
    if row is None:
        raise AccountError(f"未知的{kind}“{name}”")
    return row.id


def set_password(*, session: Session, account: m.Account, password: str) -> None:
    account.password_hash = _check_password(password)
    account.failed_logins = 0
    account.locked_until = None
    session.add(account)


def authenticate(*, session: Session, username: str, password: str, max_failures: int, lockout: timedelta) -> m.Account:
    """The account if the password is right; counts failures and locks after ``max_failures`` in a row."""
    account = session.exec(select(m.Account).where(m.Account.username == username)).first()
    if account is None:
        _hasher.verify(password, _dummy_hash())  # the same work as for a real account
        raise AccountError("用户名或密码错误")
    if account.locked_until and _aware(account.locked_until) > _now():
        raise AccountError("登录失败次数过多，账户已暂时锁定，请稍后再试或联系管理员")
    if not _hasher.verify(password, account.password_hash):
        account.failed_logins += 1
        if account.failed_logins >= max_failures:
            account.locked_until, account.failed_logins = _now() + lockout, 0
        session.add(account)
        raise AccountError("用户名或密码错误")
    if not account.is_active:
        raise AccountError("账户已停用")
    account.failed_logins, account.locked_until, account.last_login_at = 0, None, _now()
    session.add(account)
    return account


@cache
def _dummy_hash() -> str:
    return _hasher.hash(secrets.token_urlsafe(12))


def principal(*, session: Session, account: m.Account) -> Principal:
    """What an active account may reach."""
    return Principal(
        role=Role(account.role),
        username=account.username,
        account_id=account.id,
        display_name=account.display_name,
        town_id=account.town_id,
        park_id=account.park_id,
        enterprise_id=account.enterprise_id,
        enterprise_uscc=_uscc(session, account.enterprise_id),
        budget_unit=_budget_unit(session, account),
    )


def _uscc(session: Session, enterprise_id: int | None) -> str | None:
    enterprise = session.get(m.Enterprise, enterprise_id) if enterprise_id is not None else None
    return enterprise.uscc if enterprise else None


def _budget_unit(session: Session, account: m.Account) -> str | None:
    if account.town_id is not None:
        town = session.get(m.Town, account.town_id)
        return town.name if town else None
    park = session.get(m.Park, account.park_id) if account.park_id is not None else None
    return DEVELOPMENT_ZONE if park and park.name in DEVELOPMENT_ZONE_PARKS else None


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def session_stamp(account: m.Account) -> str:
    """Changes with the password, so a reset ends the account's existing sessions."""
    return _digest(account.password_hash)[:16]


def issue_token(*, session: Session, account: m.Account, label: str = "") -> tuple[m.ApiToken, str]:
    """A new bearer token; the clear text is returned once and never stored."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = m.ApiToken(account_id=account.id, label=label, token_hash=_digest(token))  # type: ignore[arg-type]
    session.add(row)
    session.flush()
    return row, token


def revoke_token(*, session: Session, account: m.Account, token_id: int) -> m.ApiToken:
    row = session.get(m.ApiToken, token_id)
    if row is None or row.account_id != account.id:
        raise AccountError(f"用户“{account.username}”没有编号为 {token_id} 的令牌")
    row.revoked_at = _now()
    session.add(row)
    return row


def account_for_token(*, session: Session, token: str) -> m.Account | None:
    """The active account holding an unrevoked token, else None."""
    row = session.exec(select(m.ApiToken).where(m.ApiToken.token_hash == _digest(token))).first()
    if row is None or row.revoked_at is not None:
        return None
    account = session.get(m.Account, row.account_id)
    return account if account and account.is_active else None
