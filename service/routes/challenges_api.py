"""/api/challenges: 揭榜挂帅 needs, their lifecycle, responses, the matcher's shortlist, invitations, files."""

from __future__ import annotations

import contextlib
import tempfile
from collections.abc import Iterator
from pathlib import Path as FilePath
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, File, HTTPException, Path, Query, Request, Response, UploadFile
from fastapi.responses import FileResponse
from pydantic import BaseModel, Field
from sqlmodel import Session

from matching.challenges import IllegalTransition, Status
from service import challenge_files, challenge_shortlist, challenge_views, challenges
from service import models as m
from service.auth.permissions import Action, Principal
from service.web.deps import SessionDep, SettingsDep, allowed
from service.web.errors import ErrorBody, refusal_detail

router = APIRouter(prefix="/api/challenges", tags=["challenges"])
Viewer = Annotated[Principal, allowed(Action.VIEW_CHALLENGES)]
Publisher = Annotated[Principal, allowed(Action.PUBLISH_CHALLENGE)]
Mover = Annotated[Principal, allowed(Action.MOVE_CHALLENGE)]
Responder = Annotated[Principal, allowed(Action.RESPOND_CHALLENGE)]
Reviewer = Annotated[Principal, allowed(Action.REVIEW_CHALLENGE)]
Inviter = Annotated[Principal, allowed(Action.INVITE_CANDIDATES)]
FileViewer = Annotated[Principal, allowed(Action.VIEW_CHALLENGE_FILES)]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ROW_ID_MAX = 2**31 - 1  # ids fit every database's INTEGER
ChallengeId = Annotated[int, Path(ge=1, le=ROW_ID_MAX, description="榜单编号")]
AttachmentId = Annotated[int, Path(ge=1, le=ROW_ID_MAX, description="附件编号")]
CONFLICT = {409: {"model": ErrorBody, "description": "生命周期不允许此操作（中文说明原因）"}}

# domain refusals -> HTTP status: bad input 422, a move the lifecycle refuses 409, unknown 404, not yours 403
STATUS_OF: tuple[tuple[type[Exception], int], ...] = (
    (IllegalTransition, 409),
    (challenge_files.AttachmentRefused, 422),
    (challenges.ChallengeError, 422),
    (LookupError, 404),
    (PermissionError, 403),
)


@contextlib.contextmanager
def answering() -> Iterator[None]:
    """Domain refusals as JSON ``{"detail": "<Chinese>"}`` with their HTTP status."""
    try:
        yield
    except tuple(error for error, _ in STATUS_OF) as exc:
        status = next(code for error, code in STATUS_OF if isinstance(exc, error))
        raise HTTPException(status_code=status, detail=refusal_detail(exc)) from exc


def found(session: Session, who: Principal, challenge_id: ChallengeId, action: Action | None = None) -> m.Challenge:
    """The challenge if visible to ``who`` and, given an action, within its reach (else 404 / 403)."""
    with answering():
        challenge = challenges.get(session=session, who=who, challenge_id=challenge_id)
    if action is not None and not challenges.reaches(session, who, action, challenge):
        raise HTTPException(status_code=403, detail="无权操作该榜单：不是您发布的榜单，也不在您负责的街镇/园区")
    return challenge


def _public(
    request: Request, session: Session, who: Principal, challenge: m.Challenge
) -> challenge_views.ChallengePublic:
    return challenge_views.to_public(session, who, challenge, request.app.state.chain)


@router.get(
    "", response_model=list[challenge_views.ChallengePublic], summary="榜单列表（已发榜的公开；草稿仅发榜方可见）"
)
def list_challenges(
    request: Request, session: SessionDep, who: Viewer, status: Status | None = Query(None, description="按状态筛选")
) -> list[challenge_views.ChallengePublic]:
    chain = request.app.state.chain
    found_ = challenges.listing(session=session, who=who, status=status)
    return [challenge_views.to_public(session, who, c, chain, full=False) for c in found_]


@router.post("", response_model=challenge_views.ChallengePublic, status_code=201, summary="发榜：登记需求（草稿）")
def publish(
    request: Request, session: SessionDep, who: Publisher, data: challenges.ChallengeIn
) -> challenge_views.ChallengePublic:
    with answering():
        challenge = challenges.create(session=session, who=who, data=data, chain=request.app.state.chain)
    session.commit()
    return _public(request, session, who, challenge)


@router.get(
    "/{challenge_id}",
    response_model=challenge_views.ChallengePublic,
    summary="榜单详情：需求、状态历史、附件、可见的揭榜方案",
)
def show(
    request: Request, session: SessionDep, who: Viewer, challenge_id: ChallengeId
) -> challenge_views.ChallengePublic:
    return _public(request, session, who, found(session, who, challenge_id))


@router.post(
    "/{challenge_id}/transitions",
    response_model=challenge_views.ChallengePublic,
    summary="状态变更：提交审核、发榜、截止、定榜、签约（生成合同记录）、验收、撤回",
    responses=CONFLICT,
)
def transition(
    request: Request, session: SessionDep, who: Mover, challenge_id: ChallengeId, data: challenges.MoveIn
) -> challenge_views.ChallengePublic:
    challenge = found(session, who, challenge_id)
    with answering():
        challenges.apply_move(session=session, who=who, challenge=challenge, data=data)
    session.commit()
    return _public(request, session, who, challenge)


