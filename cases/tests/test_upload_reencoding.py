"""Uploaded images are re-encoded (EXIF, trailing data and disguised content dropped); active PDFs are refused."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from cases import services
from cases.models import Attachment, CaseEvent
from core.errors import ValidationFailed
from core.testing import tiny_png

pytestmark = pytest.mark.django_db

GPS_IFD = 0x8825


def jpeg_with_gps() -> bytes:
    image = Image.new("RGB", (64, 48), (30, 120, 200))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x0112] = 6  # Orientation: rotated 90°
    exif[GPS_IFD] = {1: "N", 2: (31.0, 13.0, 21.0), 3: "E", 4: (121.0, 26.0, 45.0)}
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif, comment=b"secret note")
    return out.getvalue()


def stored(attachment: Attachment) -> bytes:
    with attachment.file.open("rb") as handle:
        return handle.read()


def test_exif_and_location_are_stripped_and_orientation_applied(street):
    case = street.signed_case()
    attachment = services.case_attach(actor=street.handler, case=case, upload=SimpleUploadedFile("现场.jpg", jpeg_with_gps()))
    data = stored(attachment)
    assert b"PhoneMaker" not in data and b"secret note" not in data
    with Image.open(io.BytesIO(data)) as image:
        assert image.format == "JPEG" and not image.getexif()
        assert image.size == (48, 64)  # turned upright before the orientation tag was dropped
    assert attachment.size == len(data) and attachment.content_type == "image/jpeg"


def test_content_appended_after_the_image_is_dropped(street):
    polyglot = tiny_png() + b"<html><script>alert(document.cookie)</script></html>"
    attachment = services.case_attach(actor=street.intake, case=street.new_case(), upload=SimpleUploadedFile("a.png", polyglot))
    assert b"<script>" not in stored(attachment)


def test_a_file_with_only_an_image_signature_is_refused(street):
    fake = b"\x89PNG\r\n\x1a\n" + b"<?php system($_GET['c']); ?>" * 4
    with pytest.raises(ValidationFailed, match="图片已损坏"):
        services.case_attach(actor=street.intake, case=street.new_case(), upload=SimpleUploadedFile("a.png", fake))
    assert not Attachment.objects.exists() and not CaseEvent.objects.filter(action="attach").exists()


def test_decompression_bombs_are_refused(street, settings):
    settings.UPLOAD_MAX_IMAGE_PIXELS = 1000
    with pytest.raises(ValidationFailed, match="像素过大"):
        services.case_attach(actor=street.intake, case=street.new_case(),
                             upload=SimpleUploadedFile("big.png", tiny_png(size=(100, 100))))


def test_large_photos_are_scaled_down_and_gifs_become_png(street):
    case = street.new_case()
    big = io.BytesIO()
    Image.new("RGB", (5000, 100), (0, 0, 0)).save(big, format="JPEG")
    attachment = services.case_attach(actor=street.intake, case=case, upload=SimpleUploadedFile("wide.jpg", big.getvalue()))
    with Image.open(io.BytesIO(stored(attachment))) as image:
        assert max(image.size) == 4096
    gif = io.BytesIO()
    Image.new("P", (10, 10)).save(gif, format="GIF")
    converted = services.case_attach(actor=street.intake, case=case, upload=SimpleUploadedFile("a.gif", gif.getvalue()))
    assert converted.content_type == "image/png" and converted.file.name.endswith(".png")


def test_pdfs_with_scripts_are_refused(street):
    pdf = b"%PDF-1.4\n1 0 obj<< /Type /Catalog /OpenAction << /S /JavaScript /JS (app.alert(1)) >> >>endobj\n"
    with pytest.raises(ValidationFailed, match="脚本"):
        services.case_attach(actor=street.intake, case=street.new_case(), upload=SimpleUploadedFile("a.pdf", pdf))
