"""Checking uploads by content: images are decoded and re-encoded, PDFs with active content are refused.

Re-encoding keeps only pixels: EXIF (GPS position of a resident's phone, camera serials), comments, trailing data
and anything smuggled after the image end are dropped, and a file that only looks like an image fails to decode.
"""

from __future__ import annotations

import io
import re
import warnings

from django.conf import settings
from django.core.files.base import ContentFile
from PIL import Image, ImageOps, UnidentifiedImageError

from chengyun.errors import ValidationFailed

# Photos from phones are often 4000+ px; a case needs to show the problem, not print a poster.
MAX_IMAGE_SIDE = 4096
# Names that make a PDF act rather than show: scripts, launching programs, embedded files, forms posting out.
PDF_ACTIVE = re.compile(rb"/(JavaScript|JS|Launch|EmbeddedFile|EmbeddedFiles|RichMedia|OpenAction|AA|SubmitForm|XFA)\b")

OUTPUT = {  # sniffed type → (Pillow format, stored type, extension)
    "image/jpeg": ("JPEG", "image/jpeg", ".jpg"),
    "image/png": ("PNG", "image/png", ".png"),
    "image/gif": ("PNG", "image/png", ".png"),  # first frame only; animations carry nothing a case needs
    "image/webp": ("WEBP", "image/webp", ".webp"),
}


def image_reencode(data: bytes, content_type: str) -> tuple[ContentFile, str, str]:
    """The image's pixels in a fresh file: (file, content type, extension). Refuses what does not decode."""
    pillow_format, stored_type, extension = OUTPUT[content_type]
    Image.MAX_IMAGE_PIXELS = settings.UPLOAD_MAX_IMAGE_PIXELS
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                image.load()
                image = ImageOps.exif_transpose(image)  # keep what the camera meant as "up" before EXIF goes
                image.thumbnail((MAX_IMAGE_SIDE, MAX_IMAGE_SIDE))
                # Pillow would carry comments, EXIF and ICC data over from `info`; only transparency is pixels.
                image.info = {key: value for key, value in image.info.items() if key == "transparency"}
                if pillow_format == "JPEG" and image.mode not in ("RGB", "L"):
                    image = image.convert("RGB")
                elif pillow_format in ("PNG", "WEBP") and image.mode not in ("RGB", "RGBA", "L", "LA", "P"):
                    image = image.convert("RGBA")
                out = io.BytesIO()
                options = {"quality": 85} if pillow_format in ("JPEG", "WEBP") else {"optimize": True}
                image.save(out, format=pillow_format, **options)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise ValidationFailed("图片像素过大,请压缩后再上传", details={"field": "file"}) from exc
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as exc:
        raise ValidationFailed("图片已损坏或不是有效的图片文件", details={"field": "file"}) from exc
    return ContentFile(out.getvalue()), stored_type, extension


def pdf_check(data: bytes) -> None:
    """Refuse PDFs that carry scripts, launch actions or embedded files."""
    if PDF_ACTIVE.search(data):
        raise ValidationFailed("PDF 文件含有脚本或嵌入内容,请另存为普通 PDF 后再上传", details={"field": "file"})
