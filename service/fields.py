"""Request fields in Chinese: their names as the forms label them, and the refusal that names one.

Domain code refuses bad input with a :class:`Refusal` that carries the field's code name (``field``, for
programs and for placing the message next to the form's field) and reads, as people see it,
``名称：不能为空``: the label, never the code name.
"""

from __future__ import annotations

import re

# Request fields as the forms label them: the one place their Chinese names are kept.
FIELD_LABELS = {
    "direction": "查找方向",
    "uscc": "企业统一社会信用代码",
    "need": "需求描述",
    "segment": "环节",
    "lon": "经度",
    "lat": "纬度",
    "scope": "范围",
    "max_km": "最大距离",
    "label": "标签",
    "budget_yuan": "年度预算",
    "min_revenue_yuan": "最低营业收入",
    "exclude_partners": "单列已有合作伙伴",
    "k": "条数",
    "q": "搜索词",
    "limit": "每页条数",
    "offset": "起始位置",
    "width": "宽度",
    "min_enterprises": "最少企业数",
    "median_share": "中位数比例",
    # The 对接会 forms
    "name": "名称",
    "held_on": "日期",
    "venue": "会场",
    "first_slot_at": "首个时段开始",
    "slot_minutes": "每段分钟",
    "n_slots": "时段数",
    "breaks": "休息",
    "max_meetings_per_visitor": "每位来访方最多会面",
    "role": "身份",
    "department": "部门",
    "tables": "桌号",
    "available": "可参会时间",
    "host": "主持方",
    "visitor": "来访方",
    "side": "提出方",
    "priority": "优先级",
    "per_host": "每个主持方推荐数",
    "request_id": "会面请求编号",
    "meeting_id": "会面编号",
    "kind": "类型",
    "amount_yuan": "合同金额",
    "buyer": "采购方",
    # The 揭榜挂帅 forms
    "title": "标题",
    "description": "需求描述",
    "specification": "技术指标与规格",
    "segments": "所需环节",
    "quantity": "数量",
    "budget_min_yuan": "预算下限",
    "budget_max_yuan": "预算上限",
    "deadline": "揭榜截止日期",
    "location": "实施地点",
    "contact": "联系人与电话",
    "publisher_uscc": "发榜企业统一社会信用代码",
    "target": "目标状态",
    "note": "说明",
    "award_response_id": "中榜方案",
    "contracted_yuan": "合同金额",
    "signed_on": "签约日期",
    "proposal": "技术方案",
    "quoted_yuan": "报价",
    "delivery_days": "交付周期",
    "track_record": "业绩与案例",
    "responder_uscc": "揭榜企业统一社会信用代码",
    # Addresses and the other pages' forms
    "event_id": "对接会编号",
    "challenge_id": "揭榜挂帅编号",
    "participant": "参会方编号",
    "username": "用户名",
    "password": "密码",
    "scheduled_at": "排程时间",
    "time_limit": "排程时限",
    "gap_time_limit": "空档优化时限",
    "file": "文件",
    "mode": "导入方式",
    "datum": "坐标系",
}

# A path's first name and, when it is a list's item, the item's index: "available[0]" -> ("available", "0").
HEAD = re.compile(r"(\w*)(?:\[(\d+)\])?")


def _head(path: str) -> re.Match[str]:
    head = HEAD.match(path)
    assert head is not None  # every text matches: both parts are optional
    return head


def field_name(path: str) -> str:
    """The request field a path lies in: ``available[0]`` -> ``available``."""
    return _head(path)[1]


def field_label(path: str) -> str:
    """A field path as people read it: ``available[0]`` -> ``可参会时间（第 1 项）``; unknown names stay."""
    head = _head(path)
    label = FIELD_LABELS.get(head[1], head[1])
    return f"{label}（第 {int(head[2]) + 1} 项）" if head[2] else label


class Refusal(ValueError):
    """Input the domain refuses: ``str()`` is the Chinese message, led by the field's label when one is named."""

    def __init__(self, message: str, field: str = "") -> None:
        super().__init__(f"{field_label(field)}：{message}" if field else message)
        self.field = field
        self.message = message
