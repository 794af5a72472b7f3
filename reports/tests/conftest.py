from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from cases import services
from core import clock

SH = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def october(street, settings, tmp_path):
    """October 2026: 3 cases (2 satisfied, 1 不满意 with the caller's phone in its text, handled late);
    September: 1 case; October 2025: 2 cases. Report files go to a temporary MEDIA_ROOT."""
    settings.MEDIA_ROOT = tmp_path / "media"
    made = {}
    with clock.frozen_at(datetime(2026, 10, 12, 9, 0, tzinfo=SH)):
        made["good"] = street.called_back_case("satisfied")
        made["fine"] = street.called_back_case("basically")
        made["bad"] = street.handling_case(content="愚园路128弄3号楼道堆物,联系我13812341234,张建国")
    with clock.frozen_at(datetime(2026, 10, 28, 10, 0, tzinfo=SH)):   # deadline 10-19: handled late
        services.case_finish(actor=street.handler, case=made["bad"], result="已清理")
        services.case_callback(actor=street.callback, case=made["bad"], satisfaction="unsatisfied", solved=False,
                               first_contacted=True, remarks="只清理了一半,张建国不满意")
    with clock.frozen_at(datetime(2026, 9, 7, 9, 0, tzinfo=SH)):
        street.new_case()
    with clock.frozen_at(datetime(2025, 10, 9, 9, 0, tzinfo=SH)):
        street.new_case()
        street.new_case()
    return made
