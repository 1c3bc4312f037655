#!/usr/bin/env bash
# Added cost of the TCP probe per round trip: tcp_pingpong (1-byte request and
# response over loopback, both processes on CPU 0 so wake-ups are context switches,
# not cross-CPU interrupts) with no probe and with probe_hold keeping the TCP (PROBE=net, default) or L7 (PROBE=l7) probe
# attached, alternating in one run; medians of ROUNDS.
#
#   sudo BUILD_DIR=build ROUNDS=7 TRIPS=100000 [PROBE=l7 PAYLOAD=redis] bench/net_overhead.sh
#
# Not part of CI. Results go in docs/benchmarks.md.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD_DIR=${BUILD_DIR:-build}
[[ $BUILD_DIR = /* ]] || BUILD_DIR=$ROOT/$BUILD_DIR
ROUNDS=${ROUNDS:-7}
TRIPS=${TRIPS:-100000}
PINGPONG=$BUILD_DIR/bench/tcp_pingpong
HOLD=$BUILD_DIR/bench/probe_hold
PROBE=${PROBE:-net}
[[ -x $PINGPONG && -x $HOLD ]] || { echo "build first: ninja -C $BUILD_DIR tcp_pingpong probe_hold" >&2; exit 1; }

run() { taskset -c 0 "$PINGPONG" "$TRIPS" ${PAYLOAD:-} | awk '{print $1}'; }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

off=() on=()
for ((i = 0; i < ROUNDS; i++)); do
  off+=("$(run)")
  coproc HOLDER { "$HOLD" "$PROBE"; }
  read -r ready <&"${HOLDER[0]}"
  [[ $ready == ready ]] || { echo "probe_hold did not start" >&2; exit 1; }
  on+=("$(run)")
  exec {HOLDER[1]}>&-
  read -r drops <&"${HOLDER[0]}" || true
  wait "$HOLDER_PID"
  echo "round $((i + 1)): off ${off[-1]} ns, on ${on[-1]} ns ($drops)" >&2
done
m_off=$(printf '%s\n' "${off[@]}" | median)
m_on=$(printf '%s\n' "${on[@]}" | median)
echo "| configuration | ns per round trip (median of $ROUNDS × $TRIPS) |"
echo "|---|---|"
echo "| no probe | $m_off |"
echo "| $PROBE probe attached | $m_on |"
echo "| added | $((m_on - m_off)) ($(awk -v a="$m_on" -v b="$m_off" 'BEGIN {printf "%.3f", b / a}')× throughput) |"
echo "last round's drops: $drops" >&2
