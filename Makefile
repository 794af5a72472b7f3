# chengyun: `make demo` and `make test` are the whole set-up on a fresh machine with Python 3.11.
SHELL := /bin/bash
PYTHON_BIN := $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
PG_URL ?= postgres://postgres@127.0.0.1:5432/chengyun_test

.PHONY: demo fonts serve test test-sqlite test-pg lint bench browser clean prod-smoke

$(VENV)/.installed: requirements.lock
	@test -x $(PY) || $(PYTHON_BIN) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.lock
	@touch $@

demo: $(VENV)/.installed fonts
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_demo
	@echo ""
	@echo "城运 chengyun 演示环境: http://127.0.0.1:$(PORT)/   (API 文档: /api/docs  管理后台: /admin/)"
	@echo "演示账号(密码均为 chengyun-demo):"
	@echo "  admin 管理员 | intake 受理员 | dispatcher 派单员 | handler_cg 城管中队处置人 | handler_wy 物业处置人"
	@echo "  handler_jw 居委会处置人 | callback 回访员 | leader 领导 | grid 网格员 | cadre 居委干部"
	CHENGYUN_INPROCESS_SCHEDULER=1 $(PY) manage.py runserver 127.0.0.1:$(PORT)

# Chinese PDFs need Debian's Noto CJK fonts and pango (WeasyPrint); install them when we can.
SYSTEM_PACKAGES := fonts-noto-cjk libpango-1.0-0 libpangoft2-1.0-0
fonts:
	@if fc-list 2>/dev/null | grep -q "Noto Sans CJK"; then :; \
	elif [ "$$(id -u)" = "0" ]; then (apt-get install -y $(SYSTEM_PACKAGES) >/dev/null 2>&1 || \
		(apt-get update >/dev/null 2>&1 && apt-get install -y $(SYSTEM_PACKAGES) >/dev/null 2>&1)) || \
		echo "fonts-noto-cjk could not be installed: PDF reports will lack Chinese glyphs"; \
	else echo "not root: install fonts-noto-cjk for Chinese PDF reports"; fi

# Browser tests need Debian's chromium; install it when we can, never fail the build because we can't.
browser: fonts
	@if command -v chromium >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = "0" ]; then (apt-get install -y chromium >/dev/null 2>&1 || \
		(apt-get update >/dev/null 2>&1 && apt-get install -y chromium >/dev/null 2>&1)) || \
		echo "chromium could not be installed: browser tests will be skipped"; \
	else echo "not root: chromium not installed, browser tests will be skipped"; fi

test: $(VENV)/.installed browser
	@echo "=== chengyun tests on SQLite ==="
	$(PY) -m pytest --create-db
	@echo "=== chengyun tests on PostgreSQL ($(PG_URL)) ==="
	DATABASE_URL=$(PG_URL) $(PY) -m pytest --create-db
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports

test-sqlite: $(VENV)/.installed browser
	$(PY) -m pytest --create-db

test-pg: $(VENV)/.installed browser
	DATABASE_URL=$(PG_URL) $(PY) -m pytest --create-db

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports

bench: $(VENV)/.installed
	$(PY) bench/intake.py

# The production stack (gunicorn + whitenoise, PostgreSQL, Celery worker and beat on Redis) on the local services:
# a case through the API, the SLA sweep seen in the worker, everything stopped again. See README "Production".
PROD_SMOKE_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/chengyun_prodsmoke
PROD_SMOKE_REDIS_URL ?= redis://127.0.0.1:6379/13
prod-smoke: $(VENV)/.installed
	$(PY) ops/prod_smoke.py --database-url $(PROD_SMOKE_DATABASE_URL) --redis-url $(PROD_SMOKE_REDIS_URL)

clean:
	rm -rf $(VENV) var test-artifacts
