#!/usr/bin/env bash
# Proves that a Python client generated from our OpenAPI document installs and does a real
# workflow: join → approve → transfer → find → export (bench/client/workflow.py).
#
#   bench/client/run.sh                 # uses a copy of .build/debug/workershome (build it first)
#   CLIENT_BIN=/path/workershome SEED=123 bench/client/run.sh
#
# Steps: a virtualenv at .build/client-venv with openapi-python-client (PyPI); a copy of the binary
# in a temp dir; the small demo on SQLite there; `serve` on a free port; GET /api/v1/openapi.json;
# `openapi-python-client generate` (its warnings are printed); `pip install` of the generated
# package; workflow.py; then the server is stopped and the temp dir removed. Exit status: the
# workflow's (non-zero on any failed step), or non-zero if a set-up step fails.
# Knobs: CLIENT_BIN (binary to copy), SEED (repeat a workflow run), GENERATOR_VERSION.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
GENERATOR_VERSION=${GENERATOR_VERSION:-0.29.1}
VENV=$ROOT/.build/client-venv
SRC_BIN=${CLIENT_BIN:-$ROOT/.build/debug/workershome}
start=$(date +%s.%N)

[ -x "$SRC_BIN" ] || { echo "no binary at $SRC_BIN (swift build first, or set CLIENT_BIN)" >&2; exit 2; }
WORK=$(mktemp -d "${TMPDIR:-/tmp}/wh-client.XXXXXX")
SERVER=""
cleanup() {
  set +e
  if [ -n "$SERVER" ] && kill -0 "$SERVER" 2>/dev/null; then
    kill "$SERVER"; for _ in $(seq 50); do kill -0 "$SERVER" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$SERVER" 2>/dev/null; wait "$SERVER" 2>/dev/null
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT

# The binary is rebuilt often by others: run a private copy.
cp "$SRC_BIN" "$WORK/workershome"
BIN=$WORK/workershome

if [ ! -x "$VENV/bin/openapi-python-client" ] || ! "$VENV/bin/pip" show openapi-python-client 2>/dev/null | grep -qx "Version: $GENERATOR_VERSION"; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q --disable-pip-version-check "openapi-python-client==$GENERATOR_VERSION"
fi
echo "generator: openapi-python-client $("$VENV/bin/pip" show openapi-python-client | sed -n 's/^Version: //p'), $("$VENV/bin/python" --version)"

# The server, as Tests/Browser/console_test.py starts it: no WH_* or DATABASE_URL from the caller,
# a data directory (SQLite database, development data key) and TMPDIR in the temp dir, a free port.
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
SERVER_ENV=(env -u DATABASE_URL $(env | sed -n 's/^\(WH_[A-Za-z0-9_]*\)=.*/-u \1/p') TMPDIR="$WORK")
mkdir -p "$WORK/data"
"${SERVER_ENV[@]}" "$BIN" demo --scale small --data-dir "$WORK/data" --port "$PORT" >"$WORK/demo.log" 2>&1 \
  || { tail -20 "$WORK/demo.log"; echo "workershome demo failed" >&2; exit 2; }
grep -q zhengding "$WORK/demo.log" || { tail -20 "$WORK/demo.log"; echo "demo printed no accounts" >&2; exit 2; }
"${SERVER_ENV[@]}" "$BIN" serve --data-dir "$WORK/data" --port "$PORT" >"$WORK/serve.log" 2>&1 </dev/null &
SERVER=$!
BASE=http://127.0.0.1:$PORT
for _ in $(seq 120); do
  curl -sf -o /dev/null "$BASE/health" && break
  kill -0 "$SERVER" 2>/dev/null || { tail -20 "$WORK/serve.log"; echo "server exited" >&2; exit 2; }
  sleep 0.5
done
curl -sf -o /dev/null "$BASE/health" || { tail -20 "$WORK/serve.log"; echo "no /health within 60 s" >&2; exit 2; }
echo "server: demo loaded, serving $BASE (pid $SERVER)"

curl -sf "$BASE/api/v1/openapi.json" -o "$WORK/openapi.json"
python3 - "$WORK/openapi.json" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
ops = sum(1 for p in d["paths"].values() for m in p if m in ("get", "post", "put", "patch", "delete"))
print(f"document: {d['info']['title']} {d['info']['version']}, OpenAPI {d['openapi']}, {len(d['paths'])} paths, {ops} operations")
EOF

# ruff on PATH: the generator formats the code with it (a warning otherwise).
(cd "$WORK" && PATH=$VENV/bin:$PATH COLUMNS=120 "$VENV/bin/openapi-python-client" generate \
  --path openapi.json --output-path "$WORK/client" --overwrite >"$WORK/generate.log" 2>&1) \
  || { cat "$WORK/generate.log"; echo "generation failed" >&2; exit 2; }
if grep -qi warning "$WORK/generate.log"; then
  echo "generator warnings:"; grep -v '^\s*$' "$WORK/generate.log" | sed 's/^/  | /'
else
  echo "generator: no warnings"
fi

"$VENV/bin/pip" uninstall -q -y workers-home-api-client >/dev/null 2>&1 || true
"$VENV/bin/pip" install -q --disable-pip-version-check "$WORK/client"
echo "installed: $("$VENV/bin/pip" show workers-home-api-client | sed -n 's/^Version: /workers-home-api-client /p')" \
  "($(find "$WORK/client/workers_home_api_client/api" -name '*.py' ! -name '__init__.py' | wc -l) operation modules," \
  "$(find "$WORK/client/workers_home_api_client/models" -name '*.py' ! -name '__init__.py' | wc -l) models)"

set +e
"$VENV/bin/python" bench/client/workflow.py --base "$BASE" --server-log "$WORK/serve.log" ${SEED:+--seed "$SEED"}
status=$?
set -e
errors=$(grep -c 'unhandled error' "$WORK/serve.log" || true)
echo "server log: $errors unhandled errors"
[ "$errors" = 0 ] || { grep 'unhandled error' "$WORK/serve.log" | head -5; status=1; }
echo "$( [ $status = 0 ] && echo PASS || echo FAIL ) in $(python3 -c "print(f'{$(date +%s.%N) - $start:.1f}')") s"
exit $status
