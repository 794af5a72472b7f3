"""Run `manage.py ARGS…` with a fault injected, for the fault tests (core/testing.py run_with_fault).

FAULT_PATCH   dotted name of a function to wrap, e.g. hotline.services.pipeline.case_register_validated
FAULT_PAUSE   seconds to sleep after each call of it returns (still inside its caller's transaction)
FAULT_KILL_AT SIGKILL this process right after the Nth call returns (nothing after it runs: no commit, no rename)
"""

import importlib
import os
import signal
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chengyun.settings")

import django  # noqa: E402

django.setup()


def install() -> None:
    target = os.environ.get("FAULT_PATCH")
    if not target:
        return
    module_name, _, name = target.rpartition(".")
    module = importlib.import_module(module_name)
    original = getattr(module, name)
    pause = float(os.environ.get("FAULT_PAUSE", "0"))
    kill_at = int(os.environ.get("FAULT_KILL_AT", "0"))
    calls = 0

    def wrapped(*args, **kwargs):
        nonlocal calls
        result = original(*args, **kwargs)
        calls += 1
        if pause:
            time.sleep(pause)
        if calls == kill_at:
            os.kill(os.getpid(), signal.SIGKILL)
        return result

    setattr(module, name, wrapped)


install()
from django.core.management import execute_from_command_line  # noqa: E402

execute_from_command_line(["manage.py", *sys.argv[1:]])
