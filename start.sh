#!/usr/bin/env bash
# Install what the dashboard needs and start it; a missing store is created with the demo data.
# It listens on 127.0.0.1 only (server.address in .streamlit/config.toml); the README says how to serve the network.
set -euo pipefail
cd "$(dirname "$0")"
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
bin/system-packages
exec .venv/bin/python -m streamlit run app.py --server.address 127.0.0.1 "$@"
