"""Request errors as Chinese messages naming the field: ``{"detail": [{"field", "msg"}]}``."""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from pydantic import BaseModel, Field

from chainmap.records import InvalidRecord
from service.fields import FIELD_LABELS, Refusal, field_label, field_name

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
        named = f"{field_label(name)}：" if name else ""
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


def refusal_detail(exc: Exception) -> str | list[dict]:
    """A domain refusal as the API's ``detail``: one naming a field answers like a request error
    (``[{"field", "msg"}]``), any other with its Chinese message."""
    if isinstance(exc, Refusal) and exc.field:
        return [{"field": exc.field, "msg": str(exc)}]
    return str(exc)


def page_errors(detail: str | list[dict]) -> dict[str, str]:
    """An API answer's ``detail`` for a page's form: every message under ``form`` (the page's notice), and the
    message for a named field also under the field's top-level name, for the form to show it next to it."""
    if isinstance(detail, str):
        return {"form": detail}
    placed = {field_name(item["field"]): item["msg"] for item in reversed(detail)}
    return placed | {"form": "；".join(item["msg"] for item in detail)}


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