@router.put(
    "/{challenge_id}/response",
    summary="揭榜或修改本企业的方案（每家企业每个榜单一份，截止日前可修改）",
    responses={201: {"description": "新揭榜（200：修改已有方案）"}, **CONFLICT},
)
def respond(
    session: SessionDep, who: Responder, challenge_id: ChallengeId, data: challenges.ResponseIn, response: Response
) -> dict:
    challenge = found(session, who, challenge_id)
    with answering():
        answer, new = challenges.respond(session=session, who=who, challenge=challenge, data=data)
    session.commit()
    response.status_code = 201 if new else 200
    return challenge_views.response_json(session, answer)


@router.get(
    "/{challenge_id}/shortlist",
    summary="推荐候选：匹配模型排序的企业（含未揭榜企业）与理由，揭榜企业按匹配度排序，已邀请企业",
)
def shortlist(
    request: Request, session: SessionDep, who: Reviewer, challenge_id: ChallengeId, k: int = Query(20, ge=1, le=100)
) -> dict:
    challenge = found(session, who, challenge_id, Action.REVIEW_CHALLENGE)
    with answering():
        return challenge_shortlist.shortlist(session=session, chain=request.app.state.chain, challenge=challenge, k=k)


class InviteIn(BaseModel):
    uscc: str = Field(min_length=1, max_length=18, description="被邀请企业的统一社会信用代码")
    note: str = Field(default="", max_length=500)


@router.post(
    "/{challenge_id}/invitations", status_code=201, summary="区经委邀请推荐企业揭榜（记录邀请）", responses=CONFLICT
)
def invite(session: SessionDep, who: Inviter, challenge_id: ChallengeId, data: InviteIn) -> dict:
    challenge = found(session, who, challenge_id)
    with answering():
        row = challenge_shortlist.invite(
            session=session, actor=who.username, challenge=challenge, uscc=data.uscc, note=data.note
        )
    session.commit()
    return {"id": row.id, "uscc": data.uscc, "invited_by": row.invited_by}


def export_response(session: Session, chain, challenge: m.Challenge) -> Response:
    """The shortlist and award decision as an Excel workbook download."""
    short = challenge_shortlist.shortlist(session=session, chain=chain, challenge=challenge, k=50)
    with tempfile.TemporaryDirectory() as folder:
        path = challenge_shortlist.write_export(
            session=session, challenge=challenge, short=short, path=FilePath(folder) / "export.xlsx"
        )
        content = path.read_bytes()
    name = quote(f"揭榜挂帅_{challenge.id}_推荐与定榜.xlsx")
    return Response(content, media_type=XLSX, headers={"Content-Disposition": f"attachment; filename*=UTF-8''{name}"})


@router.get(
    "/{challenge_id}/export.xlsx",
    summary="推荐候选、揭榜方案与定榜结果（Excel）",
    response_class=Response,
    responses={200: {"content": {XLSX: {}}}},
)
def export(request: Request, session: SessionDep, who: Reviewer, challenge_id: ChallengeId) -> Response:
    challenge = found(session, who, challenge_id, Action.REVIEW_CHALLENGE)
    return export_response(session, request.app.state.chain, challenge)


def store_attachment(
    session: Session, who: Principal, challenge: m.Challenge, upload: UploadFile, data_dir: FilePath, max_bytes: int
) -> m.ChallengeAttachment:
    if Status(challenge.status) not in {Status.DRAFT, Status.UNDER_REVIEW, Status.PUBLISHED}:
        raise HTTPException(status_code=409, detail="榜单已截止，不能再添加附件")
    content = upload.file.read(max_bytes + 1)
    with answering():
        return challenge_files.add(
            session=session,
            challenge=challenge,
            filename=upload.filename or "附件",
            content=content,
            data_dir=data_dir,
            max_bytes=max_bytes,
            actor=who.username,
        )


@router.post(
    "/{challenge_id}/attachments",
    status_code=201,
    summary="上传附件（PDF、图片、Word、Excel；大小受限）",
    responses=CONFLICT,
)
def attach(
    session: SessionDep,
    settings: SettingsDep,
    who: Publisher,
    challenge_id: ChallengeId,
    file: Annotated[UploadFile, File(description="附件")],
) -> dict:
    challenge = found(session, who, challenge_id, Action.PUBLISH_CHALLENGE)
    row = store_attachment(session, who, challenge, file, settings.data_dir, settings.attachment_max_bytes)
    session.commit()
    return {"id": row.id, "filename": row.filename, "size_bytes": row.size_bytes, "content_type": row.content_type}


@router.get(
    "/{challenge_id}/attachments/{attachment_id}",
    summary="下载附件（登录用户）",
    response_class=FileResponse,
    responses={200: {"content": {kind: {} for kind, _, _ in challenge_files.ALLOWED.values()}, "description": "附件"}},
)
def attachment(
    session: SessionDep, settings: SettingsDep, who: FileViewer, challenge_id: ChallengeId, attachment_id: AttachmentId
) -> FileResponse:
    challenge = found(session, who, challenge_id)
    row = session.get(m.ChallengeAttachment, attachment_id)
    path = challenge_files.path_of(settings.data_dir, row) if row and row.challenge_id == challenge.id else None
    if row is None or path is None or not path.is_file():
        raise HTTPException(status_code=404, detail=f"未找到编号为 {attachment_id} 的附件")
    return FileResponse(
        path,
        media_type=row.content_type,
        filename=row.filename,
        headers={"X-Content-Type-Options": "nosniff"},
    )
