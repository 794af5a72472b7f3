import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from registry.models import ChangeRecord, LinkCandidate, Person


def run(path, kind="persons", **kw):
    out = StringIO()
    call_command("import_registry", str(path), kind=kind, stdout=out, **kw)
    return json.loads(out.getvalue().strip().splitlines()[-1])


@pytest.mark.django_db
def test_smoke(street, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    result = run(Path("/tmp/ri/p.csv"))
    print(result)
    print(list(Person.objects.values_list("name", "neighbourhood__name")))
    print(list(ChangeRecord.objects.values_list("entity", "action", "source")))
    result = run(Path("/tmp/ri/p.csv"))
    print(result, LinkCandidate.objects.count())
