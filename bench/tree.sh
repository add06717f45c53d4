#!/usr/bin/env bash
# The union tree at province scale (the Hebei demo, about 55,000 unions) on PostgreSQL, release build.
#  1. SQL, same run: a city's whole subtree by the materialized-path range vs a recursive CTE over
#     parent_id (the baseline a tree without paths would need), with pgbench.
#  2. HTTP: a county's children, a name search and one org through the API, with wrk (2 threads,
#     16 connections, 15 s each), bearer token of the provincial admin.
# Prints a summary and writes it to bench/out/tree-<timestamp>.txt.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps
command -v wrk >/dev/null || { apt-get install -y -qq wrk >/dev/null; }

swift build -c release --product workershome --scratch-path .build-release 2>&1 | tail -1
BIN=.build-release/release/workershome
export WH_PG_DIR=/tmp/workershome-bench-pg WH_PG_PORT=55433
ADMIN=$(scripts/pg-test-cluster start)
WORK=$(mktemp -d)
SERVER=""
cleanup() { [ -n "$SERVER" ] && kill "$SERVER" 2>/dev/null; scripts/pg-test-cluster stop; rm -rf "$WORK"; }
trap cleanup EXIT
URL="${ADMIN%/postgres}/bench"
psql -q "$ADMIN" -c "CREATE DATABASE bench"
export TMPDIR="$WORK" WH_DATA_DIR="$WORK" DATABASE_URL="$URL"
$BIN demo --scale province --members 0 2>/dev/null | head -1
psql -q "$URL" -c "VACUUM ANALYZE"

q() { psql -Atq "$URL" -c "$1"; }
CITY=$(q "SELECT id FROM organizations WHERE region_code = '130100' AND kind = 'federation'")
CITY_PATH=$(q "SELECT path FROM organizations WHERE id = $CITY")
CITY_UPPER="${CITY_PATH%/}0"
COUNTY=$(q "SELECT id FROM organizations WHERE region_code = '130123' AND kind = 'federation'")
SUBTREE=$(q "SELECT count(*) FROM organizations WHERE path >= '$CITY_PATH' AND path < '$CITY_UPPER'")

echo "SELECT count(*) FROM organizations WHERE path >= '$CITY_PATH' AND path < '$CITY_UPPER';" > "$WORK/range.sql"
cat > "$WORK/cte.sql" <<SQL
WITH RECURSIVE t AS (SELECT id FROM organizations WHERE id = $CITY
  UNION ALL SELECT o.id FROM organizations o JOIN t ON o.parent_id = t.id) SELECT count(*) FROM t;
SQL
tps() { /usr/lib/postgresql/15/bin/pgbench -n -c 2 -j 2 -T 10 -f "$1" "$URL" 2>/dev/null | awk '/^tps/ {print int($3)}'; }
RANGE_TPS=$(tps "$WORK/range.sql")
CTE_TPS=$(tps "$WORK/cte.sql")

$BIN serve --port 18080 --log-level warning >"$WORK/serve.log" 2>&1 &
SERVER=$!
for _ in $(seq 60); do curl -fs http://127.0.0.1:18080/health >/dev/null && break; sleep 0.5; done
TOKEN=$(curl -fs -X POST http://127.0.0.1:18080/api/v1/session -H 'Content-Type: application/json' \
  -d '{"username":"hebei","password":"Demo@2026"}' | sed -E 's/.*"token":"([^"]+)".*/\1/')
run_wrk() {
  wrk -t2 -c16 -d15s --latency -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:18080$1" >"$WORK/wrk.txt"
  local rps p50 p99
  rps=$(awk '/Requests\/sec/ {print int($2)}' "$WORK/wrk.txt")
  p50=$(awk '$1 == "50%" {print $2}' "$WORK/wrk.txt")
  p99=$(awk '$1 == "99%" {print $2}' "$WORK/wrk.txt")
  printf '| %s | %s | %s | %s |\n' "$2" "$rps" "$p50" "$p99"
}

OUT="bench/out/tree-$(date -u +%Y%m%dT%H%M%SZ).txt"
mkdir -p bench/out
{
  echo "tree benchmark $(date -u +%F) — $(q "SELECT count(*) FROM organizations") unions; PostgreSQL $(q 'SHOW server_version'); $(nproc) cores"
  echo
  echo "SQL, 石家庄 subtree ($SUBTREE unions), pgbench 2 clients 10 s:"
  echo "| query | tps |"
  echo "|---|---|"
  echo "| path range (ours) | $RANGE_TPS |"
  echo "| recursive CTE (baseline) | $CTE_TPS |"
  echo "ratio range / CTE: $(awk "BEGIN {printf \"%.1f\", $RANGE_TPS / $CTE_TPS}")"
  echo
  echo "HTTP, wrk 2 threads 16 connections 15 s:"
  echo "| request | req/s | p50 | p99 |"
  echo "|---|---|---|---|"
  run_wrk "/api/v1/orgs/$COUNTY/children?limit=50" "children of 正定县 (first 50)"
  run_wrk "/api/v1/orgs?q=%E6%AD%A3%E5%AE%9A&limit=50" "search 正定 in the province"
  run_wrk "/api/v1/orgs/$CITY" "one org"
} | tee "$OUT"
