#!/usr/bin/env bash
# Fuzzes the JSON API from its own OpenAPI document with schemathesis (from PyPI, into a throwaway
# virtualenv): the small demo on SQLite, signed in as the province admin `hebei`, every operation
# but the two that would end the run's own session. Fails on any server error (5xx), any response
# outside the document's schema, a wrong content type, or an undocumented status code.
# Output: bench/out/schemathesis-<timestamp>.txt. Knobs: MAX_TIME (300 s), OURS_BIN=path (skip the build).
set -euo pipefail
cd "$(dirname "$0")/.."
MAX_TIME=${MAX_TIME:-300}
PORT=18083
scripts/install-deps
BIN=${OURS_BIN:-}
if [ -z "$BIN" ]; then
  swift build -c release --product workershome --scratch-path .build-release 2>&1 | tail -1
  BIN=$PWD/.build-release/release/workershome
fi
mkdir -p bench/out
OUT=bench/out/schemathesis-$(date -u +%Y%m%dT%H%M%SZ).txt
WORK=$(mktemp -d)
SERVER=""
cleanup() {
  set +e
  [ -n "$SERVER" ] && kill "$SERVER" 2>/dev/null && wait "$SERVER" 2>/dev/null
  rm -rf "$WORK"
}
trap cleanup EXIT
python3 -m venv "$WORK/venv" >/dev/null
"$WORK/venv/bin/pip" install -q "schemathesis==4.32.5"
export WH_DATA_DIR="$WORK/data" TMPDIR="$WORK" LOG_LEVEL=warning
unset DATABASE_URL
"$BIN" demo --scale small >/dev/null
"$BIN" serve --port "$PORT" >"$WORK/serve.log" 2>&1 &
SERVER=$!
for _ in $(seq 120); do curl -s -o /dev/null "http://127.0.0.1:$PORT/health" && break; sleep 0.5; done
TOKEN=$(curl -s -XPOST "http://127.0.0.1:$PORT/api/v1/session" -H 'content-type: application/json' \
  -d '{"username":"hebei","password":"Demo@2026"}' | python3 -c 'import json,sys;print(json.load(sys.stdin)["token"])')
set +e
"$WORK/venv/bin/schemathesis" run "http://127.0.0.1:$PORT/api/v1/openapi.json" \
  --url "http://127.0.0.1:$PORT/api/v1" -H "Authorization: Bearer $TOKEN" \
  --checks not_a_server_error,response_schema_conformance,content_type_conformance,status_code_conformance \
  --exclude-operation-id deleteSession --exclude-operation-id postAccountsByIdPassword \
  --max-time "$MAX_TIME" --suppress-health-check all --workers 2 --continue-on-failure 2>&1 | tee "$OUT"
status=${PIPESTATUS[0]}
set -e
echo "server errors in its log: $(grep -c 'unhandled error' "$WORK/serve.log")" | tee -a "$OUT"
grep 'unhandled error' "$WORK/serve.log" | head -20 | tee -a "$OUT"
echo "written to $OUT"
exit "$status"
