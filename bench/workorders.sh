#!/usr/bin/env bash
# Work orders over HTTP on PostgreSQL, side by side with django-helpdesk 2.6.1 (the peer), same
# machine, same run, same load client (wrk, 2 threads, 16 connections, DURATION each):
#  1. create a work order / ticket (POST, the title varies per request: "讨薪 <n>");
#  2. list my queue, first page of 50;
#  3. search "讨薪 12", first 50 hits;
#  then the SLA job (section at the end).
# Both sides start with TICKETS prefilled orders (ours: `workershome demo --work-orders`; the peer:
# bulk_create through its ORM, see bench/peer/helpdesk_setup.py). The peer is pip-installed into a
# throwaway virtualenv under the run's temp dir and served by gunicorn; none of its code is kept.
# Output: bench/out/workorders-<timestamp>.txt.
# Knobs: TICKETS (10000), DURATION (20s), WRK_TIMEOUT (30s), GUNICORN_WORKERS (nproc),
#        PEER_CONN_MAX_AGE (600: persistent DB connections; 0 is Django's default, a new one a request),
#        SKIP_OURS=1 (peer only: no build, no demo, our columns empty — for testing the peer half),
#        OURS_BIN=path (use that binary instead of building one; for testing the script).
set -euo pipefail
cd "$(dirname "$0")/.."
TICKETS=${TICKETS:-10000}
DURATION=${DURATION:-20s}
# Long enough that wrk reports the peer's slow list as latency rather than only as timeouts.
WRK_TIMEOUT=${WRK_TIMEOUT:-30s}
SKIP_OURS=${SKIP_OURS:-0}
# One sync worker per core: the peer is CPU-bound (Django + DRF, ≈20 queries per create against a
# local PostgreSQL that, like wrk, shares the same cores), so more processes than cores mostly add
# context switches. Measured here at 10k tickets, gunicorn's usual 2×cores+1 (5) was no better:
# create 106 req/s (2 workers: 94–115 across identical runs), lists and search 5–30% slower.
GUNICORN_WORKERS=${GUNICORN_WORKERS:-$(nproc)}
PEER_CONN_MAX_AGE=${PEER_CONN_MAX_AGE:-600}
OURS_PORT=18081
PEER_PORT=18090
SEARCH="讨薪 12"
PEER_PY=${PEER_PY:-/usr/bin/python3}  # Debian's Python (python3-venv comes from install-deps)
ours() { [ "$SKIP_OURS" != 1 ]; }

scripts/install-deps
command -v wrk >/dev/null || apt-get install -y -qq wrk >/dev/null
BIN=${OURS_BIN:-}
if ours && [ -z "$BIN" ]; then
  swift build -c release --product workershome --scratch-path .build-release 2>&1 | tail -1
  BIN=$PWD/.build-release/release/workershome
fi

WORK=$(mktemp -d)
chmod 755 "$WORK"
SERVER=""
PEER=""
stop_pid() {  # pid, signal: signal one process we started, wait up to 10 s, then kill it
  kill "-$2" "$1" 2>/dev/null || return 0
  for _ in $(seq 50); do kill -0 "$1" 2>/dev/null || return 0; sleep 0.2; done
  kill -KILL "$1" 2>/dev/null || true
}
cleanup() {
  set +e
  [ -n "$SERVER" ] && stop_pid "$SERVER" TERM
  # SIGINT is gunicorn's quick shutdown: it does not wait for in-flight (slow list) requests.
  if [ -n "$PEER" ]; then
    workers=$(pgrep -P "$PEER")
    stop_pid "$PEER" INT
    for w in $workers; do kill -KILL "$w" 2>/dev/null; done
  fi
  scripts/pg-test-cluster stop
  rm -rf "$WORK"
}
trap cleanup EXIT
export WH_PG_DIR=/tmp/workershome-bench-pg WH_PG_PORT=55433
ADMIN=$(scripts/pg-test-cluster start)
URL="${ADMIN%/postgres}/bench"
PEER_URL="${ADMIN%/postgres}/helpdesk"
psql -q "$ADMIN" -c "CREATE DATABASE bench"
psql -q "$ADMIN" -c "CREATE DATABASE helpdesk"
export TMPDIR="$WORK" WH_DATA_DIR="$WORK" DATABASE_URL="$URL" LOG_LEVEL=warning
q() { psql -Atq "$URL" -c "$1"; }
pq() { psql -Atq "$PEER_URL" -c "$1"; }
enc() { python3 -c "import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1]))" "$1"; }
wait_http() {  # url: up to 60 s for a server to answer
  for _ in $(seq 120); do curl -s -o /dev/null "$1" && return 0; sleep 0.5; done
  echo "no answer from $1" >&2; exit 1
}

