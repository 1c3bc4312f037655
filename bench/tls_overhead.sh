#!/usr/bin/env bash
# Added cost of the TLS probe per TLS round trip: tls_pingpong (OpenSSL over
# loopback, both processes on CPU 0) with no probe, with tls_hold keeping the TLS
# probe attached, and (PEER=1) with bpftrace holding empty uprobes on the same
# hits (SSL_write entry, SSL_read entry and return): the floor any libssl uprobe
# tracer pays here. Configurations alternate within each round; medians of ROUNDS.
#
#   sudo BUILD_DIR=build ROUNDS=7 TRIPS=20000 [PAYLOAD=http|bytes] [API=classic|ex] [PEER=1] bench/tls_overhead.sh
#
# Not part of CI. Results go in docs/benchmarks.md.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD_DIR=${BUILD_DIR:-build}
[[ $BUILD_DIR = /* ]] || BUILD_DIR=$ROOT/$BUILD_DIR
ROUNDS=${ROUNDS:-7}
TRIPS=${TRIPS:-20000}
PAYLOAD=${PAYLOAD:-http}
API=${API:-classic}
PEER=${PEER:-0}
PINGPONG=$BUILD_DIR/bench/tls_pingpong
HOLD=$BUILD_DIR/bench/tls_hold
[[ -x $PINGPONG && -x $HOLD ]] || { echo "build first: ninja -C $BUILD_DIR tls_pingpong tls_hold" >&2; exit 1; }
LIBSSL=$(ldd "$PINGPONG" | awk '$1 ~ /^libssl\.so/ {print $3}')
[[ -n $LIBSSL ]] || { echo "tls_pingpong is not linked to a shared libssl" >&2; exit 1; }

run() { taskset -c 0 "$PINGPONG" "$TRIPS" "$PAYLOAD" "$API" | awk '{print $1}'; }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

# The same probe points as the TLS probe uses for this API, with empty bodies.
bpftrace_script() {
  local w=SSL_write r=SSL_read
  [[ $API == ex ]] && { w=SSL_write_ex; r=SSL_read_ex; }
  echo "uprobe:$LIBSSL:$w, uprobe:$LIBSSL:$r, uretprobe:$LIBSSL:$r { }"
}

on_tls() {
  coproc HOLDER { "$HOLD"; }
  local ready
  read -r ready <&"${HOLDER[0]}"
  [[ $ready == ready ]] || { echo "tls_hold did not start" >&2; exit 1; }
  on+=("$(run)")
  exec {HOLDER[1]}>&-
  read -r drops <&"${HOLDER[0]}" || true
  wait "$HOLDER_PID"
}

on_peer() {
  local log
  log=$(mktemp)
  bpftrace -e "$(bpftrace_script)" >"$log" 2>&1 &
  local pid=$!
  for _ in $(seq 300); do
    grep -q '^Attaching' "$log" && break
    kill -0 "$pid" 2>/dev/null || { cat "$log" >&2; exit 1; }
    sleep 0.1
  done
  sleep 0.5  # "Attaching" precedes the attach itself
  peer+=("$(run)")
  kill -s INT "$pid"
  wait "$pid" 2>/dev/null || true
  rm -f "$log"
}

off=() on=() peer=() drops=""
for ((i = 0; i < ROUNDS; i++)); do
  # Rotate the order so no configuration always runs first.
  order=(off tls)
  [[ $PEER == 1 ]] && order+=(peer)
  n=${#order[@]}
  for ((k = 0; k < n; k++)); do
    case ${order[(k + i) % n]} in
      off) off+=("$(run)") ;;
      tls) on_tls ;;
      peer) on_peer ;;
    esac
  done
  echo "round $((i + 1)): off ${off[-1]} ns, tls ${on[-1]} ns${peer:+, bpftrace ${peer[-1]} ns} ($drops)" >&2
done
m_off=$(printf '%s\n' "${off[@]}" | median)
m_on=$(printf '%s\n' "${on[@]}" | median)
echo "| configuration ($PAYLOAD, $API) | ns per TLS round trip (median of $ROUNDS × $TRIPS) | added |"
echo "|---|---|---|"
echo "| no probe | $m_off | |"
echo "| TLS probe attached | $m_on | $((m_on - m_off)) ($(awk -v a="$m_on" -v b="$m_off" 'BEGIN {printf "%.3f", b / a}')× throughput) |"
if [[ $PEER == 1 ]]; then
  m_peer=$(printf '%s\n' "${peer[@]}" | median)
  echo "| bpftrace, empty uprobes on the same calls | $m_peer | $((m_peer - m_off)) |"
fi
echo "last round's drops: $drops" >&2
