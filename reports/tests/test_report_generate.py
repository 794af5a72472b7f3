"""Word and PDF files of the 情况分析: command, Chinese text and fonts, archive, and no half file on a crash."""

from datetime import date
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from docx import Document
from pypdf import PdfReader

from org.services import system_user
from reports import document, services
from reports.models import Report

pytestmark = pytest.mark.django_db


def _docx_text(path: Path) -> str:
    doc = Document(path)
    cells = [cell.text for table in doc.tables for row in table.rows for cell in row.cells]
    return "\n".join([p.text for p in doc.paragraphs] + cells)


def test_command_writes_word_and_pdf_in_chinese(october, tmp_path, capsys):
    out = tmp_path / "out"
    call_command("generate_report", "--month", "2026-10", "--out", str(out))
    docx, pdf = out / "2026-10-情况分析.docx", out / "2026-10-情况分析.pdf"
    text = _docx_text(docx)
    assert "2026年10月12345热线及城运工单情况分析" in text and "街道共受理各类诉求3件" in text
    assert "五、不满意工单" in text and "只清理了一半" in text and october["bad"].number in text
    assert "13812341234" not in text and "128弄3号" not in text          # personal data masked in the report
    assert "愚园路xx弄x号(3次)" in text                                  # the repeated address, house number hidden
    assert len(Document(docx).inline_shapes) >= 3                       # trend, sources, categories charts
    reader = PdfReader(pdf)
    pdf_text = "".join(page.extract_text() for page in reader.pages)
    assert "街道共受理各类诉求3件" in pdf_text.replace(" ", "").replace("\n", "")
    fonts = {str(font.get("/BaseFont")) for page in reader.pages
             for font in (page["/Resources"].get("/Font") or {}).values() for font in [font.get_object()]}
    assert any("Noto-Sans-CJK-SC" in name for name in fonts), fonts         # Chinese glyphs from fonts-noto-cjk
    report = Report.objects.get()
    assert report.status == "done" and report.progress == 100 and "街道共受理" in report.summary
    assert "已生成" in capsys.readouterr().out


def test_bad_month_is_a_clear_error(october, tmp_path):
    with pytest.raises(CommandError, match="月份格式不正确"):
        call_command("generate_report", "--month", "10/2026", "--out", str(tmp_path))
    with pytest.raises(CommandError, match="未来月份"):
        call_command("generate_report", "--month", "2099-01", "--out", str(tmp_path))
    assert not Report.objects.exists()


def test_a_crash_while_writing_leaves_no_file_and_a_failed_report(october, monkeypatch, settings):
    report = services.report_request(actor=system_user(), month=date(2026, 10, 1))

    def half_written_then_killed(blocks, path):
        Path(path).write_bytes(b"%PDF-1.7 half")
        raise OSError("worker killed")

    monkeypatch.setattr(services, "write_pdf", half_written_then_killed)
    with pytest.raises(OSError):
        services.report_generate(report.pk)
    report.refresh_from_db()
    assert report.status == "failed" and "worker killed" in report.error
    assert report.docx_path == "" and report.pdf_path == ""            # nothing linked for download
    folder = Path(settings.MEDIA_ROOT) / "reports" / "2026-10"
    assert not list(folder.glob("*.pdf"))                                # only a .partial, never a half .pdf
    monkeypatch.setattr(services, "write_pdf", document.write_pdf)
    assert services.report_generate(report.pk).status == "done"          # a retry completes it


def test_blocks_drop_characters_xml_cannot_hold(tmp_path):
    """A title stored before the input guard with a \\x0b must not make Word or PDF generation fail."""
    blocks = [
        document.Block(kind="heading", text="标题\x0b一"),
        document.Block(kind="paragraph", text="内容\x01二"),
        document.Block(kind="table", headers=("列\x0c",), rows=(("格\x1f",),)),
    ]
    assert blocks[0].text == "标题一" and blocks[2].rows == (("格",),)
    document.write_docx(blocks, tmp_path / "r.docx")
    text = "\n".join(p.text for p in Document(tmp_path / "r.docx").paragraphs)
    assert "标题一" in text and "内容二" in text
