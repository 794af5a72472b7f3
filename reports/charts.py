"""Report charts as PNG, drawn with Pillow so the same image goes into the Word file and the PDF.

ECharts draws the dashboard in the browser; a report is rendered on the server with no browser, so its few charts
(bars and a trend line) are drawn here with the Noto CJK font from Debian's fonts-noto-cjk."""

from __future__ import annotations

import glob
from functools import lru_cache
from io import BytesIO

from PIL import Image, ImageDraw, ImageFont

FONT_CANDIDATES = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
)
PALETTE = ("#2f6fb3", "#e07b39", "#3a9d5d", "#c0392b", "#8e44ad", "#7f8c8d")
WIDTH, SCALE = 900, 2  # drawn at 2× for a sharp print


@lru_cache(maxsize=1)
def cjk_font_path() -> str | None:
    for path in (*FONT_CANDIDATES, *sorted(glob.glob("/usr/share/fonts/**/NotoSansCJK*.tt[cf]", recursive=True))):
        try:
            ImageFont.truetype(path, 12)
            return path
        except OSError:
            continue
    return None


def _font(size: int) -> ImageFont.ImageFont:
    path = cjk_font_path()
    return ImageFont.truetype(path, size * SCALE) if path else ImageFont.load_default(size * SCALE)


def _png(image: Image.Image) -> bytes:
    buffer = BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def bar_chart(title: str, labels: list[str], values: list[float], *, unit: str = "件") -> bytes:
    """Horizontal bars, largest first as given, each labelled with its value."""
    rows = max(len(labels), 1)
    row_height, top, left, right = 34 * SCALE, 56 * SCALE, 190 * SCALE, 90 * SCALE
    width, height = WIDTH * SCALE, top + rows * row_height + 20 * SCALE
    image = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(image)
    draw.text((20 * SCALE, 14 * SCALE), title, fill="#222222", font=_font(18))
    label_font, value_font = _font(13), _font(12)
    biggest = max([v for v in values if v] or [1])
    span = width - left - right
    for index, (label, value) in enumerate(zip(labels, values, strict=True)):
        y = top + index * row_height
        text = label if len(label) <= 12 else label[:11] + "…"
        draw.text((left - 10 * SCALE, y + row_height / 2), text, fill="#333333", font=label_font, anchor="rm")
        length = int(span * (value or 0) / biggest)
        draw.rectangle((left, y + 6 * SCALE, left + max(length, 1), y + row_height - 6 * SCALE),
                       fill=PALETTE[index % len(PALETTE)])
        shown = f"{value:g}{unit}" if value is not None else "—"
        draw.text((left + length + 8 * SCALE, y + row_height / 2), shown, fill="#333333", font=value_font, anchor="lm")
    if not labels:
        draw.text((width / 2, top), "本月无数据", fill="#888888", font=label_font, anchor="mt")
    return _png(image)


def line_chart(title: str, categories: list[str], series: list[tuple[str, list[float | None]]]) -> bytes:
    """Percentages (0–100) over months, one line per series, with a legend; gaps where a month has no value."""
    width, height = WIDTH * SCALE, 360 * SCALE
    left, right, top, bottom = 60 * SCALE, 30 * SCALE, 80 * SCALE, 50 * SCALE
    image = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(image)
    draw.text((20 * SCALE, 14 * SCALE), title, fill="#222222", font=_font(18))
    small = _font(11)
    plot_w, plot_h = width - left - right, height - top - bottom
    for percent in range(0, 101, 20):
        y = top + plot_h - plot_h * percent / 100
        draw.line((left, y, width - right, y), fill="#e5e5e5", width=SCALE)
        draw.text((left - 8 * SCALE, y), f"{percent}%", fill="#666666", font=small, anchor="rm")
    step = plot_w / max(len(categories) - 1, 1)
    for index, name in enumerate(categories):
        draw.text((left + index * step, top + plot_h + 8 * SCALE), name[-5:], fill="#666666", font=small, anchor="mt")
    for number, (name, values) in enumerate(series):
        colour = PALETTE[number % len(PALETTE)]
        legend_x = left + number * 170 * SCALE
        draw.rectangle((legend_x, 50 * SCALE, legend_x + 18 * SCALE, 60 * SCALE), fill=colour)
        draw.text((legend_x + 24 * SCALE, 55 * SCALE), name, fill="#333333", font=_font(12), anchor="lm")
        points = [(left + i * step, top + plot_h - plot_h * v / 100) if v is not None else None
                  for i, v in enumerate(values)]
        for a, b in zip(points, points[1:], strict=False):
            if a and b:
                draw.line((a, b), fill=colour, width=3 * SCALE)
        for point in points:
            if point:
                draw.ellipse((point[0] - 4 * SCALE, point[1] - 4 * SCALE, point[0] + 4 * SCALE, point[1] + 4 * SCALE),
                             fill=colour)
    return _png(image)
