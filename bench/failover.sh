#!/usr/bin/env bash
# A deployment that survives losing a part (issue 12), on one machine, every part on a 127.0.0.1 port:
# two `workershome serve` nodes (same PostgreSQL 15, same keys, one shared data directory as a
# shared volume would be) behind nginx, with the small demo. Four drills, one run:
#  1. kill -9 of a node under steady mixed load through nginx (bearer reads, work-order intake
#     POSTs, a member import running): requests sent, failed at the client, rescued by nginx's retry;
#     then the import must finish exactly once, no job lost, no work order written twice.
#  2. `pg_ctl restart -m fast` under load straight at one node: how long requests failed, whether
#     every failure was a 503 application/problem+json (no hang, no crash), /health back to 200.
#  3. a streaming replica (pg_basebackup -R), checked to replay; the primary stopped, the replica
#     promoted, a node restarted on it: seconds from stopping the primary to the first write.
#     A node with DATABASE_READ_URL on the replica serves the member dashboard from it.
#  4. pg_dump -Fc, restore into a fresh database, `workershome audit verify` on it, row counts.
# Output: bench/out/failover-<timestamp>.txt, ending with one summary block.
#
# nginx retries (proxy_next_upstream error timeout http_502 http_503, 2 tries): an idempotent
# request (GET) on the other node whenever its node fails; a POST only when the connection failed
# before the request was sent (nginx's default without `non_idempotent`), because a POST the dead
# node may already have committed would be written twice.
#
# Knobs: LOAD_SECONDS (30), RATE (120 requests/s), KILL_AT (10 s into the load), RESTART_AT (10),
# IMPORT_ROWS (200000), IMPORT_WAIT (420 s: a killed runner's job is taken up once its lease of
# 120 s runs out), OURS_BIN=path (skip the build), KEEP=1 (keep logs and clusters' files).
set -euo pipefail
cd "$(dirname "$0")/.."
LOAD_SECONDS=${LOAD_SECONDS:-30}
RATE=${RATE:-120}
KILL_AT=${KILL_AT:-10}
RESTART_AT=${RESTART_AT:-10}
IMPORT_ROWS=${IMPORT_ROWS:-200000}
IMPORT_WAIT=${IMPORT_WAIT:-420}
NGINX_PORT=18100
declare -A PORT=([n1]=18101 [n2]=18102)
PG1=55441
PG2=55442
PGBIN=/usr/lib/postgresql/15/bin
HERE=$PWD

command -v nginx >/dev/null || { apt-get update -qq && apt-get install -y -qq nginx >/dev/null; }
command -v psql >/dev/null && [ -x "$PGBIN/pg_ctl" ] || scripts/install-deps
BIN=${OURS_BIN:-}
if [ -z "$BIN" ]; then
  swift build -c release --product workershome --scratch-path .build-release 2>&1 | tail -1
  BIN=$PWD/.build-release/release/workershome
