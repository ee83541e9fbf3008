#!/usr/bin/env bash
# Install what the dashboard needs and start it; a missing database is created with the demo data.
set -euo pipefail
cd "$(dirname "$0")"
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
bin/system-packages
exec .venv/bin/python -m streamlit run app.py "$@"
