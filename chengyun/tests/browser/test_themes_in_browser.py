"""民生主题 in the browser: a leader renames, merges and splits themes (every field filled), and a failed action
(merge with no target chosen) shows its message in the alert bar."""

import pytest

from minsheng.models import Theme
from minsheng.tests import factories

pytestmark = pytest.mark.django_db(transaction=True)


def test_rename_merge_and_split_a_theme(street, page_as, live_server):
    elevator = factories.theme_with_needs(street, "加装电梯", ["老楼想加装电梯", "加装电梯意见征询", "老人爬楼吃力"])
    parking = factories.theme_with_needs(street, "停车难", ["小区停车位太少", "外来车辆占用车位"])
    page = page_as(street.leader)
    page.goto(f"{live_server.url}/minsheng/themes/")
    page.locator("#theme-filters input[name=q]").fill("电梯")
    page.locator("#theme-filters select[name=category]").select_option("")
    page.locator("#theme-filters select[name=neighbourhood]").select_option(str(street.neighbourhood.pk))
    page.locator("#theme-filters button").click()
    page.locator("#themes a", has_text="加装电梯").click()

    # A failed action: merge without a target shows the server's message.
    page.locator("#merge-submit").click()
    page.locator("#theme-message [role=alert], #flash", has_text="请选择要并入的另一个主题").first.wait_for()

    page.locator("#rename-name").fill("老旧小区加装电梯")
    page.locator("#rename-summary").fill("多层住宅加梯意见征询")
    page.locator("#rename-submit").click()
    page.locator("#theme-name", has_text="老旧小区加装电梯").wait_for()

    page.locator("#members input[type=checkbox]").first.check()
    page.locator("#split-name").fill("老人爬楼困难")
    page.locator("#move-to").select_option(str(parking.pk))  # every field of the form filled; the split button decides
    page.locator("#split-submit").click()
    page.locator("#theme-name", has_text="老人爬楼困难").wait_for()

    page.goto(f"{live_server.url}/minsheng/themes/{parking.pk}/")
    page.locator("#merge-into").select_option(str(elevator.pk))
    page.locator("#merge-submit").click()
    page.locator("#theme-name", has_text="老旧小区加装电梯").wait_for()
    assert Theme.objects.get(pk=parking.pk).status == Theme.Status.MERGED
    assert Theme.objects.get(pk=elevator.pk).member_count == 4
