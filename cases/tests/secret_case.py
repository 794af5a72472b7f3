"""A case with the citizen's name, phone, ID-card number and house number in every text a reader can see:
title, content, address, handling result, event notes and payloads, request reasons, 协办 report, attachment."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.files.uploadedfile import SimpleUploadedFile

from cases import services
from cases.models import Case
from core.testing import tiny_png

NAME, PHONE, ID_NUMBER, HOUSE = "李秀兰", "13955556666", "110101199003077777", "128弄"
SECRETS = (NAME, PHONE, ID_NUMBER, HOUSE)
SAYS = f"{NAME}({PHONE},身份证{ID_NUMBER})住愚园路{HOUSE}3号"  # one sentence holding all four


@dataclass
class SecretCases:
    finished: Case  # every kind of event, handled with a result
    pending: Case  # a 退单 request waiting for the dispatcher


def secret_cases(street) -> SecretCases:
    fields = dict(title=f"{NAME}反映愚园路{HOUSE}漏水", content=f"{SAYS},楼上漏水。", address=f"愚园路{HOUSE}3号",
                  citizen_name=NAME, citizen_phone=PHONE)
    case = services.case_dispatch(actor=street.dispatcher, case=street.new_case(**fields),
                                  lead_department=street.department, co_departments=[street.co_department],
                                  note=f"派单:{SAYS}")
    services.case_request_return(actor=street.handler, case=case, reason=f"退单:{SAYS}")
    services.case_reject_return(actor=street.dispatcher, case=case, reason=f"驳回:{SAYS}")
    services.case_sign(actor=street.handler, case=case, note=f"签收:{SAYS}")
    services.case_record_first_contact(actor=street.handler, case=case, method="phone", outcome=f"先联:{SAYS}")
    services.case_co_report(actor=street.co_handler, case=case, report=f"协办反馈:{SAYS}")
    services.case_request_extension(actor=street.handler, case=case, reason=f"延期:{SAYS}", extra_days=2)
    services.case_approve_extension(actor=street.dispatcher, case=case, reason=f"同意延期:{SAYS}")
    services.case_attach(actor=street.handler, case=case, upload=SimpleUploadedFile(
        f"{NAME}{PHONE}.png", tiny_png(), content_type="image/png"), note=f"照片:{SAYS}")
    services.case_finish(actor=street.handler, case=case, result=f"办结:{SAYS}", demand_met=False,
                         explanation=f"原因:{SAYS}")
    pending = services.case_dispatch(actor=street.dispatcher, case=street.new_case(**fields),
                                     lead_department=street.department)
    services.case_request_return(actor=street.handler, case=pending, reason=f"待审退单:{SAYS}")
    case.refresh_from_db()
    pending.refresh_from_db()
    return SecretCases(case, pending)


def leaked(text: str) -> list[str]:
    return [secret for secret in SECRETS if secret in text]
