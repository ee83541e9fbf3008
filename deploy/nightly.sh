#!/usr/bin/env bash
# Nightly: back up the published store into BACKUP_DIR/<date> (keeping KEEP_BACKUPS days), then draft the bulletin
# of the current half-year so far into BULLETIN_DIR. Both read the current snapshot, so dashboards and imports run on.
set -euo pipefail
cd "$(dirname "$0")/.."
python=.venv/bin/python
backups=${BACKUP_DIR:-data/backups}
bulletins=${BULLETIN_DIR:-data/bulletins}
keep=${KEEP_BACKUPS:-14}
today=$(date +%F)

"$python" -m records backup --out "$backups/$today"
# Oldest first; keep the newest $keep.
find "$backups" -mindepth 1 -maxdepth 1 -type d -name '????-??-??' | sort | head -n -"$keep" | xargs -r rm -rf

year=$(date +%Y)
if [ "$(date +%m)" -le 6 ]; then start="$year-01-01"; else start="$year-07-01"; fi
mkdir -p "$bulletins"
"$python" -m records bulletin --start "$start" --end "$today" --out "$bulletins/通报-$start-至-$today.docx"
