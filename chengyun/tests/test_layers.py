"""The layering stays true: import-linter's contract (.importlinter) holds for the code, and it catches an upward
import or `core` importing an app (checked on a small tree of the same package names, so the rule itself is tested)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LINT = Path(sys.executable).with_name("lint-imports")

pytestmark = pytest.mark.skipif(not LINT.exists(), reason="import-linter is installed by `make test`")


def _lint(cwd: Path, *, pythonpath: Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(LINT), str(cwd / ".importlinter")], cwd=cwd, capture_output=True,
                          text=True, env={"PYTHONPATH": str(pythonpath), "PATH": "/usr/bin:/bin"})


def test_the_code_keeps_the_layers():
    result = _lint(ROOT, pythonpath=ROOT)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]


def _tree(tmp_path: Path, imports: dict[str, str]) -> Path:
    """Every root package of the contract as an empty package; `imports` gives some of them one import line."""
    shutil.copy(ROOT / ".importlinter", tmp_path / ".importlinter")
    names = [line.strip() for line in (ROOT / ".importlinter").read_text().split("root_packages =", 1)[1]
             .split("include_external_packages", 1)[0].splitlines() if line.strip()]
    for name in names:
        (tmp_path / name).mkdir()
        (tmp_path / name / "__init__.py").write_text(imports.get(name, ""))
        (tmp_path / name / "tests").mkdir()
        (tmp_path / name / "tests" / "__init__.py").write_text("")
    return tmp_path


@pytest.mark.parametrize("importer, line", [
    ("cases", "import dispatch\n"),  # the core of the house reaching up into a domain app
    ("core", "import org\n"),  # the ground floor importing an app
    ("dispatch", "import chengyun\n"),  # a domain app importing the composition root
    ("org", "import cases\n"),
])
def test_an_upward_import_breaks_the_contract(tmp_path, importer, line):
    tree = _tree(tmp_path, {importer: line})
    result = _lint(tree, pythonpath=tree)
    assert result.returncode != 0 and "BROKEN" in result.stdout


def test_downward_imports_and_tests_are_allowed(tmp_path):
    tree = _tree(tmp_path, {"dispatch": "import cases\nimport org\nimport core\n", "cases": "import org\n"})
    (tree / "org" / "tests" / "test_x.py").write_text("import cases\nimport dispatch\n")
    result = _lint(tree, pythonpath=tree)
    assert result.returncode == 0, result.stdout[-2000:]
