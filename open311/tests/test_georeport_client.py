"""A real third-party Open311 client (georeport, from PyPI) reading from our server over HTTP.

georeport has no POST call, so the post goes through `requests` the way a reporting app would send it.
"""

import pytest
import requests
from georeport import GeoReport

from cases.models import Case

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize("output_format", ["json", "xml"])
def test_georeport_client_reads_services_and_the_posted_request(live_server, open311_key, street, output_format):
    base = f"{live_server.url}/open311/v2"
    client = GeoReport(base, jurisdiction="jingansi.sh.cn", api_key=open311_key, output_format=output_format)
    services = client.get_service_list()
    services = services if isinstance(services, list) else [services]  # xmltodict gives a dict for one item
    assert "LDDW" in [s["service_code"] for s in services]
    assert "floor" in str(client.get_service_definition("LDDW"))

    posted = requests.post(f"{base}/requests.json", data={
        "api_key": open311_key, "jurisdiction_id": "jingansi.sh.cn", "service_code": "LDDW",
        "lat": "31.2245", "long": "121.4452", "address_string": "愚园路128弄3号",
        "description": "楼道堆物严重", "phone": "13900001111", "attribute[floor]": "1",
    }, timeout=10)
    assert posted.status_code == 201
    number = posted.json()[0]["service_request_id"]
    assert Case.objects.get(number=number).source == "self_report"

    fetched = client.get_service_request(number)
    assert fetched["service_request_id"] == number and fetched["status"] == "open"
    listed = client.get_service_requests(status="open", service_code="LDDW")
    listed = listed if isinstance(listed, list) else [listed]
    assert [r["service_request_id"] for r in listed] == [number]
