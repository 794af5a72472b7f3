from decimal import Decimal

import pytest

from sensors.models import MonitoringPoint


@pytest.fixture
def point(street):
    return MonitoringPoint.objects.create(
        code="JT-YY-01", name="愚园路128弄口积水点", address="愚园路128弄", category=street.category,
        threshold=Decimal("15"), unit="cm", neighbourhood=street.neighbourhood, grid=street.grid,
    )
