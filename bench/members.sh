#!/usr/bin/env bash
# The member database at province scale on PostgreSQL, release build, everything in one run:
#  1. the Hebei demo: about 55,000 unions and MEMBERS_PER_UNION × ~52,000 members (268 ≈ 14 million);
#  2. import of IMPORT_ROWS rows (1% bad) from CSV through `workershome import` (validated, encrypted,
#     committed in batches), and two baselines: a plain COPY of the same resulting rows into an empty
#     table of the same layout and indexes, and into one holding the other members (as large as
#     `members` was when the import began); the ratio is COPY time / import time;
#  3. lookups through HTTP by ID number, phone and name prefix (wrk, p50/p99);
#  4. the province dashboard through HTTP (from rollups) vs the plain GROUP BY over members (pgbench);
#  5. the dashboard and two lookups again with one connection: a request's latency without queueing.
# Output: bench/out/members-<timestamp>.txt. Knobs: MEMBERS_PER_UNION (268), IMPORT_ROWS (1000000).
set -euo pipefail
cd "$(dirname "$0")/.."
MEMBERS_PER_UNION=${MEMBERS_PER_UNION:-268}
IMPORT_ROWS=${IMPORT_ROWS:-1000000}
scripts/install-deps
command -v wrk >/dev/null || apt-get install -y -qq wrk >/dev/null
swift build -c release --product workershome --scratch-path .build-release 2>&1 | tail -1
BIN=$PWD/.build-release/release/workershome
export WH_PG_DIR=/tmp/workershome-bench-pg WH_PG_PORT=55433
ADMIN=$(scripts/pg-test-cluster start)
WORK=$(mktemp -d)
chmod 755 "$WORK"
SERVER=""
cleanup() { [ -n "$SERVER" ] && kill "$SERVER" 2>/dev/null; scripts/pg-test-cluster stop; rm -rf "$WORK"; }
trap cleanup EXIT
URL="${ADMIN%/postgres}/bench"
psql -q "$ADMIN" -c "CREATE DATABASE bench"
export TMPDIR="$WORK" WH_DATA_DIR="$WORK" DATABASE_URL="$URL" LOG_LEVEL=warning
q() { psql -Atq "$URL" -c "$1"; }
secs() { python3 -c "import sys; print(f'{float(sys.argv[1]):.1f}')" "$1"; }
now() { date +%s.%N; }

t0=$(now)
$BIN demo --scale province --members "$MEMBERS_PER_UNION" | head -2 | tee "$WORK/demo.txt"
DEMO_S=$(python3 -c "print($(now) - $t0)")
psql -q "$URL" -c "VACUUM ANALYZE"
PROVINCE=$(q "SELECT id FROM organizations WHERE parent_id IS NULL")
MEMBERS=$(q "SELECT count(*) FROM members")

# Import, then the same rows by plain COPY.
psql -Atq -F $'\t' "$URL" -c "SELECT id, region_code FROM organizations WHERE level = 'grassroots' AND region_code IS NOT NULL" > "$WORK/unions.tsv"
python3 bench/make_members_csv.py "$WORK/unions.tsv" "$IMPORT_ROWS" "$WORK/import.csv" --bad 0.01
IMPORT_LINE=$($BIN import --file "$WORK/import.csv" --union "$PROVINCE")
IMPORT_ID=$(echo "$IMPORT_LINE" | sed -E 's/^import ([0-9]+):.*/\1/')
IMPORT_S=$(echo "$IMPORT_LINE" | sed -E 's/.* in ([0-9.]+) s .*/\1/')
GOOD=$(echo "$IMPORT_LINE" | sed -E 's/.*; ([0-9]+) good.*/\1/')
psql -q "$URL" -c "\\copy (SELECT * FROM members WHERE import_job_id = $IMPORT_ID) TO '$WORK/rows.copy'"
# Baseline 1: into an empty table of the same layout and indexes.
psql -q "$URL" -c "CREATE TABLE members_copy (LIKE members INCLUDING ALL)"
psql -q "$URL" -c "CHECKPOINT"
t0=$(now)
psql -q "$URL" -c "\\copy members_copy FROM '$WORK/rows.copy'"
COPY_S=$(python3 -c "print($(now) - $t0)")
# Baseline 2: into a table as large as `members` was before the import (its other rows, the same
# indexes, built after the rows go in as a restore would), which is where the import writes.
psql -q "$URL" -c "CREATE TABLE members_full (LIKE members INCLUDING ALL EXCLUDING INDEXES)"
psql -q "$URL" -c "INSERT INTO members_full SELECT * FROM members WHERE import_job_id IS DISTINCT FROM $IMPORT_ID"
psql -Atq "$URL" -c "SELECT replace(replace(indexdef, 'INDEX members_', 'INDEX members_full_'), ' ON public.members ', ' ON public.members_full ') || ';'
  FROM pg_indexes WHERE schemaname = 'public' AND tablename = 'members'" > "$WORK/indexes.sql"
psql -q -v ON_ERROR_STOP=1 "$URL" -c "SET maintenance_work_mem = '1GB'" -f "$WORK/indexes.sql"
psql -q "$URL" -c "VACUUM ANALYZE members_full" -c "CHECKPOINT"
t0=$(now)
psql -q "$URL" -c "\\copy members_full FROM '$WORK/rows.copy'"
COPY_FULL_S=$(python3 -c "print($(now) - $t0)")
psql -q "$URL" -c "DROP TABLE members_copy, members_full"

