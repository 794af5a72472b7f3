"""Every operation on a case, one function per verb (`case_<verb>`), split by sub-domain:

- `engine`: the one write path (`perform`): role and state checked against the transition table, the row locked,
  the version checked, the change made and its append-only CaseEvent written in one transaction;
- `registration`: 受理, one case or a 12345 import's batch (`bulk` writes the rows);
- `lifecycle`: 派单 → 签收 → 先联 → 处置 → 办结 → 回访 → 结案, with 退单, 延期 and 重办;
- `supervision`: 督办, 催单, 合并, 挂账, 核查, sensor readings, 超时;
- `attachments` (checked by content in `uploads`), `retention` (个人信息匿名化) and `sweep`, the periodic SLA job.

Callers use this package (`from cases import services`; `services.case_sign(...)`), never a sub-module.
"""

from .attachments import (
    ATTACHMENT_SIGNATURES,
    MAX_ATTACHMENT_BYTES,
    MAX_FINISH_PHOTOS,
    case_attach,
    case_finish_with_photos,
    sniff_attachment,
)
from .engine import perform
from .lifecycle import (
    CONTACT_METHODS,
    DEADLINE_WARNING_TEXT,
    case_add_progress,
    case_approve_extension,
    case_approve_return,
    case_callback,
    case_close,
    case_co_report,
    case_dispatch,
    case_finish,
    case_handler_callback,
    case_record_first_contact,
    case_reject_extension,
    case_reject_return,
    case_reopen,
    case_request_extension,
    case_request_return,
    case_sign,
    deadline_warning,
    extended_deadline,
)
from .registration import (
    LANDLINE_RE,
    MOBILE_RE,
    PHONE_NOISE_RE,
    case_numbers_reserve,
    case_register,
    case_register_bulk,
    case_register_validated,
    case_values_bulk,
    validate_phone,
)
from .retention import ANONYMISED_FIELDS, case_anonymise
from .supervision import (
    case_chase,
    case_mark_overdue,
    case_merge,
    case_record_sensor,
    case_respond_urge,
    case_resume,
    case_suspend,
    case_urge,
    case_verify,
)
from .sweep import sla_sweep

__all__ = [
    "ANONYMISED_FIELDS",
    "case_anonymise",
    "perform",
    "LANDLINE_RE",
    "MOBILE_RE",
    "PHONE_NOISE_RE",
    "case_numbers_reserve",
    "case_register",
    "case_register_bulk",
    "case_register_validated",
    "case_values_bulk",
    "validate_phone",
    "CONTACT_METHODS",
    "case_add_progress",
    "case_approve_extension",
    "case_approve_return",
    "case_callback",
    "case_close",
    "case_co_report",
    "case_dispatch",
    "case_finish",
    "case_record_first_contact",
    "case_reject_extension",
    "case_reject_return",
    "case_reopen",
    "case_request_extension",
    "case_request_return",
    "case_sign",
    "case_handler_callback",
    "DEADLINE_WARNING_TEXT",
    "deadline_warning",
    "extended_deadline",
    "ATTACHMENT_SIGNATURES",
    "MAX_ATTACHMENT_BYTES",
    "case_attach",
    "case_finish_with_photos",
    "MAX_FINISH_PHOTOS",
    "sniff_attachment",
    "case_chase",
    "case_mark_overdue",
    "case_merge",
    "case_record_sensor",
    "case_respond_urge",
    "case_resume",
    "case_suspend",
    "case_urge",
    "case_verify",
    "sla_sweep",
]
