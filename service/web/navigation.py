"""The application's navigation: one list, shown in the header of every page.

Each entry is a label, a path and the action its page declares; ``{chain}`` in a path is the current chain's
code. The header shows an entry only to those the permission table allows that action. A feature adds its
page here and nowhere else.
"""

from __future__ import annotations

from typing import NamedTuple

from service.auth.permissions import Action, Principal


class NavItem(NamedTuple):
    label: str
    path: str
    action: Action

    def href(self, chain_code: str) -> str:
        return self.path.format(chain=chain_code)


NAVIGATION: tuple[NavItem, ...] = (
    NavItem("首页", "/?chain={chain}", Action.VIEW_PUBLIC),
    NavItem("全景地图", "/map", Action.VIEW_PUBLIC),
    NavItem("产业链图谱", "/chains/{chain}", Action.VIEW_PUBLIC),
    NavItem("企业查询", "/enterprises", Action.VIEW_ENTERPRISES),
    NavItem("伙伴匹配", "/match", Action.MATCH),
    NavItem("揭榜挂帅", "/challenges", Action.VIEW_CHALLENGES),
    NavItem("对接会", "/events", Action.VIEW_EVENTS),
    NavItem("数据导入", "/import", Action.IMPORT_DATA),
)


def navigation_for(who: Principal) -> list[NavItem]:
    """The entries whose page ``who`` may open."""
    return [item for item in NAVIGATION if who.reach(item.action) is not None]
