#!/usr/bin/env bash
# redis-benchmark throughput with hostscoped's capture ON (a daemon running, every
# probe attached: syscalls and network) against OFF (no daemon), SPEC §7: ON/OFF >= 0.9.
#
#   sudo bench/net_redis.sh > report.md
#
# A private redis-server on 127.0.0.1 (free port, no persistence) serves
# `redis-benchmark -t get,set -n REQUESTS -c 50 -q`, once without pipelining and once
# with -P 16. OFF and ON alternate (OFF first in odd rounds, ON first in even ones) for
# ROUNDS rounds; the table shows medians. The network probe's drop counters from
# `GET monitoring/status` close the report (SPEC §7: zero drops at these rates).
#
# Environment: BUILD_DIR (build), HOSTSCOPED (BUILD_DIR/daemon/hostscoped), ROUNDS (3),
# REQUESTS (100000), CLIENTS (50), PIPELINE (16), CONFIGS ("off on"; add "sys" for a
# daemon with network_enabled = false, to split the cost between syscall and TCP capture:
# CONFIGS="off sys on"; the order rotates every round).
# Markdown goes to stdout, progress to stderr. Not part of CI: slow and noisy.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD_DIR=${BUILD_DIR:-build}
[[ $BUILD_DIR = /* ]] || BUILD_DIR=$ROOT/$BUILD_DIR
HOSTSCOPED=${HOSTSCOPED:-$BUILD_DIR/daemon/hostscoped}
ROUNDS=${ROUNDS:-3}
REQUESTS=${REQUESTS:-100000}
CLIENTS=${CLIENTS:-50}
PIPELINE=${PIPELINE:-16}
read -r -a CONFIG_LIST <<<"${CONFIGS:-off on}"

WORK=$(mktemp -d /tmp/hs-net-redis.XXXXXX)
REDIS_PID=""
DAEMON_PID=""
DAEMON_PORT=""
DROPS_JSON=""

BENCH_TAG=net_redis
# shellcheck source=bench/daemon_lib.sh
source "$ROOT/bench/daemon_lib.sh"

cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  stop_daemon
  end_pid "$REDIS_PID"
  if ((rc == 0)); then rm -rf "$WORK"; else log "logs kept in $WORK"; fi
  exit "$rc"
}
trap cleanup EXIT INT TERM

[[ $EUID -eq 0 ]] || die "run as root (the daemon loads BPF programs)"
for prog in redis-server redis-cli redis-benchmark curl; do
  command -v "$prog" >/dev/null || die "$prog missing: scripts/setup installs it"
done
[[ -x $HOSTSCOPED ]] || die "$HOSTSCOPED missing: build it (scripts/setup hostscoped)"

# ---- redis ----------------------------------------------------------------------
REDIS_PORT=$(free_port)
redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no \
  --daemonize yes --pidfile "$WORK/redis.pid" --dir "$WORK" --logfile "$WORK/redis.log"
for _ in $(seq 100); do
  [[ -s $WORK/redis.pid ]] && [[ $(redis-cli -p "$REDIS_PORT" ping 2>/dev/null) == PONG ]] && break
  sleep 0.1
done
REDIS_PID=$(cat "$WORK/redis.pid" 2>/dev/null || true)
[[ -n $REDIS_PID ]] && [[ $(redis-cli -p "$REDIS_PORT" ping 2>/dev/null) == PONG ]] \
  || die "redis-server did not come up (see $WORK/redis.log)"
log "redis-server pid $REDIS_PID on 127.0.0.1:$REDIS_PORT"

# ---- daemon ---------------------------------------------------------------------
# start_daemon on|sys: every probe (on) or syscall capture only (sys).
start_daemon() {
  if [[ $1 == sys ]]; then
    launch_daemon $'[monitoring]\nnetwork_enabled = false\n' syscalls || log "warning: daemon has no syscalls probe"
  else
    launch_daemon "" network || log "warning: daemon has no network probe"
  fi
}

# ---- one measurement ---------------------------------------------------------------
# Prints "<TEST> <req/s>" lines for one redis-benchmark run.
bench_once() {
  local pipeline=$1
  redis-benchmark -h 127.0.0.1 -p "$REDIS_PORT" -t get,set -n "$REQUESTS" -c "$CLIENTS" \
    -P "$pipeline" -q 2>/dev/null | tr '\r' '\n' | awk '/requests per second/ {
      sub(":", "", $1); print $1, $2 }'
}

declare -A SAMPLES=()
measure() {
  local cfg=$1 pipeline test rps
  for pipeline in 1 "$PIPELINE"; do
    while read -r test rps; do
      [[ -n $test ]] || continue
      SAMPLES[$cfg,$pipeline,$test]+="$rps "
      log "  $cfg -P $pipeline $test: $rps req/s"
    done < <(bench_once "$pipeline")
  done
}

# The last ON round's drop counters close the report.
after_measure() {
  [[ $1 == on ]] || return 0
  sleep 1.5  # one more sampling period so the counters include the last run
  api monitoring/status >"$WORK/status.json" && cp "$WORK/status.json" "$WORK/drops.json" \
    && DROPS_JSON=$WORK/drops.json
}
rotate_rounds "$ROUNDS" off "${CONFIG_LIST[@]}"

# ---- report ---------------------------------------------------------------------

echo "## redis-benchmark, capture OFF vs ON"
echo
echo "redis-server $(redis-server --version | awk '{print $3}' | tr -d 'v='), $(nproc) CPUs," \
  "kernel $(uname -r); \`-n $REQUESTS -c $CLIENTS -q\`, median of $ROUNDS alternating rounds."
echo
header="| test | pipeline |" rule="|---|---:|"
for cfg in "${CONFIG_LIST[@]}"; do header+=" ${cfg^^} req/s |"; rule+="---:|"; done
for cfg in "${CONFIG_LIST[@]}"; do
  [[ $cfg == off ]] || { header+=" ${cfg^^}/OFF |"; rule+="---:|"; }
done
echo "$header"
echo "$rule"
for pipeline in 1 "$PIPELINE"; do
  for test in SET GET; do
    row="| $test | $pipeline |"
    declare -A med=()
    for cfg in "${CONFIG_LIST[@]}"; do
      med[$cfg]=$(median <<<"${SAMPLES[$cfg,$pipeline,$test]:-}")
      row+=" ${med[$cfg]} |"
    done
    for cfg in "${CONFIG_LIST[@]}"; do
      [[ $cfg == off ]] && continue
      row+=" $(awk -v a="${med[$cfg]}" -v b="${med[off]:-0}" 'BEGIN {
        if (b + 0 > 0 && a + 0 > 0) printf "%.3f", a / b; else print "n/a" }') |"
    done
    echo "$row"
    unset med
  done
done
echo
echo "Raw samples (req/s): "
for key in $(printf '%s\n' "${!SAMPLES[@]}" | sort); do
  echo "- $key: ${SAMPLES[$key]}"
done
echo
if [[ -n $DROPS_JSON ]]; then
  echo "### Drops reported by the daemon (last ON round, \`GET monitoring/status\`)"
  echo
  /usr/bin/python3 - "$DROPS_JSON" <<'EOF'
import json, sys
st = json.load(open(sys.argv[1]))
print("| probe | state | dropped_total | drops by reason |")
print("|---|---|---:|---|")
for p in st.get("probes", []):
    reasons = ", ".join(f"{k}={v}" for k, v in sorted((p.get("drops") or {}).items()))
    print(f"| {p.get('name')} | {p.get('state')} | {p.get('dropped_total', 'n/a')} | {reasons} |")
if not any(p.get("name") == "network" for p in st.get("probes", [])):
    print("\n(no network probe in this build)")
EOF
fi
