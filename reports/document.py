"""The 情况分析 as one list of blocks, written out as Word (python-docx) and as PDF (HTML → WeasyPrint).

Building the content once keeps the two files saying exactly the same thing."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import datetime
from html import escape
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from cases import policy
from core.text import strip_illegal
from kpi.definitions import KPI_BY_CODE

from . import charts
from .selectors import ReportFigures, percent_text

RATE_COLUMNS = ("sign_on_time", "first_contact", "handled_on_time", "satisfied", "solved")


@dataclass
class Block:
    kind: str  # cover | heading | paragraph | image | table | pagebreak
    text: str = ""
    level: int = 1
    image: bytes = b""
    headers: tuple[str, ...] = ()
    rows: tuple[tuple[str, ...], ...] = ()
    lines: tuple[str, ...] = ()  # a cover's lines under the title

    def __post_init__(self) -> None:
        # A stored text may hold a character XML cannot carry (a \x0b pasted from Excel before the input guard):
        # python-docx and WeasyPrint would fail on it, and with them the whole report.
        self.text = strip_illegal(self.text)
        self.headers = tuple(strip_illegal(str(h)) for h in self.headers)
        self.rows = tuple(tuple(strip_illegal(str(c)) for c in row) for row in self.rows)
        self.lines = tuple(strip_illegal(line) for line in self.lines)


def _when(value: datetime | None) -> str:
    return timezone.localtime(value).strftime("%m-%d %H:%M") if value else ""


def report_blocks(title: str, f: ReportFigures) -> list[Block]:
    b: list[Block] = [Block("cover", title, lines=(
        f"{settings.STREET_NAME}城市运行管理中心",
        f"统计区间:{f.start:%Y年%m月%d日}至{f.end:%Y年%m月%d日}(按受理时间)",
        f"生成时间:{timezone.localtime():%Y年%m月%d日 %H:%M}"))]
    b.append(Block("heading", "一、总体情况"))
    b += [Block("paragraph", text) for text in f.summary]
    b.append(Block("image", image=charts.line_chart(
        "近12个月三率趋势(按受理月份)", [r["month"] for r in f.trend],
        [(KPI_BY_CODE[c].name, [None if r[c]["value"] is None else round(r[c]["value"] * 100, 1) for r in f.trend])
         for c in ("first_contact", "handled_on_time", "satisfied")])))

    b.append(Block("heading", "二、诉求来源与类别"))
    b.append(Block("image", image=charts.bar_chart("按来源", [r["label"] for r in f.by_source],
                                                  [r["cases"] for r in f.by_source])))
    b.append(Block("image", image=charts.bar_chart("按问题大类", [r["label"] for r in f.by_category[:12]],
                                                  [r["cases"] for r in f.by_category[:12]])))
    b.append(Block("table", headers=("居民区", "工单", "按时办结率", "满意率"), rows=tuple(
        (r["label"], str(r["cases"]), percent_text(r["handled_on_time"]["value"]), percent_text(r["satisfied"]["value"]))
        for r in f.by_neighbourhood)))

    b.append(Block("heading", "三、各单位三率及排名"))
    b.append(Block("paragraph", "按满意率排名(回访满意与基本满意 ÷ 已回访);同率按单位名称排序,无回访的单位列后。"))
    b.append(Block("table", headers=("名次", "单位", "工单", *(KPI_BY_CODE[c].name for c in RATE_COLUMNS), "超时", "退单率"),
                   rows=tuple((str(r["rank"] or "—"), r["label"], str(r["cases"]),
                               *(percent_text(r[c]["value"]) for c in RATE_COLUMNS), str(r["overdue"]["value"]),
                               percent_text(r["returned"]["value"])) for r in f.departments)))

    b.append(Block("heading", "四、超时工单"))
    if f.overdue:
        b.append(Block("table", headers=("工单编号", "类别", "主办单位", "办结期限", "办结时间", "状态"), rows=tuple(
            (r["number"], r["category"], r["department"], _when(r["handle_deadline"]), _when(r["handled_at"]) or "未办结",
             r["state"]) for r in f.overdue)))
    else:
        b.append(Block("paragraph", "本月受理的工单无超时。"))

    b.append(Block("heading", "五、不满意工单"))
    if not f.unsatisfied:
        b.append(Block("paragraph", "本月回访无不满意工单。"))
    for number, r in enumerate(f.unsatisfied, start=1):
        b.append(Block("heading", f"{number}. {r['number']} {r['title']}", level=2))
        b.append(Block("paragraph", f"类别:{r['category']};居民区:{r['neighbourhood'] or '—'};主办单位:{r['department']};"
                                    f"回访时间:{_when(r['called_back_at'])};当前状态:{r['state']}。"))
        b.append(Block("paragraph", f"诉求内容:{r['content']}"))
        b.append(Block("paragraph", f"处置情况:{r['result'] or '尚未办结'}"))
        b.append(Block("paragraph", f"回访意见:{r['remarks'] or '—'}"))

    b.append(Block("heading", "六、热点区域"))
    b.append(Block("table", headers=("居民区", "小区", "工单"), rows=tuple(
        (h["neighbourhood__name"] or "", h["estate__name"], str(h["n"])) for h in f.hotspots["estates"])))
    if f.hotspots["addresses"]:
        b.append(Block("paragraph", "同一地址重复反映(门牌已隐去):" + ";".join(
            f"{policy.mask_address(h['address'])}({h['n']}次)" for h in f.hotspots["addresses"])))

    b.append(Block("heading", "七、典型案例"))
    if not f.typical:
        b.append(Block("paragraph", "本月无督办、重办或催单的工单。"))
    for number, r in enumerate(f.typical, start=1):
        b.append(Block("heading", f"案例{number}:{r['number']} {r['title']}", level=2))
        b.append(Block("paragraph", f"{r['content']}(主办单位:{r['department']},状态:{r['state']})"))
        b.append(Block("paragraph", f"处置情况:{r['result'] or '尚未办结'}"))

    b.append(Block("pagebreak"))
    b.append(Block("heading", "附表:本月受理工单明细"))
    if f.appendix_truncated:
        b.append(Block("paragraph", f"(工单较多,附表仅列前{len(f.appendix)}件,完整清单请在工单列表中按受理日期导出 Excel。)"))
    b.append(Block("table", headers=("工单编号", "受理时间", "来源", "类别", "居民区", "主办单位", "状态", "满意度"), rows=tuple(
        (r["number"], _when(r["registered_at"]), r["source"], r["category"], r["neighbourhood"], r["department"], r["state"],
         r["satisfaction"]) for r in f.appendix)))
    return b


# --- Word ---------------------------------------------------------------------------------------------


def write_docx(blocks: list[Block], path: Path) -> None:
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
    from docx.oxml.ns import qn
    from docx.shared import Cm, Pt

    document = Document()
    font_name = settings.REPORT_DOCX_FONT
    for style_name in ("Normal", "Heading 1", "Heading 2", "Title"):
        style = document.styles[style_name]
        style.font.name = font_name
        style.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), font_name)
    document.styles["Normal"].font.size = Pt(11)
    for block in blocks:
        if block.kind == "cover":
            for _ in range(6):
                document.add_paragraph()
            heading = document.add_heading(block.text, level=0)
            heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
            for line in block.lines:
                document.add_paragraph(line).alignment = WD_ALIGN_PARAGRAPH.CENTER
            document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
        elif block.kind == "heading":
            document.add_heading(block.text, level=block.level)
        elif block.kind == "paragraph":
            paragraph = document.add_paragraph(block.text)
            paragraph.paragraph_format.first_line_indent = Pt(22)
        elif block.kind == "image":
            from io import BytesIO

            document.add_picture(BytesIO(block.image), width=Cm(16))
        elif block.kind == "table":
            table = document.add_table(rows=1, cols=len(block.headers))
            table.style = "Table Grid"
            for cell, text in zip(table.rows[0].cells, block.headers, strict=True):
                cell.text = text
                for run in cell.paragraphs[0].runs:
                    run.bold = True
            for row in block.rows:
                for cell, text in zip(table.add_row().cells, row, strict=True):
                    cell.text = text
            if not block.rows:
                document.add_paragraph("(无)")
        elif block.kind == "pagebreak":
            document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    document.save(path)


# --- PDF ----------------------------------------------------------------------------------------------

PDF_CSS = """
@page { size: A4; margin: 2cm 1.8cm; @bottom-center { content: counter(page); font-size: 9pt; color: #666; } }
body { font-family: "Noto Sans CJK SC", "Noto Serif CJK SC", sans-serif; font-size: 10.5pt; line-height: 1.6; }
.cover { page-break-after: always; text-align: center; padding-top: 8cm; }
.cover h1 { font-size: 22pt; } .cover p { text-indent: 0; } h2 { font-size: 14pt; margin-top: 1.2em; } h3 { font-size: 11.5pt; }
p { text-indent: 2em; margin: 0.3em 0; } img { width: 100%; }
table { border-collapse: collapse; width: 100%; font-size: 8.5pt; margin: 0.5em 0; }
th, td { border: 1px solid #999; padding: 2px 4px; } th { background: #eef2f7; }
.pagebreak { page-break-after: always; }
"""


def blocks_html(blocks: list[Block]) -> str:
    parts = [f"<html><head><meta charset='utf-8'><style>{PDF_CSS}</style></head><body>"]
    for block in blocks:
        if block.kind == "cover":
            lines = "".join(f"<p>{escape(line)}</p>" for line in block.lines)
            parts.append(f"<div class='cover'><h1>{escape(block.text)}</h1>{lines}</div>")
        elif block.kind == "heading":
            tag = "h2" if block.level == 1 else "h3"
            parts.append(f"<{tag}>{escape(block.text)}</{tag}>")
        elif block.kind == "paragraph":
            parts.append(f"<p>{escape(block.text)}</p>")
        elif block.kind == "image":
            parts.append(f"<img src='data:image/png;base64,{base64.b64encode(block.image).decode()}'>")
        elif block.kind == "table":
            head = "".join(f"<th>{escape(h)}</th>" for h in block.headers)
            body = "".join("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in row) + "</tr>" for row in block.rows)
            parts.append(f"<table><thead><tr>{head}</tr></thead><tbody>{body or '<tr><td>(无)</td></tr>'}</tbody></table>")
        elif block.kind == "pagebreak":
            parts.append("<div class='pagebreak'></div>")
    parts.append("</body></html>")
    return "".join(parts)


def write_pdf(blocks: list[Block], path: Path) -> None:
    from weasyprint import HTML

    HTML(string=blocks_html(blocks)).write_pdf(path)
