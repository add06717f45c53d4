#!/usr/bin/env bash
# The cost of being signed in, and the pool under more connections than it has.
# For each database (the SQLite default, then a throwaway PostgreSQL 15 cluster), on the small demo,
# with the release build:
#  1. GET /health against GET /api/v1/orgs/<county> as the county cadre `zhengding` (bearer token:
#     session resolve, scope check, one indexed read), same binary, same run, wrk 2 threads and
#     16 connections for DURATION each, alternated ROUNDS times; prints each pair and the median ratio.
#  2. load-smoke (1, 4, 16, 64 and 256 connections, /health after each) on that API read and on the
#     console's work-order list with the cadre's cookie.
#  3. SIGTERM during a 256-connection load: seconds until the process is gone.
# Output: bench/out/signedin-<timestamp>.txt.
# Knobs: DURATION (10s), ROUNDS (3), DATABASES ("sqlite postgres"), OURS_BIN=path (skip the build).
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${DURATION:-10s}
ROUNDS=${ROUNDS:-3}
DATABASES=${DATABASES:-sqlite postgres}
PORT=18082
URL_BASE="http://127.0.0.1:$PORT"

scripts/install-deps
command -v wrk >/dev/null || apt-get install -y -qq wrk >/dev/null
BIN=${OURS_BIN:-}
if [ -z "$BIN" ]; then
  swift build -c release --product workershome --scratch-path .build-release 2>&1 | tail -1
  BIN=$PWD/.build-release/release/workershome
fi
mkdir -p bench/out
OUT=bench/out/signedin-$(date -u +%Y%m%dT%H%M%SZ).txt
WORK=$(mktemp -d)
SERVER=""
cleanup() {
  set +e
  [ -n "$SERVER" ] && kill -KILL "$SERVER" 2>/dev/null
  scripts/pg-test-cluster stop
  rm -rf "$WORK"
}
trap cleanup EXIT
export WH_PG_DIR=/tmp/workershome-bench-pg WH_PG_PORT=55434 TMPDIR="$WORK" LOG_LEVEL=warning

log() { echo "$*" | tee -a "$OUT"; }
serve() {
  "$BIN" serve --port "$PORT" >"$WORK/serve.log" 2>&1 &
  SERVER=$!
  for _ in $(seq 120); do curl -s -o /dev/null "$URL_BASE/health" && return 0; sleep 0.5; done
  echo "server did not start" >&2; cat "$WORK/serve.log" >&2; exit 1
}
rps() {  # path [header]: requests per second over DURATION at 16 connections
  if [ -n "${2:-}" ]; then wrk -t2 -c16 -d"$DURATION" -H "$2" "$URL_BASE$1"; else wrk -t2 -c16 -d"$DURATION" "$URL_BASE$1"; fi |
    awk '/Requests\/sec/{print $2} /Non-2xx/{print "NON2XX " $4 > "/dev/stderr"}'
}

log "# signed-in GET vs /health, $(date -u +%FT%TZ), commit $(git rev-parse --short HEAD), $(nproc) cores, DURATION=$DURATION"
for db in $DATABASES; do
  export WH_DATA_DIR="$WORK/$db"
  mkdir -p "$WH_DATA_DIR"
  if [ "$db" = postgres ]; then
    ADMIN=$(scripts/pg-test-cluster start)
    psql -q "$ADMIN" -c "CREATE DATABASE bench"
    export DATABASE_URL="${ADMIN%/postgres}/bench"
  else
    unset DATABASE_URL
  fi
  "$BIN" demo --scale small >/dev/null
  serve
  TOKEN=$(curl -s -XPOST "$URL_BASE/api/v1/session" -H 'content-type: application/json' \
    -d '{"username":"zhengding","password":"Demo@2026"}' | python3 -c 'import json,sys;print(json.load(sys.stdin)["token"])')
  COUNTY=$(curl -s "$URL_BASE/api/v1/session" -H "Authorization: Bearer $TOKEN" |
    python3 -c 'import json,sys;print(json.load(sys.stdin)["assignments"][0]["orgId"])')
  AUTH="Authorization: Bearer $TOKEN"
  log ""
  log "## $db: /health vs /api/v1/orgs/$COUNTY as zhengding, 16 connections"
  ratios=()
  for round in $(seq "$ROUNDS"); do
    h=$(rps /health)
    s=$(rps "/api/v1/orgs/$COUNTY" "$AUTH")
    r=$(python3 -c "print(f'{$s/$h:.2f}')")
    ratios+=("$r")
    log "round $round: /health $h req/s, signed-in $s req/s, ratio $r"
  done
  log "median ratio: $(printf '%s\n' "${ratios[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')"

  log ""
  log "## $db: load-smoke, bearer API read"
  ../shared/tools/load-smoke "$URL_BASE" "/api/v1/orgs/$COUNTY" "$AUTH" | tee -a "$OUT"
  curl -s -c "$WORK/jar" -b "$WORK/jar" "$URL_BASE/admin/login" -o "$WORK/login.html"
  CSRF=$(grep -o 'name="_csrf" value="[^"]*"' "$WORK/login.html" | head -1 | sed 's/.*value="//;s/"//')
  curl -s -c "$WORK/jar" -b "$WORK/jar" -o /dev/null -X POST "$URL_BASE/admin/login" --data-urlencode "_csrf=$CSRF" \
    --data-urlencode username=zhengding --data-urlencode password=Demo@2026
  COOKIE="Cookie: $(awk '$6=="wh_session"{print $6"="$7}' "$WORK/jar")"
  log "## $db: load-smoke, console /admin/work-orders with the cookie"
  ../shared/tools/load-smoke "$URL_BASE" /admin/work-orders "$COOKIE" | tee -a "$OUT"

  wrk -t2 -c256 -d20s -H "$AUTH" "$URL_BASE/api/v1/orgs/$COUNTY" >/dev/null 2>&1 &
  LOAD=$!
  sleep 3
  start=$(date +%s.%N)
  kill -TERM "$SERVER"
  (sleep 60; kill -KILL "$SERVER" 2>/dev/null) &
  WATCH=$!
  wait "$SERVER" || true
  log "## $db: SIGTERM under 256 connections: exited after $(python3 -c "print(f'{$(date +%s.%N) - $start:.2f}')") s (killed at 60 s if not)"
  kill "$WATCH" 2>/dev/null || true
  SERVER=""
  kill "$LOAD" 2>/dev/null || true
  wait "$LOAD" 2>/dev/null || true
  [ "$db" = postgres ] && scripts/pg-test-cluster stop
done
log ""
log "written to $OUT"
