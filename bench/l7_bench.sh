#!/usr/bin/env bash
# pgbench / redis-benchmark throughput with hostscoped's L7 capture ON against OFF,
# SPEC §7: ON/OFF >= 0.9, zero dropped events, captured counts = the servers' counts.
#
#   sudo bench/l7_bench.sh > report.md
#
# OFF is a daemon with `l7_enabled = false` and every other probe on (syscalls,
# network); ON is a daemon with the L7 capture on as well. So the ratio is the cost
# of the L7 capture alone. CONFIGS="none off on" adds a run without any daemon.
#
# Servers: a private PostgreSQL 15 cluster and a private redis-server started by
# scripts/services in this run's work directory (removed at the end).
#   pgbench -S -M $PG_MODE -c $PG_CLIENTS -j $PG_THREADS -T $PG_SECONDS   (select only, scale $PG_SCALE)
#   redis-benchmark -t get,set -n $REQUESTS -c $CLIENTS, with -P 1 and -P $PIPELINE
# Configurations alternate (the order rotates every round) for ROUNDS rounds; the
# table shows medians. The report ends with the l7 probe's drop counters from
# `GET monitoring/status` and, for the last ON round, what the capture counted
# (client side: comm pgbench / redis-benchmark) next to pg_stat_statements and
# INFO commandstats.
#
# Environment: BUILD_DIR (build), HOSTSCOPED (BUILD_DIR/daemon/hostscoped), ROUNDS (3),
# CONFIGS ("off on"), PG_SCALE (10), PG_CLIENTS (4), PG_THREADS (2), PG_SECONDS (10),
# PG_MODE (simple), REQUESTS (100000), CLIENTS (50), PIPELINE (16),
# L7_KEY (l7_enabled: the [monitoring] key that turns the L7 capture off).
# Markdown goes to stdout, progress to stderr. Not part of CI: slow and noisy.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD_DIR=${BUILD_DIR:-build}
[[ $BUILD_DIR = /* ]] || BUILD_DIR=$ROOT/$BUILD_DIR
HOSTSCOPED=${HOSTSCOPED:-$BUILD_DIR/daemon/hostscoped}
ROUNDS=${ROUNDS:-3}
PG_SCALE=${PG_SCALE:-10}
PG_CLIENTS=${PG_CLIENTS:-4}
PG_THREADS=${PG_THREADS:-2}
PG_SECONDS=${PG_SECONDS:-10}
PG_MODE=${PG_MODE:-simple}
REQUESTS=${REQUESTS:-100000}
CLIENTS=${CLIENTS:-50}
PIPELINE=${PIPELINE:-16}
L7_KEY=${L7_KEY:-l7_enabled}
read -r -a CONFIG_LIST <<<"${CONFIGS:-off on}"
PY=/usr/bin/python3
PG_BIN=/usr/lib/postgresql/15/bin

WORK=$(mktemp -d /tmp/hs-l7-bench.XXXXXX)
chmod 755 "$WORK"
export HS_SERVICES_DIR=$WORK/services
DAEMON_PID=""
DAEMON_PORT=""
SERVICES_UP=0
STATUS_JSON=""
COUNTS_MD=""

BENCH_TAG=l7_bench
# shellcheck source=bench/daemon_lib.sh
source "$ROOT/bench/daemon_lib.sh"

cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  stop_daemon
  if ((SERVICES_UP)); then "$ROOT/scripts/services" stop postgres redis >&2 || true; fi
  if ((rc == 0)); then rm -rf "$WORK"; else log "logs kept in $WORK"; fi
  exit "$rc"
}
trap cleanup EXIT INT TERM

[[ $EUID -eq 0 ]] || die "run as root (the daemon loads BPF programs)"
for prog in redis-cli redis-benchmark curl "$PG_BIN/pgbench" "$PG_BIN/psql"; do
  command -v "$prog" >/dev/null || die "$prog missing: scripts/setup installs it"
done
[[ -x $HOSTSCOPED ]] || die "$HOSTSCOPED missing: build it (scripts/setup hostscoped)"

# ---- servers ----------------------------------------------------------------------
SERVICES_UP=1
"$ROOT/scripts/services" start postgres redis >&2 || die "scripts/services could not start the servers"
eval "$("$ROOT/scripts/services" env)"
[[ -n ${HS_PG_PORT:-} && -n ${HS_REDIS_PORT:-} ]] || die "services did not report their ports"
PG=(-h "$HS_PG_SOCKDIR" -p "$HS_PG_PORT" -U "$HS_PG_USER")
psql_q() { "$PG_BIN/psql" -X -q -A -t "${PG[@]}" -d "$HS_PG_DB" -c "$1"; }
log "pgbench -i -s $PG_SCALE"
"$PG_BIN/pgbench" -i -q -s "$PG_SCALE" "${PG[@]}" "$HS_PG_DB" >"$WORK/pgbench-init.log" 2>&1 \
  || die "pgbench -i failed (see $WORK/pgbench-init.log)"

# ---- daemon -------------------------------------------------------------------------
# start_daemon off|on: l7 capture off (every other probe on) or on.
start_daemon() {
  if [[ $1 == off ]]; then
    launch_daemon "$(printf '[monitoring]\n%s = false\n' "$L7_KEY")" syscalls || true
  else
    launch_daemon "$(printf '[monitoring]\n%s = true\n' "$L7_KEY")" l7 ||
      die "daemon has no l7 probe (is the L7 capture built?)"
  fi
}

# ---- measurements -------------------------------------------------------------------
declare -A SAMPLES=()
add() { SAMPLES[$1,$2]+="$3 "; log "  $1 $2: $3"; }

bench_pg() {
  local out
  out=$("$PG_BIN/pgbench" -n -S -M "$PG_MODE" -c "$PG_CLIENTS" -j "$PG_THREADS" -T "$PG_SECONDS" \
        "${PG[@]}" "$HS_PG_DB" 2>>"$WORK/pgbench.err")
  echo "$out" >>"$WORK/pgbench.log"
  awk '/^tps = / { print $3; exit }' <<<"$out"
}

bench_redis() {  # bench_redis PIPELINE -> "SET rps" / "GET rps" lines
  redis-benchmark -h 127.0.0.1 -p "$HS_REDIS_PORT" -t get,set -n "$REQUESTS" -c "$CLIENTS" -P "$1" --csv \
    2>>"$WORK/redis-benchmark.err" | awk -F'","' 'NR > 1 { gsub(/"/, "", $1); gsub(/"/, "", $2); print $1, $2 }'
}

# What the capture counted (client side, summed over processes of that comm) for a
# fingerprint, from the daemon that is running now.
captured() {  # captured COMM SYSTEM FINGERPRINT_REGEX
  api "monitoring/metrics?type=database&side=client&system=$2&comm=$1&limit=100000" >"$WORK/db.json" || {
    echo n/a; return; }
  $PY - "$WORK/db.json" "$3" <<'EOF'
import json, re, sys
body = json.load(open(sys.argv[1]))
rx = re.compile(sys.argv[2], re.I)
print(sum(e.get("count", 0) for e in body.get("metrics", []) if rx.search(e.get("fingerprint", ""))))
EOF
}

measure() {
  local cfg=$1 tps test rps
  if [[ $cfg == on ]]; then
    psql_q "SELECT pg_stat_statements_reset()" >/dev/null
    redis-cli -p "$HS_REDIS_PORT" CONFIG RESETSTAT >/dev/null
  fi
  tps=$(bench_pg)
  add "$cfg" "pgbench -S" "${tps:-0}"
  for pipeline in 1 "$PIPELINE"; do
    while read -r test rps; do
      [[ -n $test ]] && add "$cfg" "redis $test -P $pipeline" "$rps"
    done < <(bench_redis "$pipeline")
  done
  if [[ $cfg == on ]]; then
    sleep 2.5  # two sampling periods: the counters include the last requests
    api monitoring/status >"$WORK/status.json" && cp "$WORK/status.json" "$WORK/last-status.json" \
      && STATUS_JSON=$WORK/last-status.json
    local pgss cap_pg cs_set cs_get cap_set cap_get
    pgss=$(psql_q "SELECT coalesce(sum(calls), 0) FROM pg_stat_statements WHERE query ILIKE 'SELECT abalance FROM pgbench_accounts%'")
    cap_pg=$(captured pgbench postgresql '^SELECT abalance FROM pgbench_accounts WHERE aid = \?;?$')
    cs_set=$(redis-cli -p "$HS_REDIS_PORT" INFO commandstats | tr -d '\r' | sed -n 's/^cmdstat_set:calls=\([0-9]*\).*/\1/p')
    cs_get=$(redis-cli -p "$HS_REDIS_PORT" INFO commandstats | tr -d '\r' | sed -n 's/^cmdstat_get:calls=\([0-9]*\).*/\1/p')
    cap_set=$(captured redis-benchmark redis '^SET$')
    cap_get=$(captured redis-benchmark redis '^GET$')
    COUNTS_MD="| pgbench SELECT (pgbench_accounts) | ${pgss:-n/a} | $cap_pg |
| redis SET | ${cs_set:-n/a} | $cap_set |
| redis GET | ${cs_get:-n/a} | $cap_get |"
  fi
}

rotate_rounds "$ROUNDS" none "${CONFIG_LIST[@]}"

# ---- report -------------------------------------------------------------------------

echo "## L7 capture OFF vs ON: pgbench and redis-benchmark"
echo
echo "PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}'), redis-server" \
  "$(redis-server --version | awk '{print $3}' | tr -d 'v='), $(nproc) CPUs, kernel $(uname -r)." \
  "OFF: hostscoped with \`$L7_KEY = false\` (syscall and network capture on); ON: L7 capture on too."
echo "\`pgbench -S -M $PG_MODE -c $PG_CLIENTS -j $PG_THREADS -T $PG_SECONDS\` (scale $PG_SCALE, Unix socket);" \
  "\`redis-benchmark -t get,set -n $REQUESTS -c $CLIENTS\` (127.0.0.1). Median of $ROUNDS alternating rounds."
echo
header="| workload | unit |" rule="|---|---|"
for cfg in "${CONFIG_LIST[@]}"; do header+=" ${cfg^^} |"; rule+="---:|"; done
[[ " ${CONFIG_LIST[*]} " == *" off "* ]] && for cfg in "${CONFIG_LIST[@]}"; do
  [[ $cfg == off ]] || { header+=" ${cfg^^}/OFF |"; rule+="---:|"; }
done
echo "$header"
echo "$rule"
workloads=("pgbench -S")
for pipeline in 1 "$PIPELINE"; do workloads+=("redis SET -P $pipeline" "redis GET -P $pipeline"); done
for w in "${workloads[@]}"; do
  row="| $w | $([[ $w == pgbench* ]] && echo tps || echo req/s) |"
  declare -A med=()
  for cfg in "${CONFIG_LIST[@]}"; do
    med[$cfg]=$(median <<<"${SAMPLES[$cfg,$w]:-}")
    row+=" ${med[$cfg]} |"
  done
  if [[ " ${CONFIG_LIST[*]} " == *" off "* ]]; then
    for cfg in "${CONFIG_LIST[@]}"; do
      [[ $cfg == off ]] && continue
      row+=" $(awk -v a="${med[$cfg]}" -v b="${med[off]:-0}" 'BEGIN {
        if (b + 0 > 0 && a + 0 > 0) printf "%.3f", a / b; else print "n/a" }') |"
    done
  fi
  echo "$row"
  unset med