# --- The peer: django-helpdesk in a throwaway virtualenv --------------------------------------
echo "== peer: installing django-helpdesk 2.6.1"
"$PEER_PY" -m venv "$WORK/venv"
# Pinned to what PEERS.md records as working (Django 5.2.x, DRF 3.18.x; gunicorn with --no-control-socket).
"$WORK/venv/bin/pip" install -q --disable-pip-version-check \
  'django-helpdesk==2.6.1' 'Django==5.2.19' 'djangorestframework==3.18.3' 'gunicorn==27.0.1' 'psycopg[binary]==3.3.9'
"$WORK/venv/bin/python" bench/peer/helpdesk_setup.py project "$WORK/peer" --db "$PEER_URL" --conn-max-age "$PEER_CONN_MAX_AGE"
dj() { PYTHONPATH="$WORK/peer" DJANGO_SETTINGS_MODULE=hdbench.settings "$WORK/venv/bin/python" "$@"; }
dj -m django migrate --noinput -v0
t0=$(date +%s.%N)
dj bench/peer/helpdesk_setup.py seed "$WORK/peer" --tickets "$TICKETS" >"$WORK/peer-seed.txt"
echo "peer: $TICKETS tickets prefilled by bulk_create in $(python3 -c "print(f'{$(date +%s.%N) - $t0:.1f}')") s"
PEER_TOKEN=$(sed -n 's/^token=//p' "$WORK/peer-seed.txt")
PEER_QUEUE=$(sed -n 's/^queue=//p' "$WORK/peer-seed.txt")
PEER_SESSION=$(sed -n 's/^session=//p' "$WORK/peer-seed.txt")
psql -q "$PEER_URL" -c "VACUUM ANALYZE"

# --- Ours: the small demo tree with TICKETS work orders ---------------------------------------
if ours; then
  echo "== ours: demo --scale small --work-orders $TICKETS"
  "$BIN" demo --scale small --work-orders "$TICKETS" >"$WORK/demo.txt"
  tail -n 2 "$WORK/demo.txt"
  psql -q "$URL" -c "VACUUM ANALYZE"
  UNION=$(q "SELECT id FROM organizations WHERE level = 'grassroots' AND path LIKE (SELECT path FROM organizations WHERE name = '正定县总工会') || '%' ORDER BY id LIMIT 1")
  [ -n "$UNION" ] || { echo "no grassroots union under 正定县总工会" >&2; exit 1; }
fi

# --- Servers -----------------------------------------------------------------------------------
# DEBUG is False in the generated settings. --preload imports Django once in the master; --timeout
# is the worker watchdog, raised because one stock list request takes seconds at 10k tickets.
PYTHONPATH="$WORK/peer" DJANGO_SETTINGS_MODULE=hdbench.settings "$WORK/venv/bin/gunicorn" hdbench.wsgi:application \
  --chdir "$WORK/peer" --bind "127.0.0.1:$PEER_PORT" --workers "$GUNICORN_WORKERS" --preload --timeout 300 \
  --no-control-socket --error-logfile "$WORK/gunicorn.log" &
