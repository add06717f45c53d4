#!/usr/bin/env bash
# 普惠服务 (Benefits) over HTTP on PostgreSQL, release build, the small demo tree with about
# CARDS member cards:
#  1. 核验 (card verification): POST /api/v1/merchant/verifications as the demo cashier `yingcheng`
#     (正定影城), wrk 2 threads, CONNECTIONS connections, DURATION each, ROUNDS rounds alternated with
#     the baselines GET /health (SELECT 1 on the health check's own connection) and GET
#     /api/v1/session as the same cashier (session resolve only: the cost of being signed in).
#     The codes: CODES rows put into card_codes by SQL, each for a random active card of a member on
#     the rolls, valid for a day; wrk rotates through them (bench/benefits/wrk_lines.lua). A code a
#     worker fetches (GET /me/member-card/code) lands in the same table and is looked up the same
#     way; verification reads and never uses a code, so a code can be verified again.
#     Two sets: cards anywhere in the province (the merchant's offers apply to none of them: the
#     path stops after the member, nothing to look up for vouchers), and cards of members under
#     正定县 (the cinema's offers apply, and the member's open vouchers are read).
#  2. 抢券 (flash sale): SALES times, a new offer with a daily quota of QUOTA (no per-member limit),
#     CLAIMS claims at once from WORKERS workers on CLAIMS connections (bench/benefits/burst.py);
#     then exactly QUOTA vouchers must exist. Baselines: the same burst of GET /health and of the
#     workers' GET /api/v1/me/vouchers (signed-in worker read). Then one winner shows a real code,
#     the cashier verifies and redeems it (the end-to-end check).
#  3. 发卡 (card issuance): POST /api/v1/members/{id}/cards as the provincial admin `hebei`, one
#     card per member without one, ISSUE_CONNECTIONS connections for DURATION; baseline GET
#     /api/v1/members/{id}/cards on the same members (the read of the same member) and /health.
# Workers are made through the API only (bench/benefits/workers.py: SMS code from sms_outbox,
# registration, join application approved by `zhengding`, e-card).
# Output: bench/out/benefits-<timestamp>.txt.
# Knobs: MEMBERS_PER_UNION (430: 2.10 M members on the small tree's 4,847 grassroots unions),
#        CARDS (2000000: cards the demo adopted, topped up by SQL for members without one),
#        CODES (200000), CONNECTIONS (32), DURATION (15s), ROUNDS (3), CLAIMS (1000), QUOTA (200),
#        WORKERS (20), SALES (3), ISSUE_CONNECTIONS (16), OURS_BIN=path (skip the build),
#        OURS_COMMIT (the commit named in the output, when OURS_BIN was built from another tree),
#        KEEP=1 (leave the cluster running and the data directory with its key; print both).
set -euo pipefail
cd "$(dirname "$0")/.."
MEMBERS_PER_UNION=${MEMBERS_PER_UNION:-430}
CARDS=${CARDS:-2000000}
CODES=${CODES:-200000}
CONNECTIONS=${CONNECTIONS:-32}
DURATION=${DURATION:-15s}
ROUNDS=${ROUNDS:-3}
CLAIMS=${CLAIMS:-1000}
QUOTA=${QUOTA:-200}
WORKERS=${WORKERS:-20}
SALES=${SALES:-3}
ISSUE_CONNECTIONS=${ISSUE_CONNECTIONS:-16}
PORT=18085
BASE="http://127.0.0.1:$PORT"
PY=${PY:-/usr/bin/python3}

scripts/install-deps
command -v wrk >/dev/null || apt-get install -y -qq wrk >/dev/null
BIN=${OURS_BIN:-}
if [ -z "$BIN" ]; then
  swift build -c release --product workershome --scratch-path .build-release 2>&1 | tail -1
  BIN=$PWD/.build-release/release/workershome
fi
# burst.py opens CLAIMS connections at once.
[ "$(ulimit -n)" -ge $((CLAIMS + 200)) ] || ulimit -n $((CLAIMS + 200))

