"""附件: a file attached to a case, checked by content (cases.services.uploads) before it is stored."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from core.errors import ValidationFailed
from org.models import User

from ..models import (
    Attachment,
    Case,
    CaseEvent,
)
from . import lifecycle, uploads
from .engine import perform

# --- 附件 ------------------------------------------------------------------------------------------

MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
# Types are decided by content, not by the name or the browser's claim.
ATTACHMENT_SIGNATURES = {
    b"\xff\xd8\xff": ("image/jpeg", ".jpg"),
    b"\x89PNG\r\n\x1a\n": ("image/png", ".png"),
    b"%PDF-": ("application/pdf", ".pdf"),
    b"GIF87a": ("image/gif", ".gif"),
    b"GIF89a": ("image/gif", ".gif"),
}


def sniff_attachment(head: bytes) -> tuple[str, str]:
    for signature, kind in ATTACHMENT_SIGNATURES.items():
        if head.startswith(signature):
            return kind
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp", ".webp"
    raise ValidationFailed("附件只支持 JPG、PNG、GIF、WEBP 图片和 PDF 文件", details={"field": "file"})


@dataclass(frozen=True)
class CheckedUpload:
    """An upload that passed the content check: what will be stored, under which type and extension."""

    stored: Any
    content_type: str
    extension: str
    original: str
    size: int


def check_upload(upload) -> CheckedUpload:
    """The content check of one upload (size, sniffed type, images re-encoded, PDFs checked); 422 if refused."""
    size = getattr(upload, "size", None) or 0
    if size <= 0:
        raise ValidationFailed("附件为空", details={"field": "file"})
    if size > MAX_ATTACHMENT_BYTES:
        raise ValidationFailed("附件不能超过 10 MB", details={"field": "file"})
    data = upload.read(MAX_ATTACHMENT_BYTES + 1)
    upload.seek(0)
    content_type, extension = sniff_attachment(data[:16])
    # What is stored is what the content check produced: images re-encoded, PDFs checked (cases/uploads.py).
    if content_type.startswith("image/"):
        stored, content_type, extension = uploads.image_reencode(data, content_type)
    else:
        uploads.pdf_check(data)
        stored = upload
    original = (getattr(upload, "name", "") or "附件")[-200:]
    return CheckedUpload(stored, content_type, extension, original, stored.size)


def store_attachment(*, actor: User, case: Case, event: CaseEvent, checked: CheckedUpload) -> Attachment:
    attachment = Attachment(case_id=case.pk, event=event, original_name=checked.original,
                            content_type=checked.content_type, size=checked.size, uploaded_by=actor,
                            uploaded_at=event.at)
    # Stored under a random name with the sniffed extension, never the uploader's.
    attachment.file.save(f"{secrets.token_hex(12)}{checked.extension}", checked.stored, save=False)
    attachment.save()
    return attachment


def case_attach(*, actor: User, case: Case, upload, note: str = "") -> Attachment:
    """上传附件: a photo or PDF on the case, recorded as its own event."""
    checked = check_upload(upload)
    with transaction.atomic():
        event = perform(actor=actor, case=case, action="attach", note=note,
                        payload={"name": checked.original, "content_type": checked.content_type, "size": checked.size})
        return store_attachment(actor=actor, case=case, event=event, checked=checked)


MAX_FINISH_PHOTOS = 9


def case_finish_with_photos(*, actor: User, case: Case, result: str, demand_met: bool = True, explanation: str = "",
                            photos=()) -> Case:
    """办结 with the site photos taken for it: every photo checked first, then the 办结 and the photos, each
    an attachment of the case linked to the finish event, in one transaction (a refused photo finishes nothing)."""
    photos = [p for p in photos if getattr(p, "size", 0)]
    if len(photos) > MAX_FINISH_PHOTOS:
        raise ValidationFailed(f"办结照片最多 {MAX_FINISH_PHOTOS} 张", details={"field": "photos"})
    checked = []
    for photo in photos:
        try:
            checked.append(check_upload(photo))
        except ValidationFailed as exc:
            name = (getattr(photo, "name", "") or "")[-60:]
            raise ValidationFailed(f"照片「{name}」:{exc.message}", details={"field": "photos"}) from None
    with transaction.atomic():
        lifecycle.case_finish(actor=actor, case=case, result=result, demand_met=demand_met, explanation=explanation)
        if checked:
            event = CaseEvent.objects.filter(case_id=case.pk, action="finish").order_by("-id").first()
            for item in checked:
                store_attachment(actor=actor, case=case, event=event, checked=item)
    return case
