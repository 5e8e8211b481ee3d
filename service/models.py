"""Database tables (SQLModel). Money is in 元 as integers; positions are WGS-84.

Enumerations are stored as short strings so that SQLite and PostgreSQL hold the same
schema; their allowed values are the StrEnums of ``chainmap.records``.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from pydantic import ConfigDict
from sqlalchemy import JSON, BigInteger, Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from chainmap.records import LocationPrecision, SegmentSource, TechCentreLevel
from geodata import LOCAL_CITY


def _now() -> datetime:
    return datetime.now(UTC)


def _json(nullable: bool = False) -> Column:
    return Column(JSON, nullable=nullable)


BIGINT_MAX = 2**63 - 1  # the largest amount PostgreSQL's BIGINT holds


def _money(nullable: bool = False) -> Column:
    return Column(BigInteger, nullable=nullable)


class Chain(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=64, unique=True)
    name: str = Field(max_length=128)
    name_en: str = Field(max_length=128)
    group_name: str = Field(default="", max_length=128)
    source: str = Field(default="", max_length=512)


class Segment(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("chain_id", "code"),)
    id: int | None = Field(default=None, primary_key=True)
    chain_id: int = Field(foreign_key="chain.id", index=True)
    code: str = Field(max_length=64)
    name: str = Field(max_length=128)
    name_en: str = Field(max_length=128)
    tier: str = Field(max_length=16, description="upstream / midstream / downstream / scenario")
    parent_id: int | None = Field(default=None, foreign_key="segment.id")
    keywords: list[str] = Field(default_factory=list, sa_column=_json())
    source: str = Field(default="", max_length=256, description="seed section the segment comes from")


class SupplyEdge(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("supplier_segment_id", "buyer_segment_id"),)
    id: int | None = Field(default=None, primary_key=True)
    chain_id: int = Field(foreign_key="chain.id", index=True)
    supplier_segment_id: int = Field(foreign_key="segment.id")
    buyer_segment_id: int = Field(foreign_key="segment.id")
    weight: float = Field(default=1.0)
    reason: str = Field(default="", max_length=256)


class Town(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=32, unique=True)
    code: str | None = Field(default=None, max_length=16)
    anchor_lon: float
    anchor_lat: float
    confidence: str = Field(max_length=16)
    source: str = Field(default="", max_length=512)
    boundary_geojson: dict | None = Field(default=None, sa_column=_json(nullable=True))
    boundary_official: bool = Field(default=False, description="False: no polygon or only a 示意 area")


class Park(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=64, unique=True)
    aliases: str = Field(default="", max_length=512)
    lon: float
    lat: float
    confidence: str = Field(max_length=16)
    source: str = Field(default="", max_length=512)
    boundary_geojson: dict | None = Field(default=None, sa_column=_json(nullable=True))
    boundary_official: bool = Field(default=False)


class ParkFocus(SQLModel, table=True):
    park_id: int = Field(foreign_key="park.id", primary_key=True)
    segment_id: int = Field(foreign_key="segment.id", primary_key=True)
    source: str = Field(default="", max_length=256)


class EnterpriseBase(SQLModel):
    uscc: str = Field(max_length=18, description="统一社会信用代码 (GB 32100-2015)")
    name: str = Field(max_length=200)
    aliases: list[str] = Field(default_factory=list, sa_column=_json())
    address: str = Field(default="", max_length=300)
    lon: float | None = Field(default=None, description="WGS-84 longitude")
    lat: float | None = Field(default=None, description="WGS-84 latitude")
    location_precision: str = Field(default=LocationPrecision.UNKNOWN, max_length=16)
    products: str = Field(default="")
    business_scope: str = Field(default="")
    industry_code: str = Field(default="", max_length=8, description="国民经济行业分类 GB/T 4754-2017 小类（4位）")
    is_chain_leader: bool = False
    is_specialized: bool = False
    is_little_giant: bool = False
    is_high_tech: bool = False
    is_above_scale: bool = False
    is_listed: bool = False
    tech_centre_level: str = Field(default=TechCentreLevel.NONE, max_length=16)
    revenue_yuan: int | None = Field(default=None, sa_column=_money(nullable=True))
    employees: int | None = None
    founded_year: int | None = None
    city: str = Field(default=LOCAL_CITY, max_length=16, index=True, description="松江区, or another G60 city")
    placement: str = Field(
        default="declared", max_length=16, description="how town and park were found: coordinates / address_park / ..."
    )


class Enterprise(EnterpriseBase, table=True):
    id: int | None = Field(default=None, primary_key=True)
    is_demo: bool = Field(default=False, description="synthetic demo record (名称含“示例”), set by the demo loader")
    uscc: str = Field(max_length=18, unique=True, index=True)
    town_id: int | None = Field(default=None, foreign_key="town.id", index=True)
    park_id: int | None = Field(default=None, foreign_key="park.id", index=True)
    created_at: datetime = Field(default_factory=_now)


class EnterpriseCreate(EnterpriseBase):
    """What a client may send: enumerations and amounts are checked here, ``is_demo`` is not accepted."""

    model_config = ConfigDict(extra="forbid")  # type: ignore[assignment]
    lon: float | None = Field(default=None, ge=-180, le=180)
    lat: float | None = Field(default=None, ge=-90, le=90)
    location_precision: LocationPrecision = LocationPrecision.UNKNOWN
    tech_centre_level: TechCentreLevel = TechCentreLevel.NONE
    revenue_yuan: int | None = Field(default=None, ge=0, le=BIGINT_MAX, description="营业收入（元）")
    employees: int | None = Field(default=None, ge=0, le=10_000_000)
    founded_year: int | None = Field(default=None, ge=1800, le=2100)
    town: str | None = None
    park: str | None = None
    segments: dict[str, float] = Field(default_factory=dict, description="segment code -> confidence")


class EnterprisePublic(EnterpriseBase):
    id: int
    is_demo: bool = False
    town: str | None = None
    park: str | None = None
    segments: list[str] = Field(default_factory=list)


class EnterprisesPublic(SQLModel):
    data: list[EnterprisePublic]
    count: int


class EnterpriseSegment(SQLModel, table=True):
    enterprise_id: int = Field(foreign_key="enterprise.id", primary_key=True)
    segment_id: int = Field(foreign_key="segment.id", primary_key=True, index=True)
    confidence: float = Field(default=1.0)
    source: str = Field(default=SegmentSource.DECLARED, max_length=16)
    evidence: str = Field(default="", max_length=512)
    model: str = Field(default="", max_length=16, description="key of the classifier model that wrote a classified row")


class Contract(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    buyer_id: int = Field(foreign_key="enterprise.id", index=True)
    seller_id: int = Field(foreign_key="enterprise.id", index=True)
    year: int = Field(index=True)
    contracted_yuan: int = Field(sa_column=_money())
    performed_yuan: int = Field(sa_column=_money())
    signed_on: date
    is_demo: bool = False


class DataVersion(SQLModel, table=True):
    """One row whose ``version`` the database raises on every change to enterprises, segments and contracts
    (triggers of migration 0008)."""

    id: int = Field(primary_key=True)
    version: int = Field(sa_column=Column(BigInteger, nullable=False))


class Challenge(SQLModel, table=True):
    """A 揭榜挂帅 need published (发榜) by an enterprise or a government department.

    ``status`` is a ``matching.challenges.Status``; the budget is a range in 元 (``budget_yuan`` its upper end).
    """

    id: int | None = Field(default=None, primary_key=True)
    publisher_id: int | None = Field(default=None, foreign_key="enterprise.id")
    publisher_department: str | None = Field(
        default=None, max_length=64, description="e.g. 区教育局 for scenario demands"
    )
    kind: str = Field(max_length=16, description="technical / procurement / scenario")
    title: str = Field(max_length=200)
    description: str = ""
    segment_id: int | None = Field(default=None, foreign_key="segment.id", description="the first required segment")
    specification: str = ""
    budget_yuan: int | None = Field(default=None, sa_column=_money(nullable=True))
    deadline: date | None = None
    status: str = Field(default="draft", max_length=16)
    created_at: datetime = Field(default_factory=_now)
    segments: list[str] = Field(default_factory=list, sa_column=_json(), description="required segment codes")
    quantity: int | None = None
    budget_min_yuan: int | None = Field(default=None, sa_column=_money(nullable=True))
    location: str = Field(default="", max_length=100, description="where it is needed: a town, park or address")
    contact: str = Field(default="", max_length=100)
    created_by: str = Field(default="", max_length=64, description="username of the account that entered it")
    is_demo: bool = False


class ChallengeTransition(SQLModel, table=True):
    """One move of a challenge's lifecycle: who, when, from and to, and why."""

    id: int | None = Field(default=None, primary_key=True)
    challenge_id: int = Field(foreign_key="challenge.id", index=True)
    source: str | None = Field(default=None, max_length=16, description="None for the creation")
    target: str = Field(max_length=16)
    actor: str = Field(max_length=64)
    at: datetime = Field(default_factory=_now)
    note: str = Field(default="", max_length=500)