mkdir -p bench/out
OUT=$PWD/bench/out/benefits-$(date -u +%Y%m%dT%H%M%SZ).txt
WORK=$(mktemp -d)
chmod 755 "$WORK"
SERVER=""
cleanup() {
  set +e
  [ -n "$SERVER" ] && kill -TERM "$SERVER" 2>/dev/null && wait "$SERVER" 2>/dev/null
  if [ "${KEEP:-0}" = 1 ]; then
    # The data directory holds the generated data key, without which a server refuses the database.
    echo "kept the cluster: $URL (stop: WH_PG_DIR=$WH_PG_DIR scripts/pg-test-cluster stop) and WH_DATA_DIR=$WORK"
  else
    scripts/pg-test-cluster stop
    rm -rf "$WORK"
  fi
}
trap cleanup EXIT
# A cluster of its own (the tests use 55432, the other benches 55433/55434/55441/55442).
export WH_PG_DIR=/tmp/workershome-bench-benefits-pg WH_PG_PORT=55445
ADMIN=$(scripts/pg-test-cluster start)
URL="${ADMIN%/postgres}/bench"
psql -q "$ADMIN" -c "CREATE DATABASE bench"
export TMPDIR="$WORK" WH_DATA_DIR="$WORK" DATABASE_URL="$URL" LOG_LEVEL=warning
q() { psql -Atq "$URL" -c "$1"; }
log() { echo "$*" | tee -a "$OUT"; }
now() { date +%s.%N; }
secs() { python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.1f}')" "$1" "$2"; }
jget() { python3 -c "import json, sys; print(json.load(sys.stdin)$1)"; }

log "# 普惠服务 benchmark, $(date -u +%FT%TZ), commit ${OURS_COMMIT:-$(git rev-parse --short HEAD)}, binary $BIN"
load() { awk '{print "load average " $1 ", " $2 ", " $3}' /proc/loadavg; }
log "# $(nproc) cores, $(free -g | awk '/^Mem:/ {print $2}') GiB, PostgreSQL $(psql -Atq "$ADMIN" -c 'SHOW server_version') (fsync off, otherwise defaults), wrk $(wrk -v 2>&1 | head -1 | awk '{print $2}')"

# --- Data ------------------------------------------------------------------------------------------
t0=$(now)
"$BIN" demo --scale small --members "$MEMBERS_PER_UNION" >"$WORK/demo.txt"
T_DEMO=$(secs "$t0" "$(now)")
log "demo --scale small --members $MEMBERS_PER_UNION: $(q 'SELECT count(*) FROM members') members, $(q 'SELECT count(*) FROM member_cards') cards adopted, in $T_DEMO s"
t0=$(now)
# Cards for members the demo left without one, as `adoptRecorded` would make them (members.card_no
# is left alone: neither verification nor issuance reads it), up to CARDS.
psql -q "$URL" <<SQL
INSERT INTO member_cards (card_no, member_id, org_id, org_path, status, issued_by, issued_at)
SELECT '6217' || lpad(m.id::text, 12, '0'), m.id, m.org_id, m.org_path, 'active', 'bench', now() FROM members m
WHERE m.status IN ('active', 'retired_kept') AND NOT EXISTS (SELECT 1 FROM member_cards c WHERE c.member_id = m.id)
ORDER BY m.id LIMIT GREATEST(0, $CARDS - (SELECT count(*) FROM member_cards));
SQL
COUNTY=$(q "SELECT id FROM organizations WHERE name = '正定县总工会'")
COUNTY_PATH=$(q "SELECT path FROM organizations WHERE id = $COUNTY")
# Codes: "9…" for cards anywhere, "8…" for cards of members under 正定县.
psql -q "$URL" <<SQL
INSERT INTO card_codes (code, card_id, expires_at)
SELECT (9000000000 + row_number() OVER ())::text, id, now() + interval '1 day' FROM (
  SELECT c.id FROM member_cards c JOIN members m ON m.id = c.member_id
  WHERE c.status = 'active' AND m.status IN ('active', 'retired_kept') ORDER BY random() LIMIT $CODES) s;
INSERT INTO card_codes (code, card_id, expires_at)
SELECT (8000000000 + row_number() OVER ())::text, id, now() + interval '1 day' FROM (
  SELECT c.id FROM member_cards c JOIN members m ON m.id = c.member_id
  WHERE c.status = 'active' AND m.status IN ('active', 'retired_kept') AND m.org_path LIKE '$COUNTY_PATH%'
  ORDER BY random() LIMIT $CODES) s;
VACUUM ANALYZE;
SQL
q "SELECT code FROM card_codes WHERE code LIKE '9%' ORDER BY random()" >"$WORK/codes-province.txt"
q "SELECT code FROM card_codes WHERE code LIKE '8%' ORDER BY random()" >"$WORK/codes-county.txt"
# Members on the rolls without a card, for issuance.
q "SELECT m.id FROM members m WHERE m.status IN ('active', 'retired_kept')
   AND NOT EXISTS (SELECT 1 FROM member_cards c WHERE c.member_id = m.id) ORDER BY random() LIMIT 100000" >"$WORK/uncarded.txt"
