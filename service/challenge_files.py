"""Challenge attachments: size-limited, type-checked by content, stored under the data directory.

A file is kept only if its bytes are what its name says (PDF, PNG, JPEG, Word .docx, Excel .xlsx);
it is stored under a random name, so an uploaded name never becomes a path.
"""

from __future__ import annotations

import io
import secrets
import zipfile
from pathlib import Path, PurePath

from sqlmodel import Session, col, select

from service import audit
from service import models as m

# suffix -> (content type, the bytes it starts with, for the Office formats: a part it must contain)
ALLOWED = {
    ".pdf": ("application/pdf", b"%PDF-", None),
    ".png": ("image/png", b"\x89PNG\r\n\x1a\n", None),
    ".jpg": ("image/jpeg", b"\xff\xd8\xff", None),
    ".jpeg": ("image/jpeg", b"\xff\xd8\xff", None),
    ".docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", b"PK\x03\x04", "word/"),
    ".xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", b"PK\x03\x04", "xl/"),
}
KINDS = "PDF、PNG、JPEG、Word（.docx）或 Excel（.xlsx）"


class AttachmentRefused(ValueError):
    """A file that is not kept: too large, empty, or not the type its name says; the message is Chinese."""


def folder(data_dir: Path, challenge_id: int) -> Path:
    return data_dir / "challenges" / str(challenge_id)


def _office_part(content: bytes, part: str) -> bool:
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            return any(name.startswith(part) for name in archive.namelist())
    except zipfile.BadZipFile:
        return False


def content_type(filename: str, content: bytes, max_bytes: int) -> str:
    """The file's content type, or AttachmentRefused naming the file and what is wrong."""
    suffix = PurePath(filename).suffix.lower()
    if suffix not in ALLOWED:
        raise AttachmentRefused(f"附件“{filename}”：只接受 {KINDS}")
    if not content:
        raise AttachmentRefused(f"附件“{filename}”：文件为空")
    if len(content) > max_bytes:
        raise AttachmentRefused(f"附件“{filename}”：{len(content):,} 字节，超过上限 {max_bytes:,} 字节")
    kind, magic, part = ALLOWED[suffix]
    if not content.startswith(magic) or (part and not _office_part(content, part)):
        raise AttachmentRefused(f"附件“{filename}”：文件内容与扩展名 {suffix} 不符")
    return kind


def add(
    *,
    session: Session,
    challenge: m.Challenge,
    filename: str,
    content: bytes,
    data_dir: Path,
    max_bytes: int,
    actor: str,
) -> m.ChallengeAttachment:
    """Check, write the file, and add its row (the caller commits; on a failed commit the file is orphaned,
    never half a row)."""
    assert challenge.id is not None
    name = PurePath(filename.replace("\\", "/")).name[:200] or "附件"
    kind = content_type(name, content, max_bytes)
    stored = secrets.token_hex(16) + PurePath(name).suffix.lower()
    target = folder(data_dir, challenge.id)
    target.mkdir(parents=True, exist_ok=True)
    (target / stored).write_bytes(content)
    row = m.ChallengeAttachment(
        challenge_id=challenge.id,
        filename=name,
        stored_name=stored,
        content_type=kind,
        size_bytes=len(content),
        uploaded_by=actor[:64],
    )
    session.add(row)
    audit.record(
        session=session,
        actor=actor,
        action="challenge_attachment",
        target=f"challenge:{challenge.id}",
        after={"filename": name, "size_bytes": len(content)},
    )
    return row


def listed(*, session: Session, challenge: m.Challenge) -> list[m.ChallengeAttachment]:
    query = select(m.ChallengeAttachment).where(m.ChallengeAttachment.challenge_id == challenge.id)
    return list(session.exec(query.order_by(col(m.ChallengeAttachment.id))))


def path_of(data_dir: Path, attachment: m.ChallengeAttachment) -> Path:
    return folder(data_dir, attachment.challenge_id) / attachment.stored_name
