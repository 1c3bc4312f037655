#!/usr/bin/env bash
# The daemon under process and connection churn: RUNS short redis-benchmark runs
# (each a new process with ≈ 200 connection ends), one daemon with L7 on. Prints
# its RSS every 20 runs, and at the end the L7 drops, the connections left in the
# L7 connection table, and the exited processes kept and evicted. With closed
# connections not forgotten, a full table once made the reader fall behind
# (docs/benchmarks.md, "Connection churn").
#
#   sudo bench/l7_churn.sh
#
# Environment: BUILD_DIR (build), HOSTSCOPED, RUNS (200), REQUESTS per run (20000).
# Not part of CI.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD_DIR=${BUILD_DIR:-build}
[[ $BUILD_DIR = /* ]] || BUILD_DIR=$ROOT/$BUILD_DIR
HOSTSCOPED=${HOSTSCOPED:-$BUILD_DIR/daemon/hostscoped}
RUNS=${RUNS:-200}
REQUESTS=${REQUESTS:-20000}

WORK=$(mktemp -d /tmp/hs-l7-churn.XXXXXX)
chmod 755 "$WORK"
export HS_SERVICES_DIR=$WORK/services
DAEMON_PID="" DAEMON_PORT=""
SERVICES_UP=0
BENCH_TAG=l7_churn
# shellcheck source=bench/daemon_lib.sh
source "$ROOT/bench/daemon_lib.sh"
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  stop_daemon
  if ((SERVICES_UP)); then "$ROOT/scripts/services" stop redis >&2 || true; fi
  rm -rf "$WORK"
  exit "$rc"
}
trap cleanup EXIT INT TERM

[[ $EUID -eq 0 ]] || die "run as root (the daemon loads BPF programs)"
command -v redis-benchmark >/dev/null || die "redis-benchmark missing: scripts/setup installs it"
[[ -x $HOSTSCOPED ]] || die "$HOSTSCOPED missing: build it first"
SERVICES_UP=1
"$ROOT/scripts/services" start redis >&2 || die "scripts/services could not start redis"
eval "$("$ROOT/scripts/services" env)"

launch_daemon $'[monitoring]\nl7_enabled = true\n' l7 || die "daemon has no l7 probe"
rss() { awk '/^VmRSS|^RssAnon/ {printf "%s %d MB  ", $1, $2 / 1024}' "/proc/$DAEMON_PID/status"; }
sleep 2
echo "start: $(rss)"
for ((i = 1; i <= RUNS; i++)); do
  redis-benchmark -h 127.0.0.1 -p "$HS_REDIS_PORT" -t set,get -n "$REQUESTS" -c 50 -q >/dev/null 2>&1 ||
    die "redis-benchmark run $i failed"
  ((i % 20)) || echo "run $i: $(rss)"
done
sleep 3
echo "end: $(rss)"
api monitoring/status >"$WORK/status.json" || die "monitoring/status failed"
"${PY:-/usr/bin/python3}" - "$WORK/status.json" <<'PYEOF'
import json, sys
st = json.load(open(sys.argv[1]))
l7 = next((p for p in st.get("probes", []) if p.get("name") == "l7"), {})
print("L7 connections in the table:", l7.get("entries"), "of", l7.get("max_entries"))
print("L7 drops:", ", ".join("%s=%s" % kv for kv in sorted(l7.get("drops", {}).items())))
eng = st.get("engine", {})
print("processes exited:", eng.get("processes_exited"), " kept:", st.get("processes", {}).get("exited"),
      " evicted:", eng.get("exited_evicted"))
PYEOF