CARD_COUNT=$(q "SELECT count(*) FROM member_cards")
log "cards topped up by SQL to $CARD_COUNT; codes: $(wc -l <"$WORK/codes-province.txt") (province), $(wc -l <"$WORK/codes-county.txt") (正定县); members without a card kept for issuance: $(wc -l <"$WORK/uncarded.txt"); $(secs "$t0" "$(now)") s"
log "table sizes: members $(q "SELECT pg_size_pretty(pg_total_relation_size('members'))"), member_cards $(q "SELECT pg_size_pretty(pg_total_relation_size('member_cards'))"), card_codes $(q "SELECT pg_size_pretty(pg_total_relation_size('card_codes'))")"

# --- Server and tokens -------------------------------------------------------------------------------
"$BIN" serve --port "$PORT" >"$WORK/serve.log" 2>&1 &
SERVER=$!
for _ in $(seq 120); do curl -s -o /dev/null "$BASE/health" && break; sleep 0.5; done
session() {
  curl -fs -X POST "$BASE/api/v1/session" -H 'Content-Type: application/json' -d "{\"username\":\"$1\",\"password\":\"Demo@2026\"}" | jget '["token"]'
}
CASHIER=$(session yingcheng)
CADRE=$(session zhengding)
PROVINCE=$(session hebei)
MERCHANT=$(q "SELECT id FROM merchants WHERE name = '正定影城'")
UNION=$(q "SELECT id FROM organizations WHERE level = 'grassroots' AND path LIKE '$COUNTY_PATH%' ORDER BY id LIMIT 1")

check() {  # label, expected status, then curl arguments; prints the answer's first 300 characters
  local label=$1 want=$2 code
  shift 2
  code=$(curl -s -o "$WORK/check.body" -w '%{http_code}' "$@") || code=000
  if [ "$code" != "$want" ]; then
    echo "FAIL: $label → HTTP $code (wanted $want)" >&2
    head -c 600 "$WORK/check.body" >&2
    echo >&2
    exit 1
  fi
  echo "ok: $label → $code, $(head -c 300 "$WORK/check.body")"
}
verify() { check "$1" 200 -X POST "$BASE/api/v1/merchant/verifications" -H "Authorization: Bearer $CASHIER" -H 'Content-Type: application/json' -d "{\"code\":\"$2\"}"; }
echo "== checking each request once"
verify "verification, a card anywhere" "$(head -1 "$WORK/codes-province.txt")"
verify "verification, a card under 正定县" "$(head -1 "$WORK/codes-county.txt")"
grep -q '"offers":\[{' "$WORK/check.body" || { echo "FAIL: no offer for a member under 正定县" >&2; exit 1; }
check "cashier's session" 200 -H "Authorization: Bearer $CASHIER" "$BASE/api/v1/session"
check "a member's cards" 200 -H "Authorization: Bearer $PROVINCE" "$BASE/api/v1/members/$(head -1 "$WORK/uncarded.txt")/cards"

# --- wrk ---------------------------------------------------------------------------------------------
# Statements PostgreSQL runs for one request (log_statement = all for that request only).
statements() {  # label, then curl arguments
  local label=$1 before after
  shift
  psql -Atq "$ADMIN" -c "ALTER SYSTEM SET log_statement = 'all'" -c "SELECT pg_reload_conf()" >/dev/null
  sleep 0.5
  before=$(wc -l <"$WH_PG_DIR/server.log")
  curl -s -o /dev/null "$@"
  sleep 0.5
  after=$(tail -n +$((before + 1)) "$WH_PG_DIR/server.log" | grep -cE 'LOG:  (statement|execute)' || true)
  psql -Atq "$ADMIN" -c "ALTER SYSTEM RESET log_statement" -c "SELECT pg_reload_conf()" >/dev/null
  log "statements for one $label: $after"
}
statements "verification (a card anywhere)" -X POST "$BASE/api/v1/merchant/verifications" -H "Authorization: Bearer $CASHIER" -H 'Content-Type: application/json' -d "{\"code\":\"$(sed -n 2p "$WORK/codes-province.txt")\"}"
statements "verification (a card under 正定县)" -X POST "$BASE/api/v1/merchant/verifications" -H "Authorization: Bearer $CASHIER" -H 'Content-Type: application/json' -d "{\"code\":\"$(sed -n 2p "$WORK/codes-county.txt")\"}"
statements "cashier GET /session" -H "Authorization: Bearer $CASHIER" "$BASE/api/v1/session"
statements "card issue" -X POST -H "Authorization: Bearer $PROVINCE" "$BASE/api/v1/members/$(tail -1 "$WORK/uncarded.txt")/cards"
sed -i '$d' "$WORK/uncarded.txt"