# HTTP lookups and the dashboard, in a steady state: after a bulk load autovacuum would otherwise
# vacuum and analyze `members` during the first measurements (seen: p99 of the ID lookup 87–97 ms
# right after the import, 38–40 ms once settled), and the server's job loop first works off what
# the import left queued.
psql -q "$URL" -c "VACUUM ANALYZE"
$BIN serve --port 18081 >"$WORK/serve.log" 2>&1 &
SERVER=$!
for _ in $(seq 120); do curl -fs http://127.0.0.1:18081/health >/dev/null && break; sleep 0.5; done
for _ in $(seq 300); do
  [ "$(q "SELECT count(*) FROM jobs WHERE status IN ('queued', 'running') AND run_at <= now()")" = 0 ] && break
  sleep 1
done
TOKEN=$(curl -fs -X POST http://127.0.0.1:18081/api/v1/session -H 'Content-Type: application/json' \
  -d '{"username":"hebei","password":"Demo@2026"}' | sed -E 's/.*"token":"([^"]+)".*/\1/')
ROW=$(sed -n '100p' "$WORK/import.csv")
IDNO=$(echo "$ROW" | cut -d, -f5)
PHONE=$(echo "$ROW" | cut -d, -f6)
NAME=$(python3 -c "import sys; print(sys.argv[1].split(',')[0][:1])" "$ROW")
enc() { python3 -c "import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1]))" "$1"; }
run_wrk() {  # path, label, then wrk's load (default: 2 threads, 16 connections, 15 s)
  local load=${3:-"-t2 -c16 -d15s"}
  # shellcheck disable=SC2086
  wrk $load --latency -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:18081$1" >"$WORK/wrk.txt"
  printf '| %s | %s | %s | %s |\n' "$2" "$(awk '/Requests\/sec/ {print int($2)}' "$WORK/wrk.txt")" \
    "$(awk '$1 == "50%" {print $2}' "$WORK/wrk.txt")" "$(awk '$1 == "99%" {print $2}' "$WORK/wrk.txt")"
}
cat > "$WORK/groupby.sql" <<SQL
SELECT c.id, count(m.id) FROM organizations c
JOIN members m ON m.org_path >= c.path AND m.org_path < substr(c.path, 1, length(c.path) - 1) || '0'
WHERE c.parent_id = $PROVINCE AND m.status IN ('active', 'retired_kept') GROUP BY c.id;
SQL
/usr/lib/postgresql/15/bin/pgbench -n -c 1 -T 30 -f "$WORK/groupby.sql" "$URL" >"$WORK/pgbench.txt" 2>/dev/null || true
GROUPBY_MS=$(awk '/latency average/ {print $4}' "$WORK/pgbench.txt")

OUT="bench/out/members-$(date -u +%Y%m%dT%H%M%SZ).txt"
mkdir -p bench/out
{
  echo "members benchmark $(date -u +%F): $(q 'SELECT count(*) FROM organizations') unions, $MEMBERS members before the import; PostgreSQL $(q 'SHOW server_version'); $(nproc) cores"
  echo "demo load: $(secs "$DEMO_S") s — $(tail -1 "$WORK/demo.txt")"
  echo
  echo "Import of $IMPORT_ROWS CSV rows (1% bad), validated and encrypted, batches of 5,000:"
  echo "$IMPORT_LINE"
  echo "| step | seconds | rows/s |"
  echo "|---|---|---|"
  echo "| workershome import | $(secs "$IMPORT_S") | $(python3 -c "print(int($IMPORT_ROWS / $IMPORT_S))") |"
  echo "| plain COPY of the same $GOOD rows into an empty table (same layout and indexes) | $(secs "$COPY_S") | $(python3 -c "print(int($GOOD / $COPY_S))") |"
  echo "| plain COPY of the same $GOOD rows into a table of $MEMBERS rows (same layout and indexes) | $(secs "$COPY_FULL_S") | $(python3 -c "print(int($GOOD / $COPY_FULL_S))") |"
  echo "ratio (COPY time / import time): $(python3 -c "print(f'{$COPY_S / $IMPORT_S:.2f}')") against the empty table, $(python3 -c "print(f'{$COPY_FULL_S / $IMPORT_S:.2f}')") against the full one"
  echo
  echo "HTTP, wrk 2 threads 16 connections 15 s, provincial admin's token:"
  echo "| request | req/s | p50 | p99 |"
  echo "|---|---|---|---|"
  run_wrk "/api/v1/members?q=$IDNO&limit=20" "member by ID number"
  run_wrk "/api/v1/members?q=$PHONE&limit=20" "member by phone"
  run_wrk "/api/v1/members?q=$(enc "$NAME")&limit=20" "name prefix $NAME (first page of 20)"
  run_wrk "/api/v1/member-dashboard" "province dashboard (rollups)"
  echo
  echo "HTTP, one connection (wrk 1 thread, 1 connection, 10 s): the latency of a request alone"
  echo "| request | req/s | p50 | p99 |"
  echo "|---|---|---|---|"
  run_wrk "/api/v1/member-dashboard" "province dashboard (rollups)" "-t1 -c1 -d10s"
  run_wrk "/api/v1/members?q=$IDNO&limit=20" "member by ID number" "-t1 -c1 -d10s"
  run_wrk "/api/v1/members?q=$(enc "$NAME")&limit=20" "name prefix $NAME (first page of 20)" "-t1 -c1 -d10s"
  echo
  echo "baseline: the same dashboard by GROUP BY over members (pgbench, 1 client, 30 s): latency average $GROUPBY_MS ms"
} | tee "$OUT"
