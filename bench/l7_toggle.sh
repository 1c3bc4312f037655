#!/usr/bin/env bash
# redis-benchmark (and pgbench -S) throughput with the L7 capture switched off and on in ONE daemon,
# by `PUT monitoring/config {"l7_enabled": ...}`, in many short alternating pairs.
#
#   bench/l7_toggle.sh > report.md          (as root)
#
# Why besides bench/l7_bench.sh: on a small shared VM the machine's own speed drifts
# by ±20 % within a minute, more than the effect being measured. Short pairs (OFF
# then ON, a few seconds apart, same daemon, same connections' server) and the
# median of the per-pair ratios cancel most of that drift; a 95 % bootstrap
# interval says how far that median could move (with 16 pairs here, ≈ ±0.07: the
# place to look before calling a target met or missed). The order within a
# pair alternates. Each run also records the machine's CPU time (not idle, not
# steal) and the daemon's, per request: a second view of the same cost, from CPU
# time instead of req/s (about as noisy here, but it says where the time goes).
#
# Environment: BUILD_DIR (build), HOSTSCOPED, PAIRS (16), REQUESTS per run (60000),
# REQUESTS_PIPELINED per run with -P > 1 (10 × REQUESTS), CLIENTS (50), PIPELINES ("1 16"), TESTS ("set get"), SETTLE seconds after each
# switch (1.5: the probes attach and the TLS probe scans /proc first), TLS ("on"; "off"
# measures the socket-layer capture without the TLS probe), PG_SECONDS (0: no
# pgbench; N: each run also does `pgbench -S -M simple -c 4 -j 2 -T N` over the
# Unix socket, scale 10).
# Not part of CI: slow and noisy.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD_DIR=${BUILD_DIR:-build}
[[ $BUILD_DIR = /* ]] || BUILD_DIR=$ROOT/$BUILD_DIR
HOSTSCOPED=${HOSTSCOPED:-$BUILD_DIR/daemon/hostscoped}
PAIRS=${PAIRS:-16}
REQUESTS=${REQUESTS:-60000}
REQUESTS_PIPELINED=${REQUESTS_PIPELINED:-$((REQUESTS * 10))}  # with -P > 1: as long a run
CLIENTS=${CLIENTS:-50}
read -r -a PIPELINE_LIST <<<"${PIPELINES:-1 16}"
read -r -a TEST_LIST <<<"${TESTS:-set get}"
SETTLE=${SETTLE:-1.5}
TLS=${TLS:-on}
PG_SECONDS=${PG_SECONDS:-0}
PG_BIN=/usr/lib/postgresql/15/bin
PY=/usr/bin/python3

WORK=$(mktemp -d /tmp/hs-l7-toggle.XXXXXX)
chmod 755 "$WORK"
export HS_SERVICES_DIR=$WORK/services
DAEMON_PID=""
DAEMON_PORT=""
SERVICES_UP=0
KEEP_LOGS=0  # set when the daemon reports drops: its log says when and why

BENCH_TAG=l7_toggle
# shellcheck source=bench/daemon_lib.sh
source "$ROOT/bench/daemon_lib.sh"

cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  stop_daemon
  if ((SERVICES_UP)); then "$ROOT/scripts/services" stop "${SERVICES[@]}" >&2 || true; fi
  if ((rc == 0 && !KEEP_LOGS)); then rm -rf "$WORK"; else log "logs kept in $WORK"; fi
  exit "$rc"
}
trap cleanup EXIT INT TERM

[[ $EUID -eq 0 ]] || die "run as root (the daemon loads BPF programs)"
[[ $TLS == on || $TLS == off ]] || die "TLS must be on or off"
command -v redis-benchmark >/dev/null || die "redis-benchmark missing: scripts/setup installs it"
[[ -x $HOSTSCOPED ]] || die "$HOSTSCOPED missing: build it (scripts/setup hostscoped)"

SERVICES=(redis)
((PG_SECONDS > 0)) && SERVICES+=(postgres)
[[ $PG_SECONDS == 0 || -x $PG_BIN/pgbench ]] || die "pgbench missing: scripts/setup installs it"
SERVICES_UP=1
"$ROOT/scripts/services" start "${SERVICES[@]}" >&2 || die "scripts/services could not start ${SERVICES[*]}"
eval "$("$ROOT/scripts/services" env)"
[[ -n ${HS_REDIS_PORT:-} ]] || die "services did not report the redis port"
PG=()
if ((PG_SECONDS > 0)); then
  PG=(-h "$HS_PG_SOCKDIR" -p "$HS_PG_PORT" -U "$HS_PG_USER")
  "$PG_BIN/pgbench" -i -q -s 10 "${PG[@]}" "$HS_PG_DB" >"$WORK/pgbench-init.log" 2>&1 \
    || die "pgbench -i failed (see $WORK/pgbench-init.log)"
fi

tls_line="tls_enabled = $([[ $TLS == on ]] && echo true || echo false)"
launch_daemon $'[monitoring]\nl7_enabled = true\n'"$tls_line"$'\n' l7 || die "daemon has no l7 probe"

switch_l7() {  # switch_l7 true|false
  curl -sf --max-time 10 -X PUT -H "Authorization: Bearer $(cat "$WORK/state/admin.token")" \
    -H 'Content-Type: application/json' -d "{\"l7_enabled\": $1}" \
    "http://127.0.0.1:$DAEMON_PORT/api/performance/monitoring/config" >/dev/null || die "PUT monitoring/config failed"
  sleep "$SETTLE"
}

# Machine CPU (user, nice, system, irq, softirq; not idle, iowait or steal) and the
# daemon's, in clock ticks: CPU per request is steadier than req/s on a shared VM.
busy_ticks() { awk '/^cpu / {print $2 + $3 + $4 + $7 + $8}' /proc/stat; }
daemon_ticks() { awk '{print $14 + $15}' "/proc/$DAEMON_PID/stat"; }

# One pgbench -S run: "<tps> <transactions>".
run_pgbench() {
  local out
  out=$("$PG_BIN/pgbench" -n -S -M simple -c 4 -j 2 -T "$PG_SECONDS" "${PG[@]}" "$HS_PG_DB" 2>>"$WORK/pgbench.err")
  awk '/^tps = / { tps = $3 } /^number of transactions actually processed:/ { split($6, a, "/"); n = a[1] }
       END { print (tps ? tps : 0), (n ? n : 1) }' <<<"$out"
}

: >"$WORK/samples.txt"
for ((pair = 1; pair <= PAIRS; pair++)); do
  log "pair $pair/$PAIRS"
  order="false true"
  ((pair % 2 == 0)) && order="true false"  # neither state always goes first
  for state in $order; do
    switch_l7 "$state"
    if ((PG_SECONDS > 0)); then
      b0=$(busy_ticks) d0=$(daemon_ticks)
      read -r tps n < <(run_pgbench)
      b1=$(busy_ticks) d1=$(daemon_ticks)
      echo "$pair $state pgbench_-S_0 $tps $((b1 - b0)) $((d1 - d0)) $n" >>"$WORK/samples.txt"
    fi
    for pipeline in "${PIPELINE_LIST[@]}"; do
      for test in "${TEST_LIST[@]}"; do
        n=$REQUESTS
        ((pipeline > 1)) && n=$REQUESTS_PIPELINED
        b0=$(busy_ticks) d0=$(daemon_ticks)
        rps=$(redis-benchmark -h 127.0.0.1 -p "$HS_REDIS_PORT" -t "$test" -n "$n" -c "$CLIENTS" \
              -P "$pipeline" --csv 2>>"$WORK/redis-benchmark.err" | tail -1 | tr -d '"' | cut -d, -f2)
        b1=$(busy_ticks) d1=$(daemon_ticks)
        echo "$pair $state redis_${test^^}_-P_$pipeline ${rps:-0} $((b1 - b0)) $((d1 - d0)) $n" >>"$WORK/samples.txt"
      done
    done
  done
done
api monitoring/status >"$WORK/status.json" || die "monitoring/status failed"

echo "## L7 capture switched off/on in one daemon: redis-benchmark$( ((PG_SECONDS > 0)) && echo ' and pgbench')"
echo
echo "redis-server $(redis-server --version | awk '{print $3}' | tr -d 'v='), $(nproc) CPUs," \
  "kernel $(uname -r). \`redis-benchmark -n $REQUESTS -c $CLIENTS\` (\`-n $REQUESTS_PIPELINED\` with -P > 1," \
  "127.0.0.1), $PAIRS pairs" \
  "(L7 off and on, the order alternating; ${SETTLE} s after each switch; TLS probe $TLS)$( ((PG_SECONDS > 0)) &&
  echo "; \`pgbench -S -M simple -c 4 -j 2 -T $PG_SECONDS\` (scale 10, Unix socket) per run, in tps")."
echo
PYTHONPATH="$ROOT/bench" $PY - "$WORK/samples.txt" "$WORK/status.json" <<'EOF'
import collections, json, os, statistics, sys
from bench_stats import median_interval
tick_us = 1e6 / os.sysconf("SC_CLK_TCK")

runs = collections.defaultdict(dict)
label = lambda w: (w.rsplit("_", 1)[0] if w.startswith("pgbench") else w).replace("_", " ")
cpu = collections.defaultdict(dict)  # (workload, pair) -> state -> (machine, daemon) µs per request
for line in open(sys.argv[1]):
    pair, state, workload, rps, busy, daemon, n = line.split()
    runs[(workload, int(pair))][state] = float(rps)
    cpu[(workload, int(pair))][state] = (int(busy) * tick_us / int(n), int(daemon) * tick_us / int(n))
print("| workload | OFF median req/s | ON median req/s | median of pair ratios | its 95 % interval (bootstrap) "
      "| pair ratios, 25th–75th percentile |")
print("|---|---:|---:|---:|---|---|")
for w in sorted({k[0] for k in runs}, key=lambda s: (int(s.rsplit("_", 1)[1]), s)):
    pairs = [runs[k] for k in sorted(runs) if k[0] == w and len(runs[k]) == 2 and runs[k]["false"] > 0]
    if not pairs:
        continue
    ratios = sorted(p["true"] / p["false"] for p in pairs)
    q = statistics.quantiles(ratios, n=4) if len(ratios) > 1 else [ratios[0]] * 3
    print("| %s | %.0f | %.0f | **%.3f** | %.3f–%.3f | %.2f–%.2f |" % (
        label(w), statistics.median(p["false"] for p in pairs),
        statistics.median(p["true"] for p in pairs), statistics.median(ratios), *median_interval(ratios), q[0], q[2]))
print()
print("Machine CPU per request (user + system + interrupts, all processes; not idle or steal) and the "
      "daemon's share of it, µs, medians. OFF/ON of machine CPU is what the throughput ratio would be on a "
      "saturated machine.")
print()
print("| workload | OFF machine | ON machine | ON daemon | median of pair OFF/ON | its 95 % interval "
      "| 25th–75th percentile |")
print("|---|---:|---:|---:|---:|---|---|")
for w in sorted({k[0] for k in cpu}, key=lambda s: (int(s.rsplit("_", 1)[1]), s)):
    pairs = [cpu[k] for k in sorted(cpu) if k[0] == w and len(cpu[k]) == 2 and cpu[k]["true"][0] > 0]
    if not pairs:
        continue
    ratios = sorted(p["false"][0] / p["true"][0] for p in pairs)
    q = statistics.quantiles(ratios, n=4) if len(ratios) > 1 else [ratios[0]] * 3
    print("| %s | %.2f | %.2f | %.2f | **%.3f** | %.3f–%.3f | %.2f–%.2f |" % (
        label(w), statistics.median(p["false"][0] for p in pairs),
        statistics.median(p["true"][0] for p in pairs), statistics.median(p["true"][1] for p in pairs),
        statistics.median(ratios), *median_interval(ratios), q[0], q[2]))
status = json.load(open(sys.argv[2]))
l7 = next((p for p in status.get("probes", []) if p.get("name") == "l7"), {})
drops = l7.get("drops", {})
print()
print("L7 drops at the end: " + (", ".join("%s=%s" % kv for kv in sorted(drops.items())) or "n/a"))
EOF
if $PY -c 'import json, sys
st = json.load(open(sys.argv[1]))
sys.exit(0 if any(v for p in st.get("probes", []) if p.get("name") in ("l7", "tls") for v in p.get("drops", {}).values()) else 1)' \
  "$WORK/status.json"; then
  KEEP_LOGS=1
  log "the daemon reported drops: see $WORK/daemon.log"
fi
