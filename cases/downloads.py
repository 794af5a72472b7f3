"""Serving attachments safely: always as a download with the sniffed type, never rendered inline."""

from django.http import FileResponse

from .models import Attachment


def attachment_response(attachment: Attachment) -> FileResponse:
    response = FileResponse(
        attachment.file.open("rb"), as_attachment=True, filename=attachment.original_name,
        content_type=attachment.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