done
echo
echo "Raw samples:"
for key in $(printf '%s\n' "${!SAMPLES[@]}" | tr ' ' '~' | sort); do
  k=${key//\~/ }
  echo "- $k: ${SAMPLES[$k]}"
done
echo
if [[ -n $COUNTS_MD ]]; then
  echo "### Counts, last ON round (server's own count vs captured, client side)"
  echo
  echo "| what | server counted | captured |"
  echo "|---|---:|---:|"
  echo "$COUNTS_MD"
  echo
fi
if [[ -n $STATUS_JSON ]]; then
  echo "### Drops reported by the daemon (last ON round, \`GET monitoring/status\`)"
  echo
  $PY - "$STATUS_JSON" <<'EOF'
import json, sys
st = json.load(open(sys.argv[1]))
print("| probe | state | dropped_total | drops by reason |")
print("|---|---|---:|---|")
for p in st.get("probes", []):
    reasons = ", ".join(f"{k}={v}" for k, v in sorted((p.get("drops") or {}).items()))
    print(f"| {p.get('name')} | {p.get('state')} | {p.get('dropped_total', 'n/a')} | {reasons} |")
if not any(p.get("name") == "l7" for p in st.get("probes", [])):
    print("\n(no l7 probe in this daemon's status)")
EOF
fi
