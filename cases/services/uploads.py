"""Checking uploads by content: images are decoded and re-encoded, PDFs with active content are refused.

A PDF is parsed with pypdf (strict) and every object in its cross-reference table, including those packed into
compressed object streams, is walked: a name written with `#xx` escapes is the same name once parsed, so
`/J#61vaScript` is /JavaScript here. What pypdf cannot read completely, or what is encrypted, is refused: a check
that could not see everything is no check.

Re-encoding keeps only pixels: EXIF (GPS position of a resident's phone, camera serials), comments, trailing data
and anything smuggled after the image end are dropped, and a file that only looks like an image fails to decode.
"""

from __future__ import annotations

import io
import logging
import re
import warnings

from django.conf import settings
from django.core.files.base import ContentFile
from PIL import Image, ImageOps, UnidentifiedImageError
from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject

from core.errors import ValidationFailed

# Photos from phones are often 4000+ px; a case needs to show the problem, not print a poster.
MAX_IMAGE_SIDE = 4096
# Names that make a PDF act rather than show: scripts, launching programs, embedded files, forms posting out,
# remote go-tos, XFA forms. Refused as a dictionary key or as a name value (/S /Launch, /Type /EmbeddedFile).
PDF_ACTIVE_NAMES = frozenset({
    "/JavaScript", "/JS", "/AA", "/Launch", "/EmbeddedFile", "/EmbeddedFiles", "/RichMedia", "/RichMediaExecute",
    "/SubmitForm", "/ImportData", "/GoToR", "/GoToE", "/XFA",
})
# Also on the raw bytes outside stream bodies with `#xx` escapes undone, for objects a viewer might recover that the
# cross-reference does not list (stream bodies are binary; object streams among them are walked by pypdf).
PDF_ACTIVE_RAW = re.compile(
    rb"/(JavaScript|JS|Launch|EmbeddedFiles?|RichMedia|OpenAction|AA|SubmitForm|ImportData|GoTo[RE]|XFA)(?![A-Za-z0-9])"
)
PDF_STREAM_BODY = re.compile(rb"stream\r?\n.*?endstream", re.DOTALL)
PDF_NAME_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")
PDF_ACTIVE_MESSAGE = "PDF 文件含有脚本或嵌入内容,请另存为普通 PDF 后再上传"
PDF_UNREADABLE_MESSAGE = "无法完整检查的 PDF 已拒绝,请另存为普通 PDF 后再上传"
logging.getLogger("pypdf").setLevel(logging.ERROR)  # its warnings about a damaged file become our refusal

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
    """Refuse PDFs that carry scripts, launch actions or embedded files, and PDFs that cannot be read completely."""
    unescaped = PDF_NAME_ESCAPE.sub(lambda m: bytes([int(m.group(1), 16)]), PDF_STREAM_BODY.sub(b"stream", data))
    if PDF_ACTIVE_RAW.search(unescaped) and _pdf_active_raw(unescaped):
        raise ValidationFailed(PDF_ACTIVE_MESSAGE, details={"field": "file"})
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            reader = PdfReader(io.BytesIO(data), strict=True)
            if reader.is_encrypted:
                raise ValueError("encrypted")
            active = _pdf_has_active_content(reader)
    except ValidationFailed:
        raise
    except Exception as exc:  # noqa: BLE001 - whatever pypdf cannot parse is refused, not passed through
        raise ValidationFailed(PDF_UNREADABLE_MESSAGE, details={"field": "file"}) from exc
    if active:
        raise ValidationFailed(PDF_ACTIVE_MESSAGE, details={"field": "file"})


def _pdf_active_raw(unescaped: bytes) -> bool:
    """A raw hit counts unless it is only /OpenAction with a destination array (open at page 1), which is harmless."""
    for match in PDF_ACTIVE_RAW.finditer(unescaped):
        if match.group(1) != b"OpenAction" or not unescaped[match.end():match.end() + 40].lstrip().startswith(b"["):
            return True
    return False


def _pdf_objects(reader: PdfReader):
    """The trailer and every object the cross-reference lists, those inside object streams included."""
    yield reader.trailer
    for generation, numbers in reader.xref.items():
        for number in numbers:
            yield reader.get_object(IndirectObject(number, generation, reader))
    for number in reader.xref_objStm:
        yield reader.get_object(IndirectObject(number, 0, reader))


def _pdf_has_active_content(reader: PdfReader) -> bool:
    seen: set[tuple[int, int]] = set()
    stack = list(_pdf_objects(reader))
    while stack:
        item = stack.pop()
        if isinstance(item, IndirectObject):
            if (item.idnum, item.generation) in seen:
                continue
            seen.add((item.idnum, item.generation))
            item = item.get_object()
            if item is None:
                raise ValueError("dangling reference")
        if isinstance(item, DictionaryObject):  # streams are dictionaries too
            for key, value in item.items():
                if key in PDF_ACTIVE_NAMES:
                    return True
                if key == "/OpenAction" and isinstance(value.get_object() if isinstance(value, IndirectObject) else value,
                                                       DictionaryObject):
                    return True
                stack.append(value)
        elif isinstance(item, ArrayObject):
            stack.extend(item)
        elif isinstance(item, NameObject) and item in PDF_ACTIVE_NAMES:
            return True
    return False
