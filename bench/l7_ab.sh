#!/usr/bin/env bash
# Compares hostscoped builds end to end on redis-benchmark (or pgbench -S). Each round runs every
# binary with L7 off and with L7 on, a fresh daemon for each run; both the order
# of the binaries and the off/on order alternate from round to round (with a
# fixed order, whichever build ran second looked 4-5 % worse here, twice).
# Per binary: the median of its ON/OFF req/s ratios, the machine CPU that L7 adds
# per request, the daemon's CPU per request with L7 on, and (STATS=1) the mean run
# time per event of the socket hooks with L7 on (bpf_stats, which adds its own
# cost to every program run).
#
#   sudo BINARIES="old/hostscoped new/hostscoped" bench/l7_ab.sh
#   sudo WORKLOAD=pgbench BINARIES="old/hostscoped new/hostscoped" bench/l7_ab.sh
#
# Environment: BUILD_DIR (build), BINARIES (hostscoped paths), ROUNDS (12),
# WORKLOAD (redis; pgbench: `pgbench -S -M simple -c 4 -j 2 -T PG_SECONDS` over
# the Unix socket, scale 10, per run, "requests" being its transactions),
# REQUESTS per redis run (100000), TEST (get), PIPELINE (1), CLIENTS (50),
# PG_SECONDS (3), STATS (0).
# Not part of CI. Results go in docs/benchmarks.md.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD_DIR=${BUILD_DIR:-build}
[[ $BUILD_DIR = /* ]] || BUILD_DIR=$ROOT/$BUILD_DIR
read -r -a BINS <<<"${BINARIES:-$BUILD_DIR/daemon/hostscoped}"
ROUNDS=${ROUNDS:-12}
REQUESTS=${REQUESTS:-100000}
TEST=${TEST:-get}
PIPELINE=${PIPELINE:-1}
CLIENTS=${CLIENTS:-50}
STATS=${STATS:-0}
WORKLOAD=${WORKLOAD:-redis}
PG_SECONDS=${PG_SECONDS:-3}
PG_BIN=/usr/lib/postgresql/15/bin
case $WORKLOAD in
  redis) SERVICE=redis ;;
  pgbench) SERVICE=postgres ;;
  *) echo "WORKLOAD: redis or pgbench" >&2; exit 2 ;;
esac

WORK=$(mktemp -d /tmp/hs-l7-ab.XXXXXX)
chmod 755 "$WORK"
export HS_SERVICES_DIR=$WORK/services
DAEMON_PID="" DAEMON_PORT="" HOSTSCOPED=""
SERVICES_UP=0
BENCH_TAG=l7_ab
# shellcheck source=bench/daemon_lib.sh
source "$ROOT/bench/daemon_lib.sh"
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  ((STATS)) && sysctl -qw kernel.bpf_stats_enabled=0
  stop_daemon
  if ((SERVICES_UP)); then "$ROOT/scripts/services" stop "$SERVICE" >&2 || true; fi
  rm -rf "$WORK"
  exit "$rc"
}
trap cleanup EXIT INT TERM

[[ $EUID -eq 0 ]] || die "run as root (the daemon loads BPF programs)"
if [[ $WORKLOAD == redis ]]; then
  command -v redis-benchmark >/dev/null || die "redis-benchmark missing: scripts/setup installs it"
else
  [[ -x $PG_BIN/pgbench ]] || die "pgbench missing: scripts/setup installs it"
fi
for b in "${BINS[@]}"; do [[ -x $b ]] || die "$b missing"; done
((STATS == 0)) || command -v bpftool >/dev/null || die "STATS=1 needs bpftool"
SERVICES_UP=1
"$ROOT/scripts/services" start "$SERVICE" >&2 || die "scripts/services could not start $SERVICE"
eval "$("$ROOT/scripts/services" env)"
if [[ $WORKLOAD == pgbench ]]; then
  PG=(-h "$HS_PG_SOCKDIR" -p "$HS_PG_PORT" -U "$HS_PG_USER")
  "$PG_BIN/pgbench" -i -q -s 10 "${PG[@]}" "$HS_PG_DB" >"$WORK/pgbench-init.log" 2>&1 \
    || die "pgbench -i failed (see $WORK/pgbench-init.log)"
fi

busy_ticks() { awk '/^cpu / {print $2 + $3 + $4 + $7 + $8}' /proc/stat; }
daemon_ns() { cat "/proc/$DAEMON_PID"/task/*/schedstat 2>/dev/null | awk '{ns += $1} END {print ns + 0}'; }
hook_stats() {  # "<runs> <ns>" of both socket hooks
  bpftool prog show -j | "${PY:-/usr/bin/python3}" -c 'import json, sys
progs = [p for p in json.load(sys.stdin) if p.get("name") in ("hs_sock_send", "hs_sock_recv")]
print(sum(p.get("run_cnt", 0) for p in progs), sum(p.get("run_time_ns", 0) for p in progs))'
}

# One load: "<requests per second> <requests>".
load() {
  if [[ $WORKLOAD == redis ]]; then
    echo "$(redis-benchmark -h 127.0.0.1 -p "$HS_REDIS_PORT" -t "$TEST" -n "$REQUESTS" -c "$CLIENTS" -P "$PIPELINE" \
      --csv 2>/dev/null | tail -1 | cut -d, -f2 | tr -d '"') $REQUESTS"
    return
  fi
  "$PG_BIN/pgbench" -n -S -M simple -c 4 -j 2 -T "$PG_SECONDS" "${PG[@]}" "$HS_PG_DB" 2>>"$WORK/pgbench.err" |
    awk '/^tps/ {tps = $3} /actually processed/ {n = $NF} END {print tps + 0, n + 0}'
}

# One run: "<binary index> <l7> <req/s> <machine ns/request> <daemon ns/request> <hook ns/event>".
run() {
  local i=$1 l7=$2 b0 b1 d0 d1 s0 s1 rps n
  HOSTSCOPED=${BINS[$i]}
  launch_daemon $'[monitoring]\nl7_enabled = '"$l7"$'\n' network || die "daemon did not start"
  sleep 1
  if ((STATS)) && [[ $l7 == true ]]; then sysctl -qw kernel.bpf_stats_enabled=1; fi
  s0=$(hook_stats 2>/dev/null || echo "0 0") b0=$(busy_ticks) d0=$(daemon_ns)
  read -r rps n < <(load)
  ((n > 0)) || die "the $WORKLOAD run did no requests"
  b1=$(busy_ticks) d1=$(daemon_ns) s1=$(hook_stats 2>/dev/null || echo "0 0")
  ((STATS)) && sysctl -qw kernel.bpf_stats_enabled=0
  stop_daemon
  local tick_ns=$((1000000000 / $(getconf CLK_TCK)))
  echo "$i $l7 $rps $(((b1 - b0) * tick_ns / n)) $(((d1 - d0) / n))" \
    "$(awk -v a="$s0" -v b="$s1" 'BEGIN { split(a, x); split(b, y); n = y[1] - x[1]; print (n > 0 ? int((y[2] - x[2]) / n) : 0) }')"
}

: >"$WORK/runs.txt"
for ((r = 1; r <= ROUNDS; r++)); do
  log "round $r/$ROUNDS"
  order=$(seq 0 $((${#BINS[@]} - 1)))
  ((r % 2)) || order=$(seq $((${#BINS[@]} - 1)) -1 0)
  states="false true"
  (((r + 1) / 2 % 2)) || states="true false"
  for i in $order; do
    for l7 in $states; do run "$i" "$l7" >>"$WORK/runs.txt"; done
  done
done

PYTHONPATH="$ROOT/bench" "${PY:-/usr/bin/python3}" - "$WORK/runs.txt" "$WORKLOAD" "${BINS[@]}" <<'PYEOF'
import statistics as st, sys
from bench_stats import median_interval
runs = [l.split() for l in open(sys.argv[1]) if l.strip()]

workload = "redis-benchmark" if sys.argv[2] == "redis" else "pgbench -S (a request is a transaction)"
bins = sys.argv[3:]
print(f"## hostscoped builds compared: {workload}, L7 off and on\n")
print("| build | pairs | ON/OFF req/s, median | its 95 % interval | 25th–75th | machine µs/request added "
      "| daemon µs/request | hook ns/event (L7 on) |")
print("|---|---:|---:|---|---|---:|---:|---:|")
for i, name in enumerate(bins):
    off = [r for r in runs if r[0] == str(i) and r[1] == "false"]
    on = [r for r in runs if r[0] == str(i) and r[1] == "true"]
    pairs = list(zip(off, on))  # the k-th off and on runs of a build are one round's
    ratios = sorted(float(b[2]) / float(a[2]) for a, b in pairs if float(a[2]) > 0)
    added = [(int(b[3]) - int(a[3])) / 1000 for a, b in pairs]
    if not ratios:
        continue
    q = st.quantiles(ratios, n=4) if len(ratios) > 1 else ratios * 3
    hook = [int(b[5]) for _, b in pairs if int(b[5]) > 0]
    lo, hi = median_interval(ratios)
    print(f"| `{name}` | {len(pairs)} | **{st.median(ratios):.3f}** | {lo:.3f}–{hi:.3f} | {q[0]:.3f}–{q[2]:.3f} | "
          f"{st.median(added):+.2f} | {st.median(int(b[4]) for _, b in pairs) / 1000:.2f} | "
          f"{st.median(hook) if hook else 'n/a'} |")
PYEOF