PEER=$!
wait_http "http://127.0.0.1:$PEER_PORT/api/"
if ours; then
  "$BIN" serve --port "$OURS_PORT" >"$WORK/serve.log" 2>&1 &
  SERVER=$!
  wait_http "http://127.0.0.1:$OURS_PORT/health"
  TOKEN=$(curl -fs -X POST "http://127.0.0.1:$OURS_PORT/api/v1/session" -H 'Content-Type: application/json' \
    -d '{"username":"zhengding","password":"Demo@2026"}' | python3 -c 'import json, sys; print(json.load(sys.stdin)["token"])')
  [ -n "$TOKEN" ] || { echo "no session token from our server" >&2; exit 1; }
fi

# --- Requests ------------------------------------------------------------------------------------
OURS_BASE="http://127.0.0.1:$OURS_PORT"
PEER_BASE="http://127.0.0.1:$PEER_PORT"
OURS_AUTH="Authorization: Bearer ${TOKEN:-}"
PEER_AUTH="Authorization: Token $PEER_TOKEN"
PEER_COOKIE="Cookie: sessionid=$PEER_SESSION"
OURS_CREATE_BODY='{"type":"assistance","category":"wage_arrears","title":"讨薪 {n}","description":"工资拖欠三个月，共 13 人","unionId":'"${UNION:-0}"',"callerName":"张三","callerPhone":"13800138000"}'
PEER_CREATE_BODY='{"queue":'"$PEER_QUEUE"',"title":"讨薪 {n}","description":"工资拖欠三个月，共 13 人","submitter_email":"zhangsan@example.com","priority":3}'
OURS_LIST="/api/v1/work-orders?queue=org&limit=50"
OURS_SEARCH="/api/v1/work-orders?q=$(enc "$SEARCH")&limit=50"
# The peer's REST list paginates (PageNumberPagination, 25 a page, ?page_size= accepted).
PEER_LIST="/api/tickets/?page_size=50"
# Its REST API has no search (no filter backends, only ?status=); the staff UI's search box asks
# the DataTables JSON endpoint (views/staff.py datatables_ticket_list), which checks the Django
# session's user before DRF runs, so it takes the logged-in session cookie, not the token.
PEER_UI_LIST=$("$WORK/venv/bin/python" bench/peer/helpdesk_setup.py list-path --length 50)
PEER_SEARCH=$("$WORK/venv/bin/python" bench/peer/helpdesk_setup.py search-path "$SEARCH" --length 50)

summarize() {  # file: a one-line summary of a JSON answer (sizes of its lists, counts, ids)
  python3 - "$1" <<'PY'
import json, sys
try:
    body = json.load(open(sys.argv[1]))
except ValueError:
    sys.exit(print("not JSON"))
if isinstance(body, list):
    print(f"{len(body)} items")
else:
    keys = ("count", "recordsFiltered", "recordsTotal", "total", "results", "data", "items", "id", "number", "title")
    parts = [f"{k}: {len(v)} items" if isinstance(v, list) else f"{k}: {str(v)[:40]}"
             for k, v in body.items() if k in keys]
    print(", ".join(parts) or "keys: " + ", ".join(list(body)[:8]))
PY
}
check() {  # label, then curl arguments: one request, fails loudly unless it answers 2xx
  local label=$1 code
  shift
  code=$(curl -s -o "$WORK/check.body" -w '%{http_code}' --max-time 300 "$@") || code=000
  if [[ $code != 2?? ]]; then
    echo "FAIL: $label → HTTP $code" >&2
    head -c 800 "$WORK/check.body" >&2
    echo >&2
    exit 1
  fi
  echo "ok: $label → $code, $(summarize "$WORK/check.body")"
}
echo "== checking every endpoint once"
if ours; then
  check "ours create" -X POST "$OURS_BASE/api/v1/work-orders" -H "$OURS_AUTH" -H 'Content-Type: application/json' -d "${OURS_CREATE_BODY//\{n\}/0}"
  check "ours list" -H "$OURS_AUTH" "$OURS_BASE$OURS_LIST"
  check "ours search" -H "$OURS_AUTH" "$OURS_BASE$OURS_SEARCH"
