"""Regression scan for personal data (issue 14): generated cases whose every text holds the citizen's name, a mobile
and a landline number, an ID-card number and the house number are read back through every anonymous and masked
channel — pages, API, exports, the monthly report, Open311, search, the handler whose department handed the case
back — and through the log records written meanwhile. None of the secrets may appear in any of them.

The channels a role cannot reach answer 403/404 and carry nothing; the test also checks that each masked role did
read the cases somewhere (their numbers appear), so a scan of empty pages cannot pass.
"""

from __future__ import annotations

import io
import logging
import random
import zipfile
from dataclasses import dataclass
from datetime import date

import pytest
from django.test import Client
from django.utils import timezone

from cases import services
from cases.models import Case, Source

pytestmark = pytest.mark.django_db

SURNAMES = "欧阳 司马 诸葛 慕容 上官 皇甫 令狐 尉迟 公孙 长孙".split()
GIVEN = "翠花 铁柱 春生 秋菊 振华 建设 爱民 国庆 海燕 桂英".split()


def _id_number(rng: random.Random) -> str:
    """A valid 18-digit 身份证 number (GB 11643 check digit)."""
    body = f"310106{rng.randint(1940, 2005)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}{rng.randint(100, 999)}"
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    check = "10X98765432"[sum(int(d) * w for d, w in zip(body, weights, strict=True)) % 11]
    return body + check


@dataclass
class Secrets:
    name: str
    mobile: str
    landline: str  # the local 8 digits, written as 021-XXXXXXXX in texts
    id_number: str
    road: str  # the street fixture's gazetteer: 愚园路 100–168弄 → 愚园小区, 金坛1网格, 金坛居民区 (128弄 is the
    # intake form's placeholder example, so never generated)
    lane: int
    house: int

    @property
    def house_text(self) -> str:
        return f"{self.lane}弄{self.house}号"

    def texts(self) -> list[str]:
        return [self.name, self.mobile, self.landline, self.id_number, self.house_text, f"{self.lane}弄"]

    def sentence(self, what: str) -> str:
        return (f"{what}:居民{self.name}(身份证{self.id_number})反映{self.road}{self.house_text}问题,"
                f"手机{self.mobile},座机021-{self.landline}")


def _secrets(rng: random.Random) -> Secrets:
    return Secrets(
        name=rng.choice(SURNAMES) + rng.choice(GIVEN), mobile=f"1{rng.choice('3589')}{rng.randint(10**8, 10**9 - 1)}",
        landline=f"6{rng.randint(1000000, 9999999)}", id_number=_id_number(rng), road="愚园路",
        lane=rng.choice([n for n in range(100, 169) if n != 128]), house=rng.randint(11, 99),
    )


def _cases(street, rng: random.Random) -> list[tuple[Case, Secrets]]:
    """Four cases at different stages, every free text of every step carrying the secrets."""
    made = []
    for stage in ("registered", "returned_and_redispatched", "handling", "called_back"):
        s = _secrets(rng)
        case = street.new_case(
            source=Source.HOTLINE, title=s.sentence("标题"), content=s.sentence("内容"), citizen_name=s.name,
            citizen_phone=s.mobile, address=f"{s.road}{s.house_text}", hotline_number=f"2026{rng.randint(10**7, 10**8)}",
        )
        if stage != "registered":
            case = services.case_dispatch(actor=street.dispatcher, case=case, lead_department=street.department,
                                          co_departments=[street.co_department], note=s.sentence("派单说明"))
        if stage == "returned_and_redispatched":
            services.case_request_return(actor=street.handler, case=case, reason=s.sentence("退单理由"))
            services.case_approve_return(actor=street.dispatcher, case=case, reason=s.sentence("同意退单"))
            case.refresh_from_db()
            case = services.case_dispatch(actor=street.dispatcher, case=case, lead_department=street.other_department,
                                          note=s.sentence("改派"))
        if stage in ("handling", "called_back"):
            case = services.case_sign(actor=street.handler, case=case, note=s.sentence("签收"))
            case = services.case_record_first_contact(actor=street.handler, case=case, method="phone",
                                                      outcome=s.sentence("先联情况"))
            services.case_add_progress(actor=street.handler, case=case, note=s.sentence("进展"))
            services.case_co_report(actor=street.co_handler, case=case, report=s.sentence("协办反馈"))
            services.case_request_extension(actor=street.handler, case=case, reason=s.sentence("延期理由"), extra_days=3)
            services.case_reject_extension(actor=street.dispatcher, case=case, reason=s.sentence("驳回延期"))
            services.case_urge(actor=street.leader, case=case, note=s.sentence("督办"))
            services.case_respond_urge(actor=street.handler, case=case, note=s.sentence("督办回复"))
        if stage == "called_back":
            case.refresh_from_db()
            case = services.case_finish(actor=street.handler, case=case, result=s.sentence("办结情况"))
            case = services.case_callback(actor=street.callback, case=case, satisfaction="unsatisfied", solved=False,
                                          first_contacted=True, remarks=s.sentence("回访意见"))
        case.refresh_from_db()
        made.append((case, s))
    return made


def _readable(response) -> str:
    """The response as text; spreadsheets and Word files are unzipped and their XML parts joined."""
    body = b"".join(response.streaming_content) if response.streaming else response.content
    if body[:2] == b"PK":
        with zipfile.ZipFile(io.BytesIO(body)) as archive:
            return "\n".join(archive.read(name).decode("utf-8", "replace") for name in archive.namelist())
    return body.decode("utf-8", "replace")