fi
mkdir -p bench/out
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
OUT=$HERE/bench/out/failover-$STAMP.txt
WORK=$(mktemp -d /tmp/workershome-failover.XXXXXX)
chmod 755 "$WORK"
[ "$(id -u)" -eq 0 ] && chown postgres "$WORK"  # the clusters' directories, sockets and logs go here too
PRIMARY=$WORK/pg-primary
REPLICA=$WORK/pg-replica
declare -A PID=()
NGINX_PID=""
cleanup() {
  set +e
  for n in "${!PID[@]}"; do kill -KILL "${PID[$n]}" 2>/dev/null; done
  [ -n "$NGINX_PID" ] && kill -TERM "$NGINX_PID" 2>/dev/null
  for d in "$PRIMARY" "$REPLICA"; do
    [ -f "$d/postmaster.pid" ] && as_pg "$PGBIN/pg_ctl" -D "$d" stop -m immediate >/dev/null 2>&1
  done
  wait 2>/dev/null
  if [ "${KEEP:-0}" = 1 ]; then echo "kept $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

as_pg() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
log() { echo "$*" | tee -a "$OUT"; }
now() { date +%s.%N; }
secs() { python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.2f}')" "$1" "$2"; }
jget() {  # jget '["key"]' JSON
  python3 -c "import json, sys; v = json.loads(sys.argv[1])$1; print(v if isinstance(v, (str, int, float)) else json.dumps(v, ensure_ascii=False))" "$2"
}
q() { psql -Atq "$1" -c "$2"; }
pg_start() {  # data dir, port
  as_pg "$PGBIN/pg_ctl" -D "$1" -l "$1.log" -w -o "-p $2 -k $WORK -c listen_addresses=127.0.0.1 -c max_connections=300" start >/dev/null
}
health() { curl -s -o /dev/null -w '%{http_code}' --max-time 5 "http://127.0.0.1:$1/health" || true; }
wait_health() {  # port [seconds]: until /health answers 200
  local deadline=$(( $(date +%s) + ${2:-60} ))
  until [ "$(health "$1")" = 200 ]; do
    [ "$(date +%s)" -lt "$deadline" ] || return 1
    sleep 0.1
  done
}
start_node() {  # name, then environment assignments for this node
  local name=$1
  shift
  # Under a name of their own: a `pkill workershome` elsewhere on a shared machine leaves the drill alone.
  [ -e "$WORK/wh-node" ] || ln -s "$BIN" "$WORK/wh-node"
  env "$@" "$WORK/wh-node" serve --port "${PORT[$name]}" >>"$WORK/$name.log" 2>&1 &
  PID[$name]=$!
}
stop_node() {  # name: SIGTERM, as a supervisor's restart does
  kill -TERM "${PID[$1]}" 2>/dev/null || true
  wait "${PID[$1]}" 2>/dev/null || true
  unset "PID[$1]"
}
unhandled() { cat "$WORK"/n?.log 2>/dev/null | grep -c "unhandled error" || true; }

# --- The deployment --------------------------------------------------------------------------------
as_pg "$PGBIN/initdb" -D "$PRIMARY" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 >/dev/null
pg_start "$PRIMARY" $PG1
ADMIN1=postgres://postgres@127.0.0.1:$PG1
ADMIN2=postgres://postgres@127.0.0.1:$PG2
psql -q "$ADMIN1/postgres" -c "CREATE DATABASE bench"
DB1=$ADMIN1/bench
DB2=$ADMIN2/bench
export DATABASE_URL=$DB1 WH_DATA_DIR=$WORK/data LOG_LEVEL=warning
WH_DATA_KEY=$(openssl rand -base64 32)
WH_INDEX_KEY=$(openssl rand -base64 32)
export WH_DATA_KEY WH_INDEX_KEY
log "# failover drills, $(date -u +%FT%TZ), commit $(git rev-parse --short HEAD), $(nproc) cores, PostgreSQL $(q "$DB1" 'SHOW server_version'), $(nginx -v 2>&1 | sed 's/.*: //')"
log "# LOAD_SECONDS=$LOAD_SECONDS RATE=$RATE KILL_AT=$KILL_AT RESTART_AT=$RESTART_AT IMPORT_ROWS=$IMPORT_ROWS; binary $BIN"
t=$(now)
"$BIN" demo --scale small >"$WORK/demo.txt" 2>&1
log "demo (small) loaded in $(secs "$t" "$(now)") s: $(q "$DB1" 'SELECT count(*) FROM organizations') orgs, $(q "$DB1" 'SELECT count(*) FROM members') members"
start_node n1
start_node n2
wait_health ${PORT[n1]} 120 && wait_health ${PORT[n2]} 120 || { tail -20 "$WORK"/n?.log >&2; exit 1; }

NGDIR=$WORK/nginx
mkdir -p "$NGDIR/tmp"
cat >"$NGDIR/nginx.conf" <<EOF
worker_processes 2;
daemon off;
pid $NGDIR/nginx.pid;
error_log $NGDIR/error.log warn;
events { worker_connections 1024; }
http {
  client_body_temp_path $NGDIR/tmp/body;
  proxy_temp_path $NGDIR/tmp/proxy;
  fastcgi_temp_path $NGDIR/tmp/fastcgi;
  uwsgi_temp_path $NGDIR/tmp/uwsgi;
  scgi_temp_path $NGDIR/tmp/scgi;
  log_format failover '\$msec|\$http_x_request_id|\$request_method|\$uri|\$status|\$upstream_addr|\$upstream_status|\$request_time';
  client_max_body_size 200m;
  upstream workershome {
    zone workershome 64k;
    # One failed attempt takes a node out for 10 s; then one request tries it again.
    server 127.0.0.1:${PORT[n1]} max_fails=1 fail_timeout=10s;
    server 127.0.0.1:${PORT[n2]} max_fails=1 fail_timeout=10s;
    keepalive 32;
  }
  server {
    listen 127.0.0.1:$NGINX_PORT;
    access_log $NGDIR/access.log failover;
    location / {
      proxy_pass http://workershome;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host \$host;
      proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
      proxy_connect_timeout 2s;
      proxy_read_timeout 60s;
      # GET, HEAD…: retried on the other node after a connection error, a timeout, a 502 or a 503.
      # POST, PATCH: retried only if the request never reached the node (no non_idempotent flag).
      proxy_next_upstream error timeout http_502 http_503;
      proxy_next_upstream_tries 2;
      proxy_next_upstream_timeout 10s;
    }
  }
}
EOF
nginx -e "$NGDIR/error.log" -p "$NGDIR" -c "$NGDIR/nginx.conf" &
NGINX_PID=$!
LB=http://127.0.0.1:$NGINX_PORT
wait_health $NGINX_PORT 20

TOKEN=$(curl -fs -X POST "$LB/api/v1/session" -H 'Content-Type: application/json' \
  -d '{"username":"zhengding","password":"Demo@2026"}' | python3 -c 'import json, sys; print(json.load(sys.stdin)["token"])')
AUTH="Authorization: Bearer $TOKEN"
COUNTY=$(curl -fs "$LB/api/v1/session" -H "$AUTH" | python3 -c 'import json, sys; print(json.load(sys.stdin)["assignments"][0]["orgId"])')
UNION=$(q "$DB1" "SELECT u.id FROM organizations u, organizations c WHERE c.id = $COUNTY AND u.path LIKE c.path || '%' AND u.level = 'grassroots' ORDER BY u.id LIMIT 1")
write_order() {  # base URL, title: prints the HTTP status of one work-order intake
  curl -s -o /dev/null -w '%{http_code}' --max-time 20 -X POST "$1/api/v1/work-orders" -H "$AUTH" -H 'Content-Type: application/json' \
    -d '{"type":"assistance","category":"wage_arrears","title":"'"$2"'","description":"故障演练","unionId":'"$UNION"',"callerName":"张三","callerPhone":"13800138000"}' || true
}
load() {  # base URL, tag, seconds
  python3 bench/failover_load.py load --base "$1" --token "$TOKEN" --org "$COUNTY" --union "$UNION" --seconds "$3" \
    --rate "$RATE" --tag "$2" --events "$WORK/$2.jsonl"
}

# --- 1. A node killed under load --------------------------------------------------------------------
log ""
log "## 1. kill -9 of a node under load through nginx ($LOAD_SECONDS s at $RATE requests/s; import of $IMPORT_ROWS rows)"
psql -Atq -F $'\t' "$DB1" -c "SELECT u.id, u.region_code FROM organizations u, organizations c WHERE c.id = $COUNTY
  AND u.path LIKE c.path || '%' AND u.level = 'grassroots' AND u.region_code IS NOT NULL" >"$WORK/unions.tsv"
python3 bench/make_members_csv.py "$WORK/unions.tsv" "$IMPORT_ROWS" "$WORK/import.csv" --bad 0.01 --seed 12 --skip 3000000
load "$LB" n1 "$LOAD_SECONDS" >"$WORK/load1.txt" &
LOAD=$!
LOAD_START=$(now)
IMPORT=$(curl -fs -X POST "$LB/api/v1/member-imports?unionId=$COUNTY&fileName=failover.csv" -H "$AUTH" \
  -H 'Content-Type: application/octet-stream' --data-binary @"$WORK/import.csv" | python3 -c 'import json, sys; print(json.load(sys.stdin)["id"])')
log "import $IMPORT queued through nginx $(secs "$LOAD_START" "$(now)") s into the load"
sleep "$(python3 -c "print(max(0.0, $LOAD_START + $KILL_AT - $(now)))")"
# The node that holds the import job goes: the hardest case (its job must be taken up by the other).
HOLDER=$(q "$DB1" "SELECT locked_by FROM jobs WHERE kind = 'members.import' AND status = 'running'")
HOLDER_PID=$(python3 -c "import sys; print(sys.argv[1].rsplit('-', 2)[1] if sys.argv[1].count('-') >= 2 else '')" "$HOLDER")
VICTIM=n2
HELD="held no import job"
for n in n1 n2; do [ "${PID[$n]}" = "$HOLDER_PID" ] && VICTIM=$n && HELD="was running the import"; done
ROWS_AT_KILL=$(q "$DB1" "SELECT last_row FROM member_imports WHERE id = $IMPORT")
KILLED=$(now)
kill -KILL "${PID[$VICTIM]}"
wait "${PID[$VICTIM]}" 2>/dev/null || true
unset "PID[$VICTIM]"
log "killed $VICTIM (port ${PORT[$VICTIM]}) with -9 at $(secs "$LOAD_START" "$KILLED") s; it $HELD (import at row $ROWS_AT_KILL)"
wait "$LOAD"
cat "$WORK/load1.txt" | tee -a "$OUT"
# A supervisor restarts the dead node.
t=$(now)
start_node "$VICTIM"
wait_health ${PORT[$VICTIM]} 120
RESTART1=$(secs "$t" "$(now)")
log "$VICTIM restarted: /health 200 after $RESTART1 s"
BAL=$(python3 bench/failover_load.py balancer "$WORK/n1.jsonl" "$NGDIR/access.log")
log "client vs nginx: $BAL"
log "nginx error log: $(grep -c 'connect() failed' "$NGDIR/error.log" || true) refused connections, $(grep -c 'prematurely closed' "$NGDIR/error.log" || true) connections closed mid-request"

# The import must finish exactly once, and every job end done.
t=$(now)
while :; do
  st=$(q "$DB1" "SELECT status FROM member_imports WHERE id = $IMPORT")
  [ "$st" = done ] || [ "$st" = failed ] && break
  if [ "$(secs "$t" "$(now)" | cut -d. -f1)" -ge "$IMPORT_WAIT" ]; then break; fi
  sleep 2
done
IMPORT_DONE_AFTER=$(secs "$KILLED" "$(now)")
for _ in $(seq 60); do
  [ "$(q "$DB1" "SELECT count(*) FROM jobs WHERE status IN ('queued', 'running')")" = 0 ] && break
  sleep 2
done
read -r I_STATUS I_TOTAL I_GOOD I_BAD < <(psql -AtqF ' ' "$DB1" -c "SELECT status, total_rows, good_rows, bad_rows FROM member_imports WHERE id = $IMPORT")
read -r M_ROWS M_DISTINCT < <(psql -AtqF ' ' "$DB1" -c "SELECT count(*), count(DISTINCT id_index) FROM members WHERE import_job_id = $IMPORT")
I_AUDIT=$(q "$DB1" "SELECT count(*) FROM audit_log WHERE action = 'member.import' AND object_id = '$IMPORT'")
I_JOB=$(psql -AtqF ' ' "$DB1" -c "SELECT status, attempts FROM jobs WHERE kind = 'members.import'")
log "import $IMPORT: $I_STATUS $IMPORT_DONE_AFTER s after the kill; rows $I_TOTAL (file $IMPORT_ROWS), good $I_GOOD, bad $I_BAD; members written $M_ROWS ($M_DISTINCT distinct ID numbers); audit entries $I_AUDIT; job (status attempts): $I_JOB"
log "jobs table (kind status count max-attempts):"
psql -AtqF ' ' "$DB1" -c "SELECT kind, status, count(*), max(attempts) FROM jobs GROUP BY kind, status ORDER BY kind, status" | sed 's/^/  /' | tee -a "$OUT"
# (the SLA job is queued every minute by each node: one queued just now is not left behind)
JOBS_OPEN=$(q "$DB1" "SELECT count(*) FROM jobs WHERE status = 'failed' OR (status <> 'done' AND run_at < now() - interval '30 seconds')")
q "$DB1" "SELECT title FROM work_orders WHERE title LIKE '故障演练 n1-%'" >"$WORK/titles1.txt"
TITLES1=$(python3 bench/failover_load.py titles "$WORK/n1.jsonl" "$WORK/titles1.txt")
log "work orders: $TITLES1"
IMPORT_OK=no
[ "$I_STATUS" = done ] && [ "$I_TOTAL" = "$IMPORT_ROWS" ] && [ $((I_GOOD + I_BAD)) = "$IMPORT_ROWS" ] && [ "$M_ROWS" = "$I_GOOD" ] &&
  [ "$M_DISTINCT" = "$M_ROWS" ] && [ "$I_AUDIT" = 1 ] && IMPORT_OK=yes

# --- 2. PostgreSQL restarted under load -------------------------------------------------------------
log ""
log "## 2. pg_ctl restart -m fast under load straight at n1 ($LOAD_SECONDS s at $RATE requests/s, restart at $RESTART_AT s)"
U0=$(unhandled)
load "http://127.0.0.1:${PORT[n1]}" n2 "$LOAD_SECONDS" >"$WORK/load2.txt" &
LOAD=$!
sleep "$RESTART_AT"
t=$(now)
as_pg "$PGBIN/pg_ctl" -D "$PRIMARY" -l "$PRIMARY.log" -w -m fast \
  -o "-p $PG1 -k $WORK -c listen_addresses=127.0.0.1 -c max_connections=300" restart >/dev/null
PG_RESTART=$(secs "$t" "$(now)")
wait "$LOAD"
cat "$WORK/load2.txt" | tee -a "$OUT"
ALIVE2=""
for n in n1 n2; do kill -0 "${PID[$n]}" 2>/dev/null && ALIVE2+="$n alive, /health $(health ${PORT[$n]}); " || ALIVE2+="$n DEAD; "; done
OUTAGE=$(python3 bench/failover_load.py outage "$WORK/n2.jsonl")
U2=$(( $(unhandled) - U0 ))
log "pg_ctl restart took $PG_RESTART s; $ALIVE2 unhandled errors logged: $U2"
log "failures: $OUTAGE"

# --- 3. Streaming replica, primary lost, replica promoted -------------------------------------------
log ""
log "## 3. streaming replica, promotion, a node moved to the new primary"
t=$(now)
as_pg "$PGBIN/pg_basebackup" -h 127.0.0.1 -p $PG1 -U postgres -D "$REPLICA" -R -X stream -c fast
BASEBACKUP=$(secs "$t" "$(now)")
pg_start "$REPLICA" $PG2
for _ in $(seq 100); do
  REPL_STATE=$(q "$ADMIN1/postgres" "SELECT state FROM pg_stat_replication")
  [ "$REPL_STATE" = streaming ] && break
  sleep 0.1
done
IN_RECOVERY=$(q "$ADMIN2/postgres" "SELECT pg_is_in_recovery()")
tag="复制检查 $STAMP"
t=$(now)
code=$(write_order "http://127.0.0.1:${PORT[n1]}" "$tag")
if [ "$code" = 201 ]; then
  until [ "$(q "$DB2" "SELECT count(*) FROM work_orders WHERE title = '$tag'")" = 1 ]; do sleep 0.02; done
  LAG="a write through n1 visible on the replica after $(secs "$t" "$(now)") s"
else
  LAG="a write through n1 FAILED (HTTP $code)"
fi
log "base backup (pg_basebackup -R -X stream) in $BASEBACKUP s; replication $REPL_STATE, replica in recovery: $IN_RECOVERY; $LAG"
# n2 reads the member dashboard's rollups from the replica.
stop_node n2
start_node n2 DATABASE_READ_URL="$DB2"
wait_health ${PORT[n2]} 120
before=$(q "$ADMIN2/postgres" "SELECT count(*) FROM pg_stat_activity WHERE datname = 'bench' AND backend_type = 'client backend'")
DASH=$(curl -s -o "$WORK/dash.json" -w '%{http_code}' --max-time 20 "http://127.0.0.1:${PORT[n2]}/api/v1/member-dashboard" -H "$AUTH")
after=$(q "$ADMIN2/postgres" "SELECT count(*) FROM pg_stat_activity WHERE datname = 'bench' AND backend_type = 'client backend'")
READ_POOL=$([ "$DASH" = 200 ] && [ "$after" -gt "$before" ] && echo yes || echo no)
log "DATABASE_READ_URL on n2: member dashboard $DASH, connections to the replica $before → $after: served from the replica: $READ_POOL"

ORDERS_BEFORE=$(q "$DB1" "SELECT count(*) FROM work_orders")
T_STOP=$(now)
as_pg "$PGBIN/pg_ctl" -D "$PRIMARY" -w -m fast stop >/dev/null
STOP_S=$(secs "$T_STOP" "$(now)")
# n2 still points at the stopped primary: what a client sees meanwhile (in the background).
( a=$(now); c=$(curl -s -o /dev/null -w '%{http_code} %{content_type}' --max-time 30 "http://127.0.0.1:${PORT[n2]}/api/v1/orgs/$COUNTY" -H "$AUTH" || echo "000 timeout")
  echo "GET $c in $(secs "$a" "$(now)") s"
  a=$(now); c=$(write_order "http://127.0.0.1:${PORT[n2]}" "主库停机期间")
  echo "POST $c in $(secs "$a" "$(now)") s" ) >"$WORK/gone.txt" 2>&1 &
GONE=$!
t=$(now)
as_pg "$PGBIN/pg_ctl" -D "$REPLICA" -w promote >/dev/null
PROMOTE_S=$(secs "$t" "$(now)")
t=$(now)
stop_node n1
t2=$(now)
NODE_STOP_S=$(secs "$t" "$t2")
start_node n1 DATABASE_URL="$DB2"
wait_health ${PORT[n1]} 120
NODE_START_S=$(secs "$t2" "$(now)")
NODE_S=$(secs "$t" "$(now)")
tries=0
until [ "$(write_order "http://127.0.0.1:${PORT[n1]}" "提升后第一笔")" = 201 ] || [ $tries -ge 600 ]; do tries=$((tries + 1)); sleep 0.05; done
T_WRITE=$(now)
FAILOVER_S=$(secs "$T_STOP" "$T_WRITE")
wait "$GONE" || true
ORDERS_AFTER=$(q "$DB2" "SELECT count(*) FROM work_orders WHERE title NOT IN ('提升后第一笔', '主库停机期间')")
log "primary stopped (-m fast) in $STOP_S s; promoted in $PROMOTE_S s; n1 restarted on the new primary in $NODE_S s (SIGTERM to exit $NODE_STOP_S s, start to /health 200 $NODE_START_S s); first write after $tries failed tries"
log "seconds from stopping the primary to the first successful write through n1: $FAILOVER_S"
log "work orders on the primary before: $ORDERS_BEFORE, on the promoted replica: $ORDERS_AFTER"
log "n2 while its database was gone: $(tr '\n' ';' <"$WORK/gone.txt")"
stop_node n2
start_node n2 DATABASE_URL="$DB2"
wait_health ${PORT[n2]} 120

# --- 4. Backup and restore ----------------------------------------------------------------------------
log ""
log "## 4. pg_dump -Fc of the primary, restore into a fresh database, audit verify, row counts"
# The nodes stop first, so the source's counts after the dump are those the dump saw (the SLA job
# is queued every minute and would otherwise add rows between the two).
stop_node n1
stop_node n2
t=$(now)
pg_dump -Fc -h 127.0.0.1 -p $PG2 -U postgres -d bench -f "$WORK/bench.dump"
DUMP_S=$(secs "$t" "$(now)")
DUMP_MB=$(python3 -c "import os, sys; print(f'{os.path.getsize(sys.argv[1]) / 1e6:.1f}')" "$WORK/bench.dump")
psql -q "$ADMIN2/postgres" -c "CREATE DATABASE bench_restore"
t=$(now)
pg_restore -h 127.0.0.1 -p $PG2 -U postgres -d bench_restore --no-owner -j 2 "$WORK/bench.dump"
RESTORE_S=$(secs "$t" "$(now)")
log "dump $DUMP_MB MB in $DUMP_S s; restore (pg_restore -j 2) in $RESTORE_S s"
VERIFY_SRC=$(DATABASE_URL=$DB2 "$BIN" audit verify 2>&1 | tail -1) || true
VERIFY=$(DATABASE_URL=$ADMIN2/bench_restore "$BIN" audit verify 2>&1 | tail -1) && VERIFY_RC=0 || VERIFY_RC=$?
log "audit verify, source: $VERIFY_SRC"
log "audit verify, restore: $VERIFY (exit $VERIFY_RC)"
COUNTS_EQUAL=yes
log "table | source | restore"
for tbl in organizations members memberships work_orders work_order_events accounts audit_log jobs; do
  a=$(q "$DB2" "SELECT count(*) FROM $tbl")
  b=$(q "$ADMIN2/bench_restore" "SELECT count(*) FROM $tbl")
  [ "$a" = "$b" ] || COUNTS_EQUAL=no
  log "$tbl | $a | $b"
done

# --- Summary -------------------------------------------------------------------------------------------
sent=$(jget '["sent"]' "$BAL")
log ""
log "== summary ($STAMP, commit $(git rev-parse --short HEAD))"
log "node killed (-9) under load via nginx: sent $sent, failed at the client $(jget '["client_failed"]' "$BAL") ($(jget '["client_timeouts"]' "$BAL") timeouts), upstream attempts failed $(jget '["upstream_attempt_failed"]' "$BAL"), rescued by nginx's retry $(jget '["rescued_by_retry"]' "$BAL"), failed after retry $(jget '["failed_after_retry"]' "$BAL") $(jget '["failures_by_kind"]' "$BAL")"
log "  import finished exactly once: $IMPORT_OK ($I_STATUS, job $I_JOB); jobs not done: $JOBS_OPEN; work orders $(jget '["acknowledged_missing"]' "$TITLES1") acknowledged missing, $(jget '["duplicated"]' "$TITLES1") duplicated; killed node back in $RESTART1 s"
log "PostgreSQL restart (-m fast, $PG_RESTART s) under load on one node: requests failed for $(jget '["window_s"]' "$OUTAGE") s ($(jget '["failed"]' "$OUTAGE") of $(jget '["sent"]' "$OUTAGE"), $(jget '["clean_503"]' "$OUTAGE") clean 503 problem+json, other statuses $(jget '["other_status"]' "$OUTAGE")); hung (client timeout 15 s): $(jget '["timeouts"]' "$OUTAGE"); slowest answer $(jget '["slowest_s"]' "$OUTAGE") s; $ALIVE2"
log "replica promoted: $FAILOVER_S s from stopping the primary to the first write through the app (promote $PROMOTE_S s, node restart $NODE_S s of which $NODE_STOP_S s to exit); work orders before/after $ORDERS_BEFORE/$ORDERS_AFTER; dashboard from the replica: $READ_POOL"
log "backup: $DUMP_MB MB, dump $DUMP_S s, restore $RESTORE_S s; audit verify on the restore: ${VERIFY%.} (exit $VERIFY_RC); row counts equal: $COUNTS_EQUAL"
log "written to bench/out/failover-$STAMP.txt"
