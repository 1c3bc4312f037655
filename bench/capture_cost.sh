#!/usr/bin/env bash
# Kernel-side cost of the capture per exchange: sock_exchange (a RESP SET and its
# +OK over a Unix socket pair, one thread, pinned to CPU 1) with no daemon, and
# with hostscoped running (pinned to CPU 0) with L7 off, L7 on without the TLS
# probe, and L7 and TLS on. Every configuration of every binary runs once per
# round, the binaries' order alternating from round to round; medians reported.
#
#   sudo bench/capture_cost.sh                      # this build's hostscoped
#   sudo BINARIES="old/hostscoped new/hostscoped" bench/capture_cost.sh
#
# Environment: BUILD_DIR (build), BINARIES (hostscoped paths), ROUNDS (5),
# EXCHANGES per run (100000), PAYLOAD ("" = RESP, "opaque" = bytes no probe decodes,
# "pipeline 16" = 16 SETs per request and 16 +OKs per reply).
# Not part of CI. Results go in docs/benchmarks.md.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD_DIR=${BUILD_DIR:-build}
[[ $BUILD_DIR = /* ]] || BUILD_DIR=$ROOT/$BUILD_DIR
read -r -a BINS <<<"${BINARIES:-$BUILD_DIR/daemon/hostscoped}"
ROUNDS=${ROUNDS:-5}
EXCHANGES=${EXCHANGES:-100000}
PAYLOAD=${PAYLOAD:-}
EXCHANGE=$BUILD_DIR/bench/sock_exchange
CONFIGS=(off l7 l7+tls)

WORK=$(mktemp -d /tmp/hs-capture-cost.XXXXXX)
DAEMON_PID="" DAEMON_PORT="" HOSTSCOPED=""
BENCH_TAG=capture_cost
# shellcheck source=bench/daemon_lib.sh
source "$ROOT/bench/daemon_lib.sh"
trap 'stop_daemon; rm -rf "$WORK"' EXIT INT TERM

[[ $EUID -eq 0 ]] || die "run as root (the daemon loads BPF programs)"
[[ -x $EXCHANGE ]] || die "build first: ninja -C $BUILD_DIR sock_exchange"
for b in "${BINS[@]}"; do [[ -x $b ]] || die "$b missing"; done
(($(nproc) >= 2)) || die "needs 2 CPUs: the workload on one, the daemon on the other"

measure() { taskset -c 1 "$EXCHANGE" "$EXCHANGES" $PAYLOAD | awk '{print $1}'; }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

with_daemon() {  # with_daemon BINARY CONFIG: prints ns/exchange
  local l7=false tls=false want=syscalls
  [[ $2 == l7* ]] && l7=true want=l7
  [[ $2 == *tls ]] && tls=true
  HOSTSCOPED=$1
  launch_daemon $'[monitoring]\nl7_enabled = '"$l7"$'\ntls_enabled = '"$tls"$'\n' "$want" || die "daemon did not start"
  taskset -a -p -c 0 "$DAEMON_PID" >/dev/null
  sleep 1
  measure
  stop_daemon
}

declare -A samples
for ((r = 1; r <= ROUNDS; r++)); do
  log "round $r/$ROUNDS"
  samples[none]+="$(measure) "
  order=$(seq 0 $((${#BINS[@]} - 1)))
  ((r % 2)) || order=$(seq $((${#BINS[@]} - 1)) -1 0)  # a fixed order favours one (see bench/l7_ab.sh)
  for i in $order; do
    for c in "${CONFIGS[@]}"; do samples[$i/$c]+="$(with_daemon "${BINS[$i]}" "$c") "; done
  done
done

for k in "${!samples[@]}"; do log "$k: ${samples[$k]}"; done
none=$(tr ' ' '\n' <<<"${samples[none]}" | grep . | median)
echo "sock_exchange ${PAYLOAD:-resp}, $EXCHANGES exchanges per run, median of $ROUNDS rounds; ns per exchange (added over L7 off)."
echo
echo "| hostscoped | no daemon | L7 off | L7 on, TLS off | L7 and TLS on |"
echo "|---|---:|---:|---:|---:|"
for i in "${!BINS[@]}"; do
  row="| \`${BINS[$i]}\` | $none"
  off=""
  for c in "${CONFIGS[@]}"; do
    m=$(tr ' ' '\n' <<<"${samples[$i/$c]}" | grep . | median)
    if [[ -z $off ]]; then off=$m; row+=" | $m"; else row+=" | $m (+$((m - off)))"; fi
  done
  echo "$row |"
done
