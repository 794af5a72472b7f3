"""Every action form of the case page, every field filled — optional ones included — by the role that may use it,
on real cases in Debian chromium (issue 16: the 先联 form answered 500 only when its optional 联系时间 was filled,
and no test filled it). The filler reads the form as rendered, so a field added later is filled too; after each
submit the page must say the action was done, and no alert bar or inline error may show."""

from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from cases.models import Case, State
from core import clock

from .conftest import screenshot

pytestmark = pytest.mark.django_db(transaction=True)



def _png(tmp_path: Path) -> Path:
    import io

    from PIL import Image

    path = tmp_path / "现场照片.png"
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (40, 120, 200)).save(buffer, "PNG")
    path.write_bytes(buffer.getvalue())
    return path


def fill_every_field(form, overrides: dict, photo: Path) -> list[str]:
    """Fill every visible field of `form` (overrides by name win); returns the names filled."""
    filled = []
    now = timezone.localtime(clock.now())
    for field in form.locator("input:not([type=hidden]), select, textarea").all():
        name = field.get_attribute("name")
        if not name or not field.is_visible() and field.get_attribute("type") != "file":
            continue
        tag = field.evaluate("e => e.tagName")
        kind = (field.get_attribute("type") or "").lower()
        value = overrides.get(name)
        if tag == "SELECT":
            options = [o for o in field.locator("option").evaluate_all("os => os.map(o => o.value)") if o]
            chosen = value if value is not None else options[0]
            field.select_option(chosen if isinstance(chosen, list) else [str(chosen)])
        elif kind == "checkbox":
            field.set_checked(value if value is not None else True)
        elif kind == "radio":
            group = form.locator(f"input[name={name}]")
            wanted = value if value is not None else group.first.get_attribute("value")
            form.locator(f"input[name={name}][value='{wanted}']").check()
        elif kind == "file":
            field.set_input_files(str(photo))
        elif kind == "number":
            low = field.get_attribute("min")
            field.fill(str(value if value is not None else (int(low) + 1 if low else 2)))
        elif kind == "date":
            field.fill(value or (now + timedelta(days=7)).strftime("%Y-%m-%d"))
        elif kind == "datetime-local":
            field.fill(value or now.strftime("%Y-%m-%dT%H:%M"))  # this minute: the case was signed just now
        else:
            field.fill(str(value) if value is not None else f"浏览器填写的{name}:现场情况已核实,按要求处理")
        filled.append(name)
    return filled


class Walker:
    def __init__(self, page_as, live_server, street, tmp_path):
        self.page_as, self.url, self.pages, self.photo = page_as, live_server.url, {}, _png(tmp_path)
        self.street = street
        self.filled: dict[str, set[str]] = {}

    def page(self, user):
        if user.username not in self.pages:
            self.pages[user.username] = self.page_as(user, width=1440, height=900)
        return self.pages[user.username]

    def act(self, user, case: Case, action: str, **overrides) -> None:
        page = self.page(user)
        page.goto(f"{self.url}/cases/{case.pk}/")
        selector = 'form[action$="/attachments/"]' if action == "attach" else f"form[data-action={action}]"
        form = page.locator(selector)
        assert form.count() == 1, f"{user.username} 看不到「{action}」"
        details = form.locator("xpath=ancestor::details[1]")
        if details.count() and details.get_attribute("open") is None:
            details.locator("summary").first.click()
        self.filled.setdefault(action, set()).update(fill_every_field(form, overrides, self.photo))
        page.once("dialog", lambda dialog: dialog.accept())  # a confirmation step, where the form has one
        opener = form.locator("[data-confirm-step]")
        if opener.count():  # 办结: a confirmation step before the real submit (static/js/queue.js)
            opener.first.click()
            form.locator(".confirm-step button[type=submit]").click()
        else:
            form.locator("button[type=submit]").first.click()
        page.locator("#action-notice, .msg.success, #action-error, #flash:not([hidden])").first.wait_for()
        assert not page.locator("#action-error").count(), f"{action}: " + page.locator("#action-error").inner_text()
        assert page.locator("#flash").is_hidden()


def test_every_action_form_with_every_field_filled(street, page_as, live_server, tmp_path):
    s = street
    walk = Walker(page_as, live_server, s, tmp_path)
    dept, co = str(s.department.pk), str(s.co_department.pk)

    case = s.new_case()
    walk.act(s.intake, case, "chase")
    walk.act(s.dispatcher, case, "dispatch", lead_department_id=dept, co_department_ids=[co])
    walk.act(s.dispatcher, case, "urge")
    walk.act(s.handler, case, "sign")
    walk.act(s.handler, case, "respond_urge")
    walk.act(s.handler, case, "record_first_contact", method="visit")
    walk.act(s.handler, case, "add_progress")
    walk.act(s.co_handler, case, "co_report")
    walk.act(s.handler, case, "request_extension", extra_days="3")
    walk.act(s.dispatcher, case, "approve_extension")
    walk.act(s.handler, case, "request_extension", extra_days="2")
    walk.act(s.dispatcher, case, "reject_extension")
    walk.act(s.dispatcher, case, "suspend")
    walk.act(s.dispatcher, case, "resume")
    walk.act(s.handler, case, "attach")
    walk.act(s.handler, case, "finish")
    walk.act(s.grid_user, case, "verify")
    walk.act(s.callback, case, "callback", satisfaction="unsatisfied")
    walk.act(s.callback, case, "reopen", lead_department_id=dept, co_department_ids=[co])
    walk.act(s.handler, case, "sign")
    walk.act(s.handler, case, "record_first_contact")
    walk.act(s.handler, case, "finish")
    walk.act(s.callback, case, "callback", satisfaction="satisfied")
    walk.act(s.callback, case, "close")
    case.refresh_from_db()
    assert case.state == State.CLOSED
    screenshot(walk.page(s.callback), "every-field-closed-case")

    returned = s.dispatched_case()
    walk.act(s.handler, returned, "request_return")
    walk.act(s.dispatcher, returned, "reject_return")
    walk.act(s.handler, returned, "request_return")
    walk.act(s.dispatcher, returned, "approve_return")
    duplicate = s.new_case()
    walk.act(s.dispatcher, duplicate, "merge", master=returned.number)
    duplicate.refresh_from_db()
    assert duplicate.state == State.MERGED

    # Every field each form offered was filled at least once (a form with no visible field would be a bug too).
    assert walk.filled["record_first_contact"] >= {"method", "outcome", "contacted_at"}
    assert all(walk.filled[action] for action in walk.filled if action not in ("chase", "resume", "approve_return"))
