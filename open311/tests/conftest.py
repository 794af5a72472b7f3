import pytest

from open311.models import ServiceAttribute
from open311.services import open311_key_create


@pytest.fixture
def open311_key(street):
    street.category.code = "LDDW"
    street.category.save()
    ServiceAttribute.objects.create(
        category=street.category, code="floor", datatype=ServiceAttribute.Datatype.SINGLE, required=True,
        description="堆物所在楼层", order=1, values=[{"key": "1", "name": "一楼"}, {"key": "2", "name": "二楼"}],
    )
    _, key = open311_key_create(name="市民随手拍")
    return key
