"""The demo street's waterlogging sensors: its 易积水小区 and low road sections, a flood season of readings, and the
storms whose alarms opened cases through the real sensors path (sensors.services.reading_record).

Without monitoring points `manage.py simulate_sensors` has nothing to publish; with them a live storm on the demo
opens a 积水 case as it would in the street. The season's routine readings are bulk-inserted (thousands of rows, one
executemany per 2,000); only the alarm storms go through reading_record, reading by reading, as the MQTT listener
would feed them."""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import TextIO

from django.db import connection, transaction
from django.utils import timezone

from cases import services as cs
from cases.models import Case, Satisfaction
from core import clock
from org.models import Category, Estate, User
from org.selectors import responsibility_for
from sensors.models import MonitoringPoint, Reading
from sensors.services import reading_record

# (code, name, the estate whose 居民区/网格 it lies in, address, 报警阈值 water depth in cm, 易积水 susceptibility 0–1)
# 小区: water at 10 cm reaches the ground-floor doorsteps; road sections 15 cm (a car's exhaust); the underpass 20 cm.
WATERLOGGING_POINTS = [
    ("JAS-JS-01", "愚园新村(易积水小区)", "愚园新村", "愚园路128弄", 10, 0.95),
    ("JAS-JS-02", "多稼里(易积水小区)", "多稼里", "常德路620弄", 10, 0.7),
    ("JAS-JS-03", "海防村(易积水小区)", "海防村", "海防路230弄", 10, 0.9),
    ("JAS-JS-04", "三义坊(易积水小区)", "三义坊", "延安中路1030弄", 10, 0.6),
    ("JAS-JS-05", "康定路低洼路段(康定路900弄口)", "康定小区", "康定路900弄口", 15, 0.85),
    ("JAS-JS-06", "延安西路低洼路段(延安西路130弄口)", "延安西路小区", "延安西路130弄口", 15, 0.55),
    ("JAS-JS-07", "武定路低洼路段(武定路1060弄口)", "武定坊", "武定路1060弄口", 15, 0.5),
    ("JAS-JS-08", "万航渡路下穿通道(万航渡路120弄口)", "嘉园小区", "万航渡路120弄口", 20, 0.65),
]
CATEGORY = "道路积水"
READING_HOURS = 2  # the routine reading interval of the season

# Rain of the season (month, day, start hour, hours, intensity 0–1): 梅雨 in June and July, a July 暴雨, an August
# 台风, a September shower. Routine readings stay under the thresholds; the alarm storms follow.
RAINS = [(6, 17, 6, 10, 0.5), (6, 24, 14, 8, 0.6), (7, 2, 2, 12, 0.55), (7, 9, 16, 6, 0.45), (8, 12, 15, 4, 0.6),
         (9, 14, 9, 6, 0.4)]


@dataclass(frozen=True)
class Storm:
    month: int
    day: int
    hour: int
    codes: tuple[str, ...]
    name: str


# Readings every 20 minutes through the real path, as a fraction of each point's threshold: over it from the third.
STORMS = [Storm(7, 21, 17, ("JAS-JS-01", "JAS-JS-05"), "7月21日傍晚暴雨"),
          Storm(8, 30, 3, ("JAS-JS-03",), "台风过境")]
STORM_CURVE = [0.4, 0.8, 1.2, 1.5, 1.3, 0.9, 0.5, 0.2]
STORM_STEP = timedelta(minutes=20)


def season_year(now: datetime) -> int:
    """The latest flood season (June–September) that is over by `now`."""
    return now.year if timezone.localtime(now).month >= 10 else now.year - 1


def demo_sensors_load(*, seed: int, now: datetime, handlers: list[User], callbacks: list[User],
                      stdout: TextIO | None = None) -> dict:
    """The points, the season's readings and the storms' alarm cases, handled and closed as the street did."""
    rng = random.Random(seed)
    year = season_year(now)
    tz = timezone.get_current_timezone()
    category = Category.objects.get(name=CATEGORY, parent__isnull=False)
    with transaction.atomic():
        points = _points(category)
        _insert(_season_readings(rng, points, year, tz))
    cases = [case for storm in STORMS for case in _storm(storm, points, year, tz, rng, handlers, callbacks)]
    with transaction.atomic():
        for point in points.values():  # each point's latest reading, as the point shows it
            last = point.readings.order_by("-measured_at").first()
            MonitoringPoint.objects.filter(pk=point.pk).update(last_value=last.value, last_reading_at=last.measured_at)
    if stdout is not None:
        stdout.write(f"积水监测点已创建:{len(points)} 个,{year}年汛期读数 {Reading.objects.count()} 条,"
                     f"报警工单 {len(cases)} 件\n")
    return {"points": len(points), "readings": Reading.objects.count(), "alarm_cases": [c.number for c in cases]}


def _points(category: Category) -> dict[str, MonitoringPoint]:
    estates = {e.name: e for e in Estate.objects.select_related("grid", "neighbourhood")}
    points = {}
    for code, name, estate_name, address, threshold, _ in WATERLOGGING_POINTS:
        estate = estates[estate_name]
        lng, lat = estate.grid.polygon[0] if estate.grid and estate.grid.polygon else (None, None)
        points[code] = MonitoringPoint.objects.create(
            code=code, name=name, kind=MonitoringPoint.Kind.WATERLOGGING, address=address,
            latitude=_coordinate(lat, 0.0007), longitude=_coordinate(lng, 0.003), neighbourhood=estate.neighbourhood,
            grid=estate.grid, category=category, threshold=Decimal(threshold), unit="cm")
    return points