fi
check "peer create" -X POST "$PEER_BASE/api/tickets/" -H "$PEER_AUTH" -H 'Content-Type: application/json' -d "${PEER_CREATE_BODY//\{n\}/0}"
check "peer list (REST)" -H "$PEER_AUTH" "$PEER_BASE$PEER_LIST"
check "peer list (staff UI JSON)" -H "$PEER_COOKIE" "$PEER_BASE$PEER_UI_LIST"
check "peer search (staff UI JSON)" -H "$PEER_COOKIE" "$PEER_BASE$PEER_SEARCH"

# --- Load ------------------------------------------------------------------------------------------
cpu_ticks() {  # pid: CPU ticks used so far by the process and its children (e.g. gunicorn's workers)
  local total=0 p t
  for p in "$1" $(pgrep -P "$1" || true); do
    # Fields 14 and 15 of /proc/<pid>/stat (utime, stime), counted after the "(comm)" field.
    t=$(sed 's/.*) //' "/proc/$p/stat" 2>/dev/null | awk '{print $12 + $13}')
    total=$((total + ${t:-0}))
  done
  echo "$total"
}
wait_idle() {  # pid: wait (up to 10 min) until the server has worked off the requests wrk left queued
  local before after quiet=0 waited=0
  before=$(cpu_ticks "$1")
  while [ "$waited" -lt 600 ]; do
    sleep 1
    waited=$((waited + 1))
    after=$(cpu_ticks "$1")
    if [ $((after - before)) -le 5 ]; then quiet=$((quiet + 1)); else quiet=0; fi
    [ "$quiet" -ge 2 ] && break
    before=$after
  done
  [ "$waited" -gt 2 ] && echo "   (server busy $((waited - 2)) s more after wrk stopped, working off queued requests)"
  return 0
}
run_wrk() {  # name, server pid, then wrk arguments; output in $WORK/wrk-<name>.txt
  local name=$1 pid=$2
  shift 2
  echo "-- $name"
  wrk -t2 -c16 -d"$DURATION" --timeout "$WRK_TIMEOUT" --latency "$@" >"$WORK/wrk-$name.txt" 2>"$WORK/wrk-$name.err"
  grep -E 'requests in|Requests/sec|Non-2xx|Socket errors' "$WORK/wrk-$name.txt" | sed 's/^ */   /'
  [ -s "$WORK/wrk-$name.err" ] && sed 's/^/   /' "$WORK/wrk-$name.err"
  wait_idle "$pid"
}
GET="bench/peer/wrk_get.lua"
POST="bench/peer/wrk_post.lua"
# Created titles continue after the prefilled ones: "讨薪 $((TICKETS + 1))", …
export WRK_START=$((TICKETS + 1)) WRK_THREADS=2
echo "== load: wrk -t2 -c16 -d$DURATION --timeout $WRK_TIMEOUT"
if ours; then
  WRK_BODY="$OURS_CREATE_BODY" run_wrk ours-create "$SERVER" -s "$POST" -H "$OURS_AUTH" "$OURS_BASE/api/v1/work-orders"
fi
WRK_BODY="$PEER_CREATE_BODY" run_wrk peer-create "$PEER" -s "$POST" -H "$PEER_AUTH" "$PEER_BASE/api/tickets/"
ours && run_wrk ours-list "$SERVER" -s "$GET" -H "$OURS_AUTH" "$OURS_BASE$OURS_LIST"
run_wrk peer-list "$PEER" -s "$GET" -H "$PEER_AUTH" "$PEER_BASE$PEER_LIST"
run_wrk peer-uilist "$PEER" -s "$GET" -H "$PEER_COOKIE" "$PEER_BASE$PEER_UI_LIST"
ours && run_wrk ours-search "$SERVER" -s "$GET" -H "$OURS_AUTH" "$OURS_BASE$OURS_SEARCH"
run_wrk peer-search "$PEER" -s "$GET" -H "$PEER_COOKIE" "$PEER_BASE$PEER_SEARCH"

