"""Issue 14 point 14: the web registration forms carry a one-time token, so the same form posted twice (double click,
resubmitted page) registers one case, and the second answer leads to the first case."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from cases.models import Attachment, Case, Source
from core.testing import tiny_png

pytestmark = pytest.mark.django_db

FIELDS = {"source": Source.VISIT, "hotline_number": "", "title": "楼道堆物", "content": "3号楼楼道堆满纸板,影响通行",
          "address": "愚园路128弄3号", "citizen_name": "王先生", "citizen_phone": "13912345678", "urgency": "normal"}


def rendered_token(client, url: str) -> str:
    match = re.search(r'name="form_token" value="([^"]+)"', client.get(url).content.decode())
    assert match, "the form renders its one-time token"
    return match.group(1)


def test_new_case_page_posted_twice_with_its_token_registers_once(client, street):
    client.force_login(street.intake)
    token = rendered_token(client, "/cases/new/")
    first = client.post("/cases/new/", {**FIELDS, "category": street.category.pk, "form_token": token})
    second = client.post("/cases/new/", {**FIELDS, "category": street.category.pk, "form_token": token}, follow=True)
    assert Case.objects.count() == 1
    case = Case.objects.get()
    assert first.status_code == 302 and first["Location"] == f"/cases/{case.pk}/"
    assert second.redirect_chain[-1][0] == f"/cases/{case.pk}/"
    assert "已提交过" in second.content.decode()


def test_each_render_has_its_own_token(client, street):
    client.force_login(street.intake)
    first, second = rendered_token(client, "/cases/new/"), rendered_token(client, "/cases/new/")
    assert first != second
    client.post("/cases/new/", {**FIELDS, "form_token": first})
    client.post("/cases/new/", {**FIELDS, "form_token": second})
    assert Case.objects.count() == 2


@pytest.mark.parametrize("role", ["intake", "grid_user"])
def test_workbench_form_posted_twice_registers_once_and_attaches_once(client, street, role):
    client.force_login(getattr(street, role))
    token = rendered_token(client, "/")
    for _ in range(2):
        response = client.post("/work/register/", {**FIELDS, "source": Source.PATROL, "form_token": token,
                                                   "photos": SimpleUploadedFile("现场.png", tiny_png())})
        assert response.status_code == 302
    assert Case.objects.count() == 1
    assert Attachment.objects.count() == 1


def test_a_refused_post_keeps_the_token_and_the_corrected_post_registers(client, street):
    client.force_login(street.intake)
    token = rendered_token(client, "/cases/new/")
    refused = client.post("/cases/new/", {**FIELDS, "content": "", "form_token": token})
    assert refused.status_code == 422 and f'value="{token}"' in refused.content.decode()
    client.post("/cases/new/", {**FIELDS, "form_token": token})
    client.post("/cases/new/", {**FIELDS, "form_token": token})
    assert Case.objects.count() == 1