def _login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _masked_paths(cases: list[tuple[Case, Secrets]]) -> list[tuple[str, str]]:
    """(path, text the page echoes from the request): what a masked role reads."""
    today = timezone.localdate()
    paths = ["/", "/cases/", "/cases/export.xlsx", "/dashboard/", "/dashboard/?wall=1", "/notifications/",
             "/kpi/export.xlsx", "/api/cases?limit=500", f"/api/kpi/table?start={today.replace(day=1)}&end={today}",
             f"/api/kpi/ranking?start={today.replace(day=1)}&end={today}"]
    echoed = [(path, "") for path in paths]
    for case, s in cases:
        echoed += [(path, "") for path in (
            f"/cases/{case.pk}/", f"/api/cases/{case.pk}", f"/api/cases/{case.pk}/events",
            f"/api/cases/{case.pk}/attachments", f"/api/dispatch/cases/{case.pk}/suggestion")]
        # The intake form's address check lists other cases at the address typed (and echoes it).
        echoed.append((f"/work/address/?address={s.road}{s.house_text}", f"{s.road}{s.house_text}"))
    return echoed


def _searches(cases: list[tuple[Case, Secrets]]) -> list[tuple[str, str, Case]]:
    """(path, the personal text searched for, the case holding it): a masked role must not find the case by it."""
    found = []
    for case, s in cases:
        for needle in s.texts():
            found += [(f"/cases/?q={needle}", needle, case), (f"/api/cases?q={needle}", needle, case)]
    return found


class _Collect(logging.Handler):
    def __init__(self):
        super().__init__(level=logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record):
        self.lines.append(self.format(record))


@pytest.fixture
def logged():
    handler = _Collect()
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    yield handler
    root.removeHandler(handler)
    root.setLevel(old_level)


def _leaks(text: str, cases: list[tuple[Case, Secrets]]) -> list[str]:
    return [f"{case.number}: {needle}" for case, s in cases for needle in s.texts() if needle in text]


def test_no_personal_data_reaches_masked_roles(street, logged):
    rng = random.Random(20261202)
    cases = _cases(street, rng)
    found: dict[str, list[str]] = {}
    for role in ("leader", "grid_user", "cadre", "admin"):
        client = _login(getattr(street, role))
        read_cases = set()
        for path, echo in _masked_paths(cases):
            response = client.get(path)
            assert response.status_code < 500, (role, path, response.status_code)
            text = _readable(response).replace(echo, "") if echo else _readable(response)
            if leaks := _leaks(text, cases):
                found[f"{role} {path}"] = leaks
            read_cases |= {case.number for case, _ in cases if case.number in text}
        assert read_cases, f"{role} read no case at all: the scan would prove nothing"
        for path, needle, case in _searches(cases):
            response = client.get(path)
            assert response.status_code < 500, (role, path, response.status_code)
            # The search box echoes what the user typed; nothing else of the case may come back, nor the case.
            text = _readable(response).replace(needle, "")
            if case.number in text:
                found[f"{role} {path}"] = [f"{case.number} found by {needle}"]
            elif leaks := [leak for leak in _leaks(text, cases) if not needle.startswith(leak.split(": ", 1)[1])]:
                found[f"{role} {path}"] = leaks
    assert not found, f"personal data reached masked roles: {found}"
    assert not (leaks := _leaks("\n".join(logged.lines), cases)), f"personal data in the logs: {leaks}"


def test_the_department_that_handed_the_case_back_sees_it_masked(street):
    rng = random.Random(7)
    cases = _cases(street, rng)
    returned = [(case, s) for case, s in cases if case.lead_department_id == street.other_department.pk]
    assert returned
    client = _login(street.handler)
    for case, s in returned:
        for path in (f"/cases/{case.pk}/", f"/api/cases/{case.pk}", f"/api/cases/{case.pk}/events", "/cases/",
                     "/api/cases", f"/cases/?q={s.mobile}", f"/api/cases?q={s.mobile}"):
            response = client.get(path)
            assert response.status_code < 500
            echoed = s.mobile if "q=" in path else ""
            assert not _leaks(_readable(response).replace(echoed, "#") if echoed else _readable(response), returned), path


def test_no_personal_data_reaches_the_public(street, logged):
    rng = random.Random(11)
    cases = _cases(street, rng)
    client = Client()
    found = {}
    paths = ["/open311/v2/requests.json", "/open311/v2/requests.xml", "/report/", "/login/"]
    for case, _ in cases:
        paths += [f"/open311/v2/requests/{case.number}.json", f"/open311/v2/requests/{case.number}.xml",
                  f"/open311/v2/requests/{case.pk}.json"]
    for path in paths:
        response = client.get(path)
        assert response.status_code < 500, path
        if leaks := _leaks(_readable(response), cases):
            found[path] = leaks
    for case, s in cases:
        # The resident's own lookup (number and phone): the handler's result is shown as a public text.
        response = client.post("/report/status/", {"number": case.number, "phone": s.mobile})
        assert response.status_code == 200 and case.number in response.content.decode()
        if leaks := _leaks(_readable(response).replace(s.mobile, ""), cases):
            found[f"status {case.number}"] = leaks
    assert not found, f"personal data reached the public: {found}"
    assert not (leaks := _leaks("\n".join(logged.lines), cases)), f"personal data in the logs: {leaks}"


def test_the_monthly_report_carries_no_personal_data(street, settings, tmp_path):
    from reports import services as report_services

    settings.MEDIA_ROOT = str(tmp_path)
    rng = random.Random(13)
    cases = _cases(street, rng)
    report = report_services.report_request(actor=street.leader, month=date.today().replace(day=1))
    report = report_services.report_generate(report.pk)
    client = _login(street.leader)
    response = client.get(f"/reports/{report.pk}/docx/")
    assert response.status_code == 200
    text = _readable(response)
    assert any(case.number in text for case, _ in cases), "the report's appendix should list the month's cases"
    assert not (leaks := _leaks(text, cases)), f"personal data in the Word report: {leaks}"
