"""附件: a file attached to a case, checked by content (cases.services.uploads) before it is stored."""

from __future__ import annotations

import secrets

from django.db import transaction

from core.errors import ValidationFailed
from org.models import User

from ..models import (
    Attachment,
    Case,
)
from . import uploads
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


def case_attach(*, actor: User, case: Case, upload, note: str = "") -> Attachment:
    """上传附件: a photo or PDF on the case, recorded as its own event."""
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
    size = stored.size
    original = (getattr(upload, "name", "") or "附件")[-200:]
    with transaction.atomic():
        event = perform(actor=actor, case=case, action="attach", note=note,
                         payload={"name": original, "content_type": content_type, "size": size})
        attachment = Attachment(case_id=case.pk, event=event, original_name=original, content_type=content_type,
                                size=size, uploaded_by=actor, uploaded_at=event.at)
        # Stored under a random name with the sniffed extension, never the uploader's.
        attachment.file.save(f"{secrets.token_hex(12)}{extension}", stored, save=False)
        attachment.save()
    return attachment