LINES=bench/benefits/wrk_lines.lua
run_wrk() {  # name, connections, duration, then wrk arguments; output in $WORK/wrk-<name>.txt
  local name=$1 c=$2 d=$3
  shift 3
  wrk -t2 -c"$c" -d"$d" --timeout 10s --latency "$@" >"$WORK/wrk-$name.txt" 2>"$WORK/wrk-$name.err" || true
  sleep 1
}
field() {  # name, rps|p50|p99|non2xx|errors
  local f="$WORK/wrk-$1.txt"
  case $2 in
    rps) awk '/^Requests\/sec/ {printf "%d", $2}' "$f" ;;
    p50) awk '$1 == "50%" {print $2}' "$f" ;;
    p99) awk '$1 == "99%" {print $2}' "$f" ;;
    non2xx) awk '/^Non-2xx responses:/ {n = $3} /Non-2xx or 3xx responses:/ {n = $5} END {print n + 0}' "$f" ;;
    errors) sed -n 's/.*Socket errors: \(.*\)/\1/p' "$f" ;;
  esac
}
median() { sort -n | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'; }
ratio() { python3 -c "import sys; print(f'{float(sys.argv[1]) / float(sys.argv[2]):.2f}')" "$1" "$2" 2>/dev/null || echo "—"; }

log ""
log "($(load) before this part)"
log "## 1. 核验: wrk -t2 -c$CONNECTIONS -d$DURATION, $ROUNDS rounds alternated"
log "| round | /health req/s (p99) | cashier GET /session req/s (p99) | verify, province codes req/s (p50, p99) | verify, 正定县 codes req/s (p50, p99) | non-2xx |"
log "|---|---|---|---|---|---|"
for r in $(seq "$ROUNDS"); do
  run_wrk "health-$r" "$CONNECTIONS" "$DURATION" "$BASE/health"
  run_wrk "session-$r" "$CONNECTIONS" "$DURATION" -H "Authorization: Bearer $CASHIER" "$BASE/api/v1/session"
  WRK_LINES="$WORK/codes-province.txt" WRK_METHOD=POST WRK_BODY='{"code":"{x}"}' \
    run_wrk "verify-$r" "$CONNECTIONS" "$DURATION" -s "$LINES" -H "Authorization: Bearer $CASHIER" "$BASE/api/v1/merchant/verifications"
  WRK_LINES="$WORK/codes-county.txt" WRK_METHOD=POST WRK_BODY='{"code":"{x}"}' \
    run_wrk "county-$r" "$CONNECTIONS" "$DURATION" -s "$LINES" -H "Authorization: Bearer $CASHIER" "$BASE/api/v1/merchant/verifications"
  log "| $r | $(field "health-$r" rps) ($(field "health-$r" p99)) | $(field "session-$r" rps) ($(field "session-$r" p99)) | $(field "verify-$r" rps) ($(field "verify-$r" p50), $(field "verify-$r" p99)) | $(field "county-$r" rps) ($(field "county-$r" p50), $(field "county-$r" p99)) | $(( $(field "health-$r" non2xx) + $(field "session-$r" non2xx) + $(field "verify-$r" non2xx) + $(field "county-$r" non2xx) )) |"
done
H=$(for r in $(seq "$ROUNDS"); do field "health-$r" rps; echo; done | median)
S=$(for r in $(seq "$ROUNDS"); do field "session-$r" rps; echo; done | median)
V=$(for r in $(seq "$ROUNDS"); do field "verify-$r" rps; echo; done | median)
C=$(for r in $(seq "$ROUNDS"); do field "county-$r" rps; echo; done | median)
log "medians: /health $H, session $S, verify (province) $V, verify (正定县) $C req/s"
log "ratios: verify/health $(ratio "$V" "$H"), verify/session $(ratio "$V" "$S"); 正定县 verify/health $(ratio "$C" "$H"), /session $(ratio "$C" "$S")"
for n in verify county; do
  for r in $(seq "$ROUNDS"); do [ -s "$WORK/wrk-$n-$r.err" ] && sed "s/^/   $n-$r: /" "$WORK/wrk-$n-$r.err" | tee -a "$OUT"; done
done
WRK_LINES="$WORK/codes-province.txt" WRK_METHOD=POST WRK_BODY='{"code":"{x}"}' WRK_THREADS=1 \
  wrk -t1 -c1 -d10s --latency -s "$LINES" -H "Authorization: Bearer $CASHIER" "$BASE/api/v1/merchant/verifications" >"$WORK/wrk-verify-alone.txt" 2>&1 || true
log "one connection, 10 s: verify (province) $(field verify-alone rps) req/s, p50 $(field verify-alone p50), p99 $(field verify-alone p99)"
log "codes verified: refusals counted $(q "SELECT COALESCE(string_agg(reason || ' ' || count, ', '), 'none') FROM benefit_refusals")"

# --- Flash sale ----------------------------------------------------------------------------------------
log ""
log "($(load) before this part)"
log "## 2. 抢券: $CLAIMS claims at once on $CLAIMS connections for a quota of $QUOTA, from $WORKERS workers"
t0=$(now)
$PY bench/benefits/workers.py --base "$BASE" --db "$URL" --union "$UNION" --cadre-token "$CADRE" --n "$WORKERS" --out "$WORK/workers.txt" | tee -a "$OUT"
log "   ($(secs "$t0" "$(now)") s)"
head -1 "$WORK/workers.txt" >"$WORK/worker1.txt"
burst() { $PY bench/benefits/burst.py --base "$BASE" --n "$CLAIMS" "$@"; }
log "| sale | /health burst p99, all answered | worker GET /me/vouchers burst p99, all answered | claims: 201 / 409 / other | sold out after | claims p50, p99, all answered | vouchers in the database | quota row |"
log "|---|---|---|---|---|---|---|---|"
FAILED=0
for s in $(seq "$SALES"); do
  OFFER=$(curl -fs -X POST "$BASE/api/v1/merchants/$MERCHANT/offers" -H "Authorization: Bearer $CADRE" -H 'Content-Type: application/json' \
    -d "{\"title\":\"压测抢券 $s\",\"kind\":\"price\",\"memberPrice\":\"10\",\"listPrice\":\"40\",\"unionId\":$COUNTY,\"validFrom\":\"2026-01-01\",\"validTo\":\"2030-12-31\",\"weekdays\":\"1234567\",\"dailyQuota\":\"$QUOTA\"}" |
    jget '["id"]')
  burst --path /health --label "sale $s: /health" --json "$WORK/h-$s.json" >/dev/null
  burst --path /api/v1/me/vouchers --tokens "$WORK/workers.txt" --label "sale $s: GET /me/vouchers" --json "$WORK/r-$s.json" >/dev/null
  burst --path "/api/v1/me/offers/$OFFER/claims" --method POST --tokens "$WORK/workers.txt" --success 201 --quota "$QUOTA" \
    --label "sale $s: claims on offer $OFFER" --json "$WORK/c-$s.json" >"$WORK/c-$s.txt"
  VOUCHERS=$(q "SELECT count(*) FROM vouchers WHERE offer_id = $OFFER")
  TAKEN=$(q "SELECT taken || '/' || total FROM offer_quota WHERE offer_id = $OFFER")
  SPAN=$(q "SELECT round(extract(epoch FROM max(claimed_at) - min(claimed_at))::numeric, 3) FROM vouchers WHERE offer_id = $OFFER")
  [ "$VOUCHERS" = "$QUOTA" ] || FAILED=1
  python3 - "$WORK/h-$s.json" "$WORK/r-$s.json" "$WORK/c-$s.json" "$s" "$VOUCHERS" "$TAKEN" "$SPAN" <<'PY' | tee -a "$OUT"
import json, sys
h, r, c = (json.load(open(p)) for p in sys.argv[1:4])
s, vouchers, taken, span = sys.argv[4:8]
st = c["statuses"]
other = sum(v for k, v in st.items() if k not in ("201", "409"))
print(f"| {s} | {h['p99_ms']} ms, {h['all_answered_s']} s ({', '.join(f'{k}: {v}' for k, v in h['statuses'].items())}) "
      f"| {r['p99_ms']} ms, {r['all_answered_s']} s ({', '.join(f'{k}: {v}' for k, v in r['statuses'].items())}) "
      f"| {st.get('201', 0)} / {st.get('409', 0)} / {other} | {c.get('quota_reached_s')} s at the client, {span} s first to last voucher in the database "
      f"| {c['p50_ms']} ms, {c['p99_ms']} ms, {c['all_answered_s']} s | {vouchers} | {taken} |")
PY
done
cat "$WORK"/c-*.txt | tee -a "$OUT"
log "ratios (claims / GET /me/vouchers, same burst): p99 $(python3 -c "import json; c = json.load(open('$WORK/c-1.json')); r = json.load(open('$WORK/r-1.json')); print(f\"{c['p99_ms'] / r['p99_ms']:.2f}\")") (sale 1)"
[ "$FAILED" = 0 ] && log "every sale: exactly $QUOTA vouchers" || log "FAIL: a sale did not end with exactly $QUOTA vouchers"
# End to end with a real code: a winner of the last sale shows the e-card's code, the cashier verifies and redeems.
WT=$(head -1 "$WORK/workers.txt")
CODE=$(curl -fs -H "Authorization: Bearer $WT" "$BASE/api/v1/me/member-card/code" | jget '["code"]')
check "a worker's real code, verified" 200 -X POST "$BASE/api/v1/merchant/verifications" -H "Authorization: Bearer $CASHIER" -H 'Content-Type: application/json' -d "{\"code\":\"$CODE\"}" | tee -a "$OUT"
check "redeemed against the voucher of offer $OFFER" 201 -X POST "$BASE/api/v1/merchant/redemptions" -H "Authorization: Bearer $CASHIER" -H 'Content-Type: application/json' \
  -d "{\"code\":\"$CODE\",\"offerId\":$OFFER,\"amountBefore\":\"40\"}" | tee -a "$OUT"
check "the same code again: refused" 409 -X POST "$BASE/api/v1/merchant/redemptions" -H "Authorization: Bearer $CASHIER" -H 'Content-Type: application/json' \
  -d "{\"code\":\"$CODE\",\"offerId\":$OFFER,\"amountBefore\":\"40\"}" | tee -a "$OUT"

# --- Issuance ------------------------------------------------------------------------------------------
log ""
log "($(load) before this part)"
log "## 3. 发卡: POST /api/v1/members/{id}/cards as hebei, wrk -t2 -c$ISSUE_CONNECTIONS -d$DURATION, one member each"
run_wrk issue-health "$ISSUE_CONNECTIONS" "$DURATION" "$BASE/health"
WRK_LINES="$WORK/uncarded.txt" WRK_METHOD=GET WRK_PATH='/api/v1/members/{x}/cards' \
  run_wrk issue-read "$ISSUE_CONNECTIONS" "$DURATION" -s "$LINES" -H "Authorization: Bearer $PROVINCE" "$BASE"
BEFORE=$(q "SELECT count(*) FROM member_cards")
WRK_LINES="$WORK/uncarded.txt" WRK_METHOD=POST WRK_PATH='/api/v1/members/{x}/cards' \
  run_wrk issue "$ISSUE_CONNECTIONS" "$DURATION" -s "$LINES" -H "Authorization: Bearer $PROVINCE" "$BASE"
ISSUED=$(( $(q "SELECT count(*) FROM member_cards") - BEFORE ))
DUP=$(q "SELECT count(*) FROM (SELECT card_no FROM member_cards GROUP BY card_no HAVING count(*) > 1) d")
log "| request | req/s | p50 | p99 | non-2xx |"
log "|---|---|---|---|---|"
for n in issue-health issue-read issue; do
  log "| $n | $(field $n rps) | $(field $n p50) | $(field $n p99) | $(field $n non2xx) |"
done
log "cards issued: $ISSUED (wrk: $(awk '/requests in/ {print $1}' "$WORK/wrk-issue.txt") requests, $(field issue non2xx) non-2xx); duplicate card numbers: $DUP; sequence now $(q 'SELECT last FROM card_sequence')"
log "ratios: issue/read $(ratio "$(field issue rps)" "$(field issue-read rps)"), issue/health $(ratio "$(field issue rps)" "$(field issue-health rps)")"
[ -s "$WORK/wrk-issue.err" ] && sed 's/^/   /' "$WORK/wrk-issue.err" | tee -a "$OUT"
log ""
log "server log: $(grep -ci error "$WORK/serve.log" || true) lines mentioning an error"
grep -i error "$WORK/serve.log" | head -5 | tee -a "$OUT" || true
log "written to $OUT"
