#!/usr/bin/env bash
# Install everything the tests need (Python packages, Chromium and CJK fonts) and run the whole suite.
set -euo pipefail
cd "$(dirname "$0")"
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt

bin/system-packages test

.venv/bin/ruff check --quiet .
.venv/bin/mypy  # --strict on scoring/, as configured in pyproject.toml
exec .venv/bin/python -m pytest "$@"