# --- Summary ---------------------------------------------------------------------------------------
field() {  # name, what: one figure from a wrk output ("" when that run did not happen)
  local f="$WORK/wrk-$1.txt"
  [ -f "$f" ] || { echo ""; return; }
  case $2 in
    done) awk '/requests in/ {print $1}' "$f" ;;
    rps) awk '/^Requests\/sec/ {print $2}' "$f" ;;
    p50) awk '$1 == "50%" {print $2}' "$f" ;;
    p99) awk '$1 == "99%" {print $2}' "$f" ;;
    non2xx) awk '/^Non-2xx responses:/ {print $3}' "$f" ;;
    timeouts) sed -n 's/.*timeout \([0-9]*\).*/\1/p' "$f" ;;
  esac
}
cells() {  # name: "req/s | p50 | p99 | non-2xx / timeouts" for one run, dashes when absent
  local n=$1
  if [ ! -f "$WORK/wrk-$n.txt" ]; then echo "— | — | — | —"; return; fi
  local rps p50 p99
  rps=$(awk -v r="$(field "$n" rps)" 'BEGIN { if (r >= 100) printf "%d", r; else if (r >= 10) printf "%.1f", r; else printf "%.2f", r }')
  if [ "$(field "$n" done)" = 0 ]; then p50="—"; p99="—"; else p50=$(field "$n" p50); p99=$(field "$n" p99); fi
  echo "$rps | $p50 | $p99 | $(field "$n" non2xx) / $(field "$n" timeouts | grep . || echo 0)"
}
ratio() {  # ours name, peer name
  local o p
  o=$(field "$1" rps)
  p=$(field "$2" rps)
  if [ -z "$o" ] || [ -z "$p" ]; then echo "—"; return; fi
  awk -v o="$o" -v p="$p" 'BEGIN { if (p == 0) print "∞"; else if (o / p >= 10) printf "%d×", o / p; else printf "%.1f×", o / p }'
}
row() {  # label, ours name, peer name
  echo "| $1 | $(cells "$2") | $(cells "$3") | $(ratio "$2" "$3") |"
}
# Each peer GET once more, alone, at the final ticket count: how their cost grows with it.
PEER_COUNT=$(pq "SELECT count(*) FROM helpdesk_ticket")
alone() {  # header, path: seconds for one request with nothing else running (best of two)
  { curl -s -o /dev/null -w '%{time_total}\n' -H "$1" "$PEER_BASE$2"
    curl -s -o /dev/null -w '%{time_total}\n' -H "$1" "$PEER_BASE$2"; } | sort -n | head -1 | awk '{printf "%.2f", $1}'
}
PEER_ALONE_LIST=$(alone "$PEER_AUTH" "$PEER_LIST")
PEER_ALONE_UILIST=$(alone "$PEER_COOKIE" "$PEER_UI_LIST")
PEER_ALONE_SEARCH=$(alone "$PEER_COOKIE" "$PEER_SEARCH")
PEER_VERSIONS=$("$WORK/venv/bin/pip" list --format=freeze 2>/dev/null | grep -iE '^(django|djangorestframework|django-helpdesk|gunicorn|psycopg)==' | tr '\n' ' ')

