#!/usr/bin/env bash
# The member database's acceptance walk-through at province scale (issue 3's "done when"), release
# build, PostgreSQL: through the console in headless Chromium, the county cadre imports ROWS rows
# (100,000, 1% bad), watches the progress page, downloads the error report and finds a member by ID
# number; the provincial dashboard then shows the new members. See bench/acceptance.py.
#   bench/acceptance.sh                                   # fresh cluster + province demo (MEMBERS_PER_UNION=268)
#   DATABASE_URL=postgres://… WH_DATA_DIR=dir bench/acceptance.sh   # an existing province database and its data key
# Output: bench/out/acceptance-<timestamp>.txt and its screenshots in bench/out/acceptance-<timestamp>/.
set -euo pipefail
cd "$(dirname "$0")/.."
ROWS=${ROWS:-100000}
scripts/install-deps
swift build -c release --product workershome --scratch-path .build-release 2>&1 | tail -1
BIN=$PWD/.build-release/release/workershome
python3 -m venv .build/venv >/dev/null
.build/venv/bin/pip install -q -r Tests/Browser/requirements.txt
WORK=$(mktemp -d)
SERVER=""
STOP_CLUSTER=""
cleanup() {
  [ -n "$SERVER" ] && kill "$SERVER" 2>/dev/null && wait "$SERVER" 2>/dev/null
  [ -n "$STOP_CLUSTER" ] && scripts/pg-test-cluster stop
  rm -rf "$WORK"
}
trap cleanup EXIT
if [ -z "${DATABASE_URL:-}" ]; then
  export WH_PG_DIR=/tmp/workershome-bench-pg WH_PG_PORT=55433
  ADMIN=$(scripts/pg-test-cluster start)
  STOP_CLUSTER=1
  export DATABASE_URL="${ADMIN%/postgres}/bench" WH_DATA_DIR="$WORK"
  psql -q "$ADMIN" -c "CREATE DATABASE bench"
  $BIN demo --scale province --members "${MEMBERS_PER_UNION:-268}" | head -2
  psql -q "$DATABASE_URL" -c "VACUUM ANALYZE"
fi
export TMPDIR="$WORK" LOG_LEVEL=warning
$BIN serve --port 18082 >"$WORK/serve.log" 2>&1 &
SERVER=$!
for _ in $(seq 120); do curl -fs http://127.0.0.1:18082/health >/dev/null && break; sleep 0.5; done
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p bench/out
.build/venv/bin/python bench/acceptance.py http://127.0.0.1:18082 "$DATABASE_URL" "bench/out/acceptance-$STAMP" "$ROWS" \
  | tee "bench/out/acceptance-$STAMP.txt"
