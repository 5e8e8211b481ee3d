"""Request errors as Chinese messages naming the field: ``{"detail": [{"field", "msg"}]}``."""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from pydantic import BaseModel, Field

from chainmap.records import InvalidRecord

# pydantic error type -> Chinese message; ``ctx`` values fill the braces.
MESSAGES = {
    "missing": "必填",
    "extra_forbidden": "不接受此字段",
    "int_parsing": "应为整数",
    "int_from_float": "应为整数",
    "float_parsing": "应为数字",
    "finite_number": "应为有限的数字",
    "bool_parsing": "应为 true 或 false",
    "string_type": "应为文本",
    "int_type": "应为整数",
    "float_type": "应为数字",
    "list_type": "应为列表",
    "dict_type": "应为对象",
    "model_type": "应为对象",
    "greater_than": "应大于 {gt}",
    "greater_than_equal": "应不小于 {ge}",
    "less_than": "应小于 {lt}",
    "less_than_equal": "应不大于 {le}",
    "string_too_long": "最多 {max_length} 个字符",
    "string_too_short": "至少 {min_length} 个字符",
    "string_pattern_mismatch": "格式不正确",
    "enum": "应为以下之一：{expected}",
    "literal_error": "应为以下之一：{expected}",
    "json_invalid": "请求体不是有效的 JSON",
    "json_type": "请求体不是有效的 JSON",
    "date_parsing": "应为日期（YYYY-MM-DD）",
    "date_from_datetime_parsing": "应为日期（YYYY-MM-DD）",
    "value_error": "{error}",
}

# Request fields as people read them, for the messages: "max_km（最大距离）：应大于 0".
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
}


def error_message(error: dict) -> str:
    """One pydantic error's message in Chinese, without the field."""
    template = MESSAGES.get(error.get("type", ""), "取值无效")
    context = {key: _shown(value).replace(" or ", ", ") for key, value in error.get("ctx", {}).items()}
    try:
        return template.format(**context)
    except (KeyError, IndexError):
        return template


def _shown(value: object) -> str:
    """A limit as people write it: ``0``, not ``0.0``."""
    return str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)


def _field_path(error: dict) -> list[str]:
    """Where a pydantic error lies, without FastAPI's body / query / path prefix."""
    return [str(part) for part in error.get("loc", ()) if part not in ("body", "query", "path")]


def form_errors(errors: list[dict]) -> dict[str, str]:
    """pydantic's errors for a page's form: per field (the top of the path), its first message, named in
    Chinese as the form labels it (``最大距离：应大于 0``); errors in a field's parts count as the field's."""
    result: dict[str, str] = {}
    for error in errors:
        path = _field_path(error)
        name = path[0] if path else ""
        named = f"{FIELD_LABELS.get(name, name)}：" if name else ""
        result.setdefault(name, named + error_message(error))
    return result


def field_errors(errors: list[dict]) -> list[dict]:
    """pydantic's errors with the field path joined by dots and the message in Chinese."""
    result = []
    for error in errors:
        location = ".".join(_field_path(error))
        named = f"{location}（{FIELD_LABELS[location]}）" if location in FIELD_LABELS else location or "请求"
        result.append({"field": location, "msg": f"{named}：{error_message(error)}"})
    return result


def invalid_request(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    return JSONResponse(status_code=422, content={"detail": field_errors(list(exc.errors()))})


def invalid_record(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, InvalidRecord)
    return JSONResponse(status_code=422, content={"detail": [{"field": exc.field, "msg": str(exc)}]})


def sign_in_required(request: Request, _exc: Exception) -> Response:
    """Pages send the visitor to the sign-in page and back; the API answers 401."""
    if request.url.path.startswith("/api/"):
        headers = {"WWW-Authenticate": "Bearer"}
        return JSONResponse(status_code=401, content={"detail": "请先登录（或使用 API 令牌）"}, headers=headers)
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(f"/login?{urlencode({'next': target})}", status_code=303)


class FieldError(BaseModel):
    field: str
    msg: str


class ErrorBody(BaseModel):
    detail: str | list[FieldError] = Field(description="中文说明；字段错误时为逐字段列表")


def _error(description: str) -> dict:
    return {"model": ErrorBody, "description": description}


# The error answers every API route may give, documented in the OpenAPI.
ERROR_RESPONSES: dict[int | str, dict] = {
    401: _error("未登录，或 API 令牌无效、已吊销"),
    403: _error("无权执行此操作，或 CSRF 校验失败"),
    404: _error("未找到"),
    413: _error("请求体过大"),
    422: _error("参数或请求体有误：指出字段"),
}