def _coordinate(base: float | None, offset: float) -> Decimal | None:
    return None if base is None else Decimal(str(round(base + offset, 6)))


def _depth(value: float) -> Decimal:
    return Decimal(str(max(value, 0.0))).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _insert(rows: list[tuple]) -> None:
    """(point id, value, measured at, over threshold) rows in one executemany: received when measured. Bypassing
    the ORM's per-object work keeps the season's ~12,000 readings well under a second of load_demo."""
    ops = connection.ops
    table = connection.ops.quote_name(Reading._meta.db_table)
    rows = [(point_id, ops.adapt_decimalfield_value(value, 8, 2), ops.adapt_datetimefield_value(at),
             ops.adapt_datetimefield_value(at), Reading.Channel.MQTT, over) for point_id, value, at, over in rows]
    with connection.cursor() as cursor:
        for start in range(0, len(rows), 2000):
            cursor.executemany(f"INSERT INTO {table} (point_id, value, measured_at, received_at, channel, "
                               "over_threshold) VALUES (%s, %s, %s, %s, %s, %s)", rows[start:start + 2000])


def _season_readings(rng: random.Random, points: dict[str, MonitoringPoint], year: int, tz) -> list[tuple]:
    start, end = datetime(year, 6, 1, tzinfo=tz), datetime(year, 10, 1, tzinfo=tz)
    rains = [(datetime(year, m, d, h, tzinfo=tz), timedelta(hours=hours), intensity)
             for m, d, h, hours, intensity in RAINS]
    storm_windows = {code: [] for code in points}
    for storm in STORMS:
        begin = datetime(year, storm.month, storm.day, storm.hour, tzinfo=tz)
        for code in storm.codes:  # these readings come through reading_record, below
            storm_windows[code].append((begin - timedelta(hours=READING_HOURS), begin + STORM_STEP * len(STORM_CURVE)))
    susceptibility = {code: s for code, *_, s in WATERLOGGING_POINTS}
    readings = []
    moment = start
    while moment < end:
        for code, point in points.items():
            if any(low <= moment <= high for low, high in storm_windows[code]):
                continue
            limit = float(point.threshold)
            depth = rng.uniform(0, 0.3)  # a dry well reads a few millimetres of noise
            for rain_start, length, intensity in rains:
                if rain_start <= moment <= rain_start + length:
                    profile = math.sin(math.pi * (moment - rain_start) / length)
                    depth += limit * intensity * susceptibility[code] * profile * rng.uniform(0.8, 1.1)
            depth = min(depth, limit * 0.9)  # routine rain stays under the alarm line
            readings.append((point.pk, _depth(depth), moment, False))
        moment += timedelta(hours=READING_HOURS)
    return readings


def _storm(storm: Storm, points: dict[str, MonitoringPoint], year: int, tz, rng: random.Random,
           handlers: list[User], callbacks: list[User]) -> list[Case]:
    """The storm's readings through the real path (a case opens at the first over the threshold, later ones are
    appended, the fall below is recorded), with the alarm cases handled meanwhile, called back and closed: one
    timeline, so every case's history is in order."""
    begin = datetime(year, storm.month, storm.day, storm.hour, tzinfo=tz)
    timeline: list[tuple[datetime, int, str, object]] = []
    for step, fraction in enumerate(STORM_CURVE):
        for code in storm.codes:
            value = _depth(float(points[code].threshold) * fraction * rng.uniform(0.95, 1.05))
            timeline.append((begin + STORM_STEP * step, 0, code, value))
    for code in storm.codes:
        point = points[code]
        rule = responsibility_for(point.category, point.neighbourhood)  # whom the alarm will be dispatched to
        on_duty = [h for h in handlers if rule is not None and h.department_id == rule.lead_department_id] or handlers
        timeline += [(begin + after, 1, code, (service, kwargs))
                     for after, service, kwargs in _handling(rng.choice(on_duty), rng.choice(callbacks))]
    for moment, order, code, what in sorted(timeline, key=lambda item: (item[0], item[1])):
        with clock.frozen_at(moment):
            if order == 0:
                reading_record(point_code=code, value=what, measured_at=moment, channel=Reading.Channel.MQTT)
            else:
                service, kwargs = what
                service(case=Case.objects.get(pk=MonitoringPoint.objects.get(code=code).open_case_id), **kwargs)
    return [Case.objects.get(pk=MonitoringPoint.objects.get(code=code).open_case_id) for code in storm.codes]


def _handling(handler: User, caller: User) -> list[tuple]:
    """(after the storm's start, service, arguments): 签收 within minutes of the alarm, 强排 on site, 办结 once the
    water is gone, 回访 and 结案 the next day."""
    return [
        (timedelta(minutes=50), cs.case_sign, {"actor": handler, "note": "防汛值班已签收,抢险队出发"}),
        (timedelta(minutes=85), cs.case_record_first_contact,
         {"actor": handler, "method": "visit", "outcome": "已到现场,开启强排泵,设置警示标志,居委会协助疏导居民"}),
        (timedelta(hours=4), cs.case_finish,
         {"actor": handler, "result": "积水已排除,雨水口和窨井已清掏,强排泵运行正常,“小包围”挡水板已复位"}),
        (timedelta(days=1, hours=2), cs.case_callback,
         {"actor": caller, "satisfaction": Satisfaction.SATISFIED, "solved": True,
          "first_contacted": True, "remarks": "居民反映排水及时"}),
        (timedelta(days=1, hours=3), cs.case_close, {"actor": caller}),
    ]
