"""The application's navigation: one list, shown in the header of every page.

Each entry is a label and a path; ``{chain}`` in a path is the current chain's code. A feature adds its
page here and nowhere else.
"""

from __future__ import annotations

from typing import NamedTuple


class NavItem(NamedTuple):
    label: str
    path: str

    def href(self, chain_code: str) -> str:
        return self.path.format(chain=chain_code)


NAVIGATION: tuple[NavItem, ...] = (
    NavItem("首页", "/?chain={chain}"),
    NavItem("全景地图", "/map"),
    NavItem("产业链图谱", "/chains/{chain}"),
    NavItem("企业查询", "/enterprises"),
    NavItem("伙伴匹配", "/match"),
    NavItem("揭榜挂帅", "/challenges"),
    NavItem("对接会", "/events"),
    NavItem("数据导入", "/import"),
)