OUT="bench/out/workorders-$(date -u +%Y%m%dT%H%M%SZ).txt"
mkdir -p bench/out
{
  echo "workorders benchmark $(date -u +%F): $TICKETS orders prefilled on each side; PostgreSQL $(pq 'SHOW server_version'); $(nproc) cores"
  echo "peer: ${PEER_VERSIONS% }; gunicorn $GUNICORN_WORKERS sync workers, DEBUG off, CONN_MAX_AGE $PEER_CONN_MAX_AGE"
  ours || echo "ours: skipped (SKIP_OURS=1)"
  echo
  echo "HTTP, wrk 2 threads 16 connections $DURATION each (timeout $WRK_TIMEOUT), same machine, same run:"
  echo "| operation | ours req/s | ours p50 | ours p99 | ours non-2xx / timeouts | peer req/s | peer p50 | peer p99 | peer non-2xx / timeouts | throughput ratio (ours/peer) |"
  echo "|---|---|---|---|---|---|---|---|---|---|"
  row "create (POST, title 讨薪 <n>)" ours-create peer-create
  row "list my queue, first 50 (peer: REST /api/tickets/?page_size=50)" ours-list peer-list
  row "list my queue, first 50 (peer: staff UI JSON, open tickets by creation)" ours-list peer-uilist
  row "search \"$SEARCH\", first 50 (peer: staff UI JSON search, session cookie)" ours-search peer-search
  echo
  ours && echo "ours after the run: $(q 'SELECT count(*) FROM work_orders') work orders"
  echo "peer after the run: $PEER_COUNT tickets"
  echo "note: the peer's costs grow with its ticket count. Its REST list (and get-one) calls"
  echo "set_custom_field_values() on every accessible ticket on every request: one query per ticket,"
  echo "whatever the page size. Its staff UI JSON endpoint pages in SQL, but counts the matching tickets"
  echo "twice per request by SELECT DISTINCT over whole rows, and its search is a sequential ILIKE scan"
  echo "over ten columns and two joins. One request alone at $PEER_COUNT tickets: REST list ${PEER_ALONE_LIST} s,"
  echo "staff UI list ${PEER_ALONE_UILIST} s, search ${PEER_ALONE_SEARCH} s."
} | tee "$OUT"

# SLA job ======================================================================================
# 1M open orders spread over every grassroots union, 10% of them past their escalation date;
# one run of the SLA job (the same code the job queue runs) finds and escalates those.
SLA_ORDERS=${SLA_ORDERS:-1000000}
if [ "${SKIP_OURS:-0}" != 1 ]; then
  stop_pid "$SERVER" TERM; SERVER=""
  psql -q "$URL" <<SQL
WITH g AS (SELECT id, path, row_number() OVER (ORDER BY id) - 1 AS k FROM organizations WHERE level = 'grassroots'),
     n AS (SELECT count(*) AS c FROM g)
INSERT INTO work_orders (number, type_code, category_code, complexity, channel, title, description, status, caller_name,
  origin_org_id, org_id, org_path, due_on, escalate_on, created_by, created_at, updated_at)
SELECT 'SLA' || s, 'assistance', 'wage_arrears', 'normal', 'hotline', '讨薪 ' || s, '工资拖欠', 'accepted', '职工',
  g.id, g.id, g.path, CASE WHEN s % 10 = 0 THEN '2026-01-05' ELSE '2099-12-31' END,
  CASE WHEN s % 10 = 0 THEN '2026-01-05' ELSE '2099-12-31' END, 'bench', now(), now()
FROM generate_series(1, $SLA_ORDERS) s JOIN g ON g.k = s % (SELECT c FROM n);
VACUUM ANALYZE work_orders;
SQL
  OPEN=$(psql -Atq "$URL" -c "SELECT count(*) FROM work_orders WHERE status IN ('submitted', 'accepted')")
  SLA_LINE=$("$BIN" workorders sla)
  SLA_S=$(echo "$SLA_LINE" | sed -E 's/.* in ([0-9.]+) s.*/\1/')
  ESC=$(echo "$SLA_LINE" | sed -E 's/^sla: ([0-9]+) escalated.*/\1/')
  {
    echo
    echo "SLA job: $OPEN open orders, $ESC overdue escalated (each: order updated, timeline entry, 2 notifications) in $SLA_S s"
    python3 -c "import sys; print(f'  = {float(sys.argv[1]) / float(sys.argv[2]):,.0f} escalations/s')" "$ESC" "$SLA_S"
  } | tee -a "$OUT"
fi
