"""manage.py import_registry: the JSON last line, households and units, and Chinese errors without a traceback."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.management import CommandError, call_command

from registry.models import Household, RegistryImportProfile, Unit

from .importhelp import PERSON_HEADER, run, write_csv

ROOT = Path(django_settings.BASE_DIR)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def test_households_import_and_update(street, tmp_path):
    header = ["地址", "房屋状态", "租住人数", "租赁起始", "租赁截止", "群租", "备注"]
    rows = [["愚园路128弄3号501室", "出租", "5", "2026-01-01", "2026-12-31", "是", "二房东"],
            ["愚园路128弄3号502室", "自住", "", "", "", "否", ""],
            ["愚园路128弄3号", "空置", "", "", "", "", ""],
            ["愚园路128弄3号503室", "出租", "", "2026-05-01", "2026-01-01", "", ""],
            ["愚园路128弄3号501室", "自住", "", "", "", "", ""]]
    result = run(write_csv(tmp_path / "h.csv", header, rows), kind="households", user=street.dispatcher)
    assert (result["created"], result["rejected"], result["duplicates"]) == (3, 2, 1)
    home = Household.objects.get(address_key="愚园路128弄3号501室")
    assert (home.housing, home.tenant_count, home.crowded_rental) == ("rented", 5, True)
    rows[1][1] = "出租"
    again = run(write_csv(tmp_path / "h2.csv", header, rows), kind="households", user=street.dispatcher)
    assert (again["created"], again["updated"], again["unchanged"]) == (0, 1, 2)


def test_units_import_with_operator(street, tmp_path):
    from org.models import AddressRange
    from org.tests.factories import AddressRangeFactory

    AddressRangeFactory(estate=street.estate, road="愚园路", kind=AddressRange.KIND_NUMBER, first=100, last=168)
    header = ["单位名称", "统一社会信用代码", "类型", "地址", "经营者", "经营者电话", "单位电话", "经营状态", "备注"]
    rows = [["老王面馆", "91310106MA1FL0XB8B", "餐饮", "愚园路130号", "王大厨", "13911112222", "021-62481234", "营业", ""],
            ["小李烟杂店", "", "沿街商铺", "愚园路132号", "", "", "", "", ""],
            ["坏代码店", "91310106MA1FL0XB8A", "沿街商铺", "愚园路134号", "", "", "", "", ""]]
    result = run(write_csv(tmp_path / "u.csv", header, rows), kind="units", user=street.dispatcher)
    from registry.models import RegistryImportRejection

    assert (result["created"], result["rejected"]) == (2, 1), list(RegistryImportRejection.objects.values_list("reason"))
    unit = Unit.objects.get(name="老王面馆")
    assert unit.operator.name == "王大厨" and unit.kind == "restaurant"
    rows[1][7] = "停业"
    again = run(write_csv(tmp_path / "u2.csv", header, rows), kind="units", user=street.dispatcher)
    assert (again["created"], again["updated"], again["unchanged"]) == (0, 1, 1)


def test_last_line_is_json_with_the_counts(street, tmp_path):
    path = write_csv(tmp_path / "p.csv", PERSON_HEADER, [["张三", "男", "", "", "", "愚园路128弄1号101室", "", "", "", ""]])
    result = run(path, user=street.dispatcher)
    assert {"created", "updated", "rejected", "candidates"} <= set(result) and result["created"] == 1


@pytest.mark.parametrize("args, message", [
    (["/no/such/file.csv", "--kind", "persons"], "文件不存在"),
    (["FILE", "--kind", "cars"], "--kind 须为"),
    (["FILE", "--kind", "persons", "--profile", "没有这个格式"], "导入格式不存在"),
    (["BADHEADER", "--kind", "persons"], "文件缺少必需的列"),
    (["FILE", "--kind", "households", "--profile", "居委会人员表"], "不能导入"),
])
def test_bad_input_is_a_chinese_error(street, tmp_path, args, message):
    from registry.importing import default_profile

    default_profile("persons")
    good = write_csv(tmp_path / "p.csv", PERSON_HEADER, [["张三"] + [""] * 9])
    bad = write_csv(tmp_path / "bad.csv", ["名字", "电话"], [["张三", ""]])
    args = [str(good) if a == "FILE" else str(bad) if a == "BADHEADER" else a for a in args]
    with pytest.raises(CommandError, match=message):
        call_command("import_registry", *args)


def test_exit_code_and_no_traceback(tmp_path):
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}", "CHENGYUN_VAR_DIR": str(tmp_path),
           "DEBUG": "0", "SECRET_KEY": "test-" + "x" * 50}
    subprocess.run([sys.executable, "manage.py", "migrate", "--noinput"], cwd=ROOT, env=env, check=True,
                   capture_output=True)
    result = subprocess.run([sys.executable, "manage.py", "import_registry", str(tmp_path / "none.csv"), "--kind",
                             "persons"], cwd=ROOT, env=env, capture_output=True, text=True)
    assert result.returncode != 0
    assert "文件不存在" in result.stderr and "Traceback" not in result.stderr
    bad = write_csv(tmp_path / "bad.csv", ["名字"], [["张三"]])
    result = subprocess.run([sys.executable, "manage.py", "import_registry", str(bad), "--kind", "persons"],
                            cwd=ROOT, env=env, capture_output=True, text=True)
    assert result.returncode != 0 and "缺少必需的列" in result.stderr and "Traceback" not in result.stderr
    good = write_csv(tmp_path / "p.csv", PERSON_HEADER, [["张三", "男"] + [""] * 8])
    result = subprocess.run([sys.executable, "manage.py", "import_registry", str(good), "--kind", "persons"],
                            cwd=ROOT, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1])["created"] == 1


def test_a_custom_profile(street, tmp_path):
    RegistryImportProfile.objects.create(name="公安人口表", kind="persons",
                                         columns={"name": "姓名", "id_number": "公民身份号码", "address": "现住址"})
    path = write_csv(tmp_path / "gaj.csv", ["姓名", "公民身份号码", "现住址"], [["张三", "", "愚园路128弄1号101室"]])
    assert run(path, user=street.dispatcher, profile="公安人口表")["created"] == 1