class ChallengeAttachment(SQLModel, table=True):
    """A file attached to a challenge, stored under the data directory (``stored_name``)."""

    id: int | None = Field(default=None, primary_key=True)
    challenge_id: int = Field(foreign_key="challenge.id", index=True)
    filename: str = Field(max_length=200, description="the name it was uploaded with")
    stored_name: str = Field(max_length=64, unique=True)
    content_type: str = Field(max_length=100)
    size_bytes: int
    uploaded_by: str = Field(max_length=64)
    uploaded_at: datetime = Field(default_factory=_now)


class ChallengeInvitation(SQLModel, table=True):
    """区经委 invited an enterprise (found by the matcher) to respond to a challenge."""

    __table_args__ = (UniqueConstraint("challenge_id", "enterprise_id"),)
    id: int | None = Field(default=None, primary_key=True)
    challenge_id: int = Field(foreign_key="challenge.id", index=True)
    enterprise_id: int = Field(foreign_key="enterprise.id")
    invited_by: str = Field(max_length=64)
    at: datetime = Field(default_factory=_now)
    note: str = Field(default="", max_length=500)


class ChallengeResponse(SQLModel, table=True):
    """An application (揭榜) to a challenge; status submitted / awarded / not_selected."""

    __table_args__ = (UniqueConstraint("challenge_id", "responder_id"),)
    id: int | None = Field(default=None, primary_key=True)
    challenge_id: int = Field(foreign_key="challenge.id", index=True)
    responder_id: int = Field(foreign_key="enterprise.id")
    proposal: str = ""
    quoted_yuan: int | None = Field(default=None, sa_column=_money(nullable=True))
    status: str = Field(default="submitted", max_length=16)
    submitted_at: datetime = Field(default_factory=_now)
    delivery_days: int | None = None
    track_record: str = Field(default="", description="references: earlier deliveries and customers")
    updated_at: datetime | None = None


