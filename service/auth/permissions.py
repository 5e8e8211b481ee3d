"""The one permission table: for each action, which role may do it and how far it reaches.

Every route declares its action (``service.web.deps.allowed``); a test walks every route and
every role through this table. Reach ALL: anything; UNIT: enterprises of the officer's town or
park and amounts of its budget unit; OWN: the enterprise user's own enterprise; absent: refused.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    ADMIN = "admin"
    OFFICER = "officer"
    ENTERPRISE = "enterprise"
    ANONYMOUS = "anonymous"

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]


ROLE_LABELS = {
    Role.ADMIN: "区经委管理员",
    Role.OFFICER: "街镇/园区工作人员",
    Role.ENTERPRISE: "企业用户",
    Role.ANONYMOUS: "访客",
}


class Reach(StrEnum):
    ALL = "all"
    UNIT = "unit"
    OWN = "own"


class Action(StrEnum):
    VIEW_PUBLIC = "view_public"  # pages, map, chain diagram, panorama without amounts, sign-in
    VIEW_ENTERPRISES = "view_enterprises"  # directory: names and segments
    VIEW_AMOUNTS = "view_amounts"  # revenue and contract amounts inside answers
    CLASSIFY_TEXT = "classify_text"
    CREATE_ENTERPRISE = "create_enterprise"
    SET_SEGMENTS = "set_segments"
    MATCH = "match"  # partner shortlists, which list existing partners
    EXPORT_PANORAMA = "export_panorama"
    EXPORT_BRIEF = "export_brief"  # the printable briefing (PDF, no amounts): staff only, it takes seconds to print
    EXPORT_ENTERPRISES = "export_enterprises"  # the directory as Excel or GeoJSON, filtered like the map
    ESTIMATE_REWARD = "estimate_reward"
    VIEW_BUDGET = "view_budget"
    EXPORT_LEDGER = "export_ledger"
    VIEW_AUDIT = "view_audit"
    VIEW_CHALLENGES = "view_challenges"  # published 揭榜挂帅 needs; drafts only to their publisher
    PUBLISH_CHALLENGE = "publish_challenge"  # 发榜: enter a need for one's firm, unit or a department
    MOVE_CHALLENGE = "move_challenge"  # lifecycle moves; matching.challenges says which party may make which
    RESPOND_CHALLENGE = "respond_challenge"  # 揭榜 as one's enterprise (区经委: on an enterprise's behalf)
    REVIEW_CHALLENGE = "review_challenge"  # responders ranked, the shortlist, exports: the publisher's view
    INVITE_CANDIDATES = "invite_candidates"  # 区经委 invites shortlisted firms to respond
    VIEW_CHALLENGE_FILES = "view_challenge_files"  # attachments: signed-in users only
    VIEW_EVENTS = "view_events"  # 对接会: list, schedule, agendas, take-away sheets (amounts only per VIEW_AMOUNTS)
    MANAGE_EVENTS = "manage_events"  # create, register departments, accept proposals, schedule, confirm
    JOIN_EVENT = "join_event"  # register an enterprise, request meetings, record outcomes (within reach)
    IMPORT_DATA = "import_data"  # enterprises and contracts from files (web import page)


# A: 区经委 administrator, T: town or park officer, E: enterprise user, P: the public (anonymous).
A, T, E, P = Role.ADMIN, Role.OFFICER, Role.ENTERPRISE, Role.ANONYMOUS
PERMISSIONS: dict[Action, dict[Role, Reach]] = {
    Action.VIEW_PUBLIC: {A: Reach.ALL, T: Reach.ALL, E: Reach.ALL, P: Reach.ALL},
    Action.VIEW_ENTERPRISES: {A: Reach.ALL, T: Reach.ALL, E: Reach.ALL, P: Reach.ALL},
    Action.VIEW_AMOUNTS: {A: Reach.ALL, T: Reach.UNIT, E: Reach.OWN},
    Action.CLASSIFY_TEXT: {A: Reach.ALL, T: Reach.ALL, E: Reach.ALL, P: Reach.ALL},
    Action.CREATE_ENTERPRISE: {A: Reach.ALL, T: Reach.UNIT},
    Action.SET_SEGMENTS: {A: Reach.ALL, T: Reach.UNIT, E: Reach.OWN},
    Action.MATCH: {A: Reach.ALL, T: Reach.UNIT, E: Reach.OWN},
    Action.EXPORT_PANORAMA: {A: Reach.ALL, T: Reach.ALL},
    Action.EXPORT_BRIEF: {A: Reach.ALL, T: Reach.ALL},
    Action.EXPORT_ENTERPRISES: {A: Reach.ALL, T: Reach.ALL, E: Reach.ALL},
    Action.ESTIMATE_REWARD: {A: Reach.ALL, T: Reach.ALL, E: Reach.ALL},
    Action.VIEW_BUDGET: {A: Reach.ALL, T: Reach.UNIT},
    Action.EXPORT_LEDGER: {A: Reach.ALL, T: Reach.UNIT, E: Reach.OWN},
    Action.VIEW_AUDIT: {A: Reach.ALL},
    Action.VIEW_CHALLENGES: {A: Reach.ALL, T: Reach.ALL, E: Reach.ALL, P: Reach.ALL},
    Action.PUBLISH_CHALLENGE: {A: Reach.ALL, T: Reach.UNIT, E: Reach.OWN},
    Action.MOVE_CHALLENGE: {A: Reach.ALL, T: Reach.UNIT, E: Reach.OWN},
    Action.RESPOND_CHALLENGE: {A: Reach.ALL, E: Reach.OWN},
    Action.REVIEW_CHALLENGE: {A: Reach.ALL, T: Reach.UNIT, E: Reach.OWN},
    Action.INVITE_CANDIDATES: {A: Reach.ALL},
    Action.VIEW_CHALLENGE_FILES: {A: Reach.ALL, T: Reach.ALL, E: Reach.ALL},
    Action.VIEW_EVENTS: {A: Reach.ALL, T: Reach.ALL, E: Reach.ALL, P: Reach.ALL},
    Action.MANAGE_EVENTS: {A: Reach.ALL, T: Reach.ALL},
    Action.JOIN_EVENT: {A: Reach.ALL, T: Reach.UNIT, E: Reach.OWN},
    Action.IMPORT_DATA: {A: Reach.ALL, T: Reach.UNIT},  # an officer's rows: its unit's enterprises and their contracts
}


@dataclass(frozen=True)
class Principal:
    """Who is asking: a role, and the town, park or enterprise it is bound to."""

    role: Role
    username: str = "匿名"
    account_id: int | None = None
    display_name: str = ""
    town_id: int | None = None
    park_id: int | None = None
    enterprise_id: int | None = None
    enterprise_uscc: str | None = None
    budget_unit: str | None = None  # an officer's: the town's name or 经开区

    def reach(self, action: Action) -> Reach | None:
        return PERMISSIONS[action].get(self.role)

    def may(self, action: Action, *, town_id: int | None, park_id: int | None, enterprise_id: int | None) -> bool:
        """Whether ``action`` reaches an enterprise in this town and park with this id."""
        reach = self.reach(action)
        if reach is Reach.ALL:
            return True
        if reach is Reach.UNIT:
            return (self.town_id is not None and town_id == self.town_id) or (
                self.park_id is not None and park_id == self.park_id
            )
        return reach is Reach.OWN and enterprise_id is not None and enterprise_id == self.enterprise_id


ANONYMOUS = Principal(Role.ANONYMOUS)


def without_amounts(value: object) -> object:
    """JSON data with every ``*_yuan`` amount removed, for those who may not see amounts."""
    if isinstance(value, dict):
        return {k: without_amounts(v) for k, v in value.items() if not str(k).endswith("_yuan")}
    if isinstance(value, list | tuple):
        return [without_amounts(v) for v in value]
    return value