class MatchmakingSession(SQLModel, table=True):
    """A 对接会: a day of fixed time slots at the hosts' tables (see ``matching.scheduling.model``)."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200)
    held_on: date
    venue: str = Field(default="", max_length=200)
    first_slot_at: str = Field(default="09:00", max_length=5)
    slot_minutes: int = 20
    n_slots: int = 12
    breaks: dict[str, int] = Field(
        default_factory=dict, sa_column=_json(), description="slot number (1-based) -> pause in minutes after it"
    )
    max_meetings_per_visitor: int | None = None
    status: str = Field(default="open", max_length=16, description="open / scheduled / confirmed")
    report: dict | None = Field(default=None, sa_column=_json(nullable=True), description="the last schedule's report")
    challenge_id: int | None = Field(default=None, foreign_key="challenge.id")
    is_demo: bool = False
    created_at: datetime = Field(default_factory=_now)


class EventParticipant(SQLModel, table=True):
    """An enterprise or a department registered at a 对接会, as host (with tables) or visitor."""

    __table_args__ = (UniqueConstraint("session_id", "enterprise_id"), UniqueConstraint("session_id", "department"))
    id: int | None = Field(default=None, primary_key=True)
    session_id: int = Field(foreign_key="matchmakingsession.id", index=True, ondelete="CASCADE")
    enterprise_id: int | None = Field(default=None, foreign_key="enterprise.id", index=True, ondelete="CASCADE")
    department: str | None = Field(default=None, max_length=64, description="e.g. 区教育局, for a department host")
    role: str = Field(max_length=16, description="host / visitor")
    tables: list[str] = Field(default_factory=list, sa_column=_json(), description="a host's table numbers")
    need: str = Field(default="", description="a host's need, a visitor's products")
    available: list[list[str]] = Field(
        default_factory=list, sa_column=_json(), description='windows ["HH:MM", "HH:MM"]; none: all day'
    )
    registered_at: datetime = Field(default_factory=_now)


class MeetingRequest(SQLModel, table=True):
    """One side's wish to meet (or the matcher's proposal); priority 1 = most wanted."""

    __table_args__ = (UniqueConstraint("session_id", "host_id", "visitor_id", "side"),)
    id: int | None = Field(default=None, primary_key=True)
    session_id: int = Field(foreign_key="matchmakingsession.id", index=True, ondelete="CASCADE")
    host_id: int = Field(foreign_key="eventparticipant.id", ondelete="CASCADE")
    visitor_id: int = Field(foreign_key="eventparticipant.id", ondelete="CASCADE")
    side: str = Field(max_length=16, description="who asked: host / visitor / matcher")
    priority: int = Field(default=2, description="1 = most wanted, 3 = if there is time")
    status: str = Field(default="active", max_length=16, description="active / proposed (awaiting the organiser)")
    reasons: str = Field(default="", max_length=500)
    created_at: datetime = Field(default_factory=_now)


class Meeting(SQLModel, table=True):
    """A scheduled 1:1 meeting and, after the event, its outcome."""

    __table_args__ = (
        UniqueConstraint("session_id", "slot", "table_no"),
        UniqueConstraint("session_id", "host_id", "visitor_id"),
    )
    id: int | None = Field(default=None, primary_key=True)
    session_id: int = Field(foreign_key="matchmakingsession.id", index=True, ondelete="CASCADE")
    host_id: int = Field(foreign_key="eventparticipant.id", ondelete="CASCADE")
    visitor_id: int = Field(foreign_key="eventparticipant.id", ondelete="CASCADE")
    slot: int = Field(description="0-based slot index")
    table_no: str = Field(max_length=32)
    status: str = Field(default="scheduled", max_length=16, description="scheduled / confirmed (announced)")
    outcome: str | None = Field(default=None, max_length=16, description="no_interest / follow_up / nda / contract")
    amount_yuan: int | None = Field(default=None, sa_column=_money(nullable=True))
    host_buys: bool = True
    contract_id: int | None = Field(default=None, foreign_key="contract.id", ondelete="SET NULL")
    outcome_at: datetime | None = None


class Account(SQLModel, table=True):
    """A person who signs in: role admin / officer / enterprise (see service.auth.permissions)."""

    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(max_length=64, unique=True, index=True)
    display_name: str = Field(default="", max_length=64)
    role: str = Field(max_length=16)
    town_id: int | None = Field(default=None, foreign_key="town.id", description="an officer's town")
    park_id: int | None = Field(default=None, foreign_key="park.id", description="an officer's park")
    enterprise_id: int | None = Field(default=None, foreign_key="enterprise.id", description="an enterprise user's")
    password_hash: str = Field(max_length=256)
    is_active: bool = True
    failed_logins: int = 0
    locked_until: datetime | None = None
    created_at: datetime = Field(default_factory=_now)
    last_login_at: datetime | None = None


class ApiToken(SQLModel, table=True):
    """A bearer token for integrations; only its SHA-256 is stored."""

    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(foreign_key="account.id", index=True)
    label: str = Field(default="", max_length=64)
    token_hash: str = Field(max_length=64, unique=True)
    created_at: datetime = Field(default_factory=_now)
    revoked_at: datetime | None = None


class AuditEvent(SQLModel, table=True):
    """One write, sign-in or account change; the application only ever inserts rows."""

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=_now, index=True)
    actor: str = Field(max_length=64, index=True, description="username, 匿名 or 命令行")
    action: str = Field(max_length=48, index=True)
    target: str = Field(default="", max_length=200)
    before: dict | None = Field(default=None, sa_column=_json(nullable=True))
    after: dict | None = Field(default=None, sa_column=_json(nullable=True))
    client: str = Field(default="", max_length=64, description="client address, or cli")
