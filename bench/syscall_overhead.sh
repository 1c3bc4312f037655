#!/usr/bin/env bash
# Added cost per syscall of hostscoped's full latency capture, against the
# floor (empty tp_btf programs) and the peers syscount -L and bpftrace (SPEC §7),
# plus the daemon's footprint: RSS, map read-out time, /metrics latency.
#
#   sudo bench/syscall_overhead.sh > report.md
#
# Environment: ROUNDS (5), ITERS (2000000), REPEATS (3 loop runs per visit, the
# fastest kept: interference only ever adds time), BUILD_DIR (build-bench), PORT (19851),
# CSV (file for every raw sample), CONFIGS (subset of "none empty hostscoped
# syscount bpftrace", plus ladder0..ladder4 for bench/cost_ladder levels),
# LOOP_CPU (last CPU), FOOTPRINT (1; 0 skips the footprint part).
# What costs in hostscoped, step by step:
#   CONFIGS="none ladder0 ladder1 ladder2 ladder3 ladder4 hostscoped" FOOTPRINT=0 bench/syscall_overhead.sh
# Markdown goes to stdout, progress to stderr. Not part of CI: slow and noisy.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD_DIR=${BUILD_DIR:-$ROOT/build-bench}
ROUNDS=${ROUNDS:-5}
ITERS=${ITERS:-2000000}
REPEATS=${REPEATS:-3}
PORT=${PORT:-19851}
CSV=${CSV:-}
CONFIGS=${CONFIGS:-none empty hostscoped syscount bpftrace}
LOOP_CPU=${LOOP_CPU:-$(($(nproc) - 1))}
FOOTPRINT=${FOOTPRINT:-1}
LOOP=$BUILD_DIR/bench/syscall_loop
EMPTY=$BUILD_DIR/bench/empty_tracer
LADDER=$BUILD_DIR/bench/cost_ladder
HOSTSCOPED=${HOSTSCOPED:-$BUILD_DIR/daemon/hostscoped}
WORKLOADS=(getpid read1)
BASE=http://127.0.0.1:$PORT
BPFTRACE_PROG='BEGIN { printf("attached\n"); }
tracepoint:raw_syscalls:sys_enter { @s[tid] = nsecs; }
tracepoint:raw_syscalls:sys_exit /@s[tid]/ { @h = hist(nsecs - @s[tid]); delete(@s[tid]); }
END { clear(@s); }'

WORK=$(mktemp -d /tmp/hs-bench.XXXXXX)
TRACER_PID=""
TRACER_SIG=INT
TRACER_STATE=""
LOAD_PID=""
PROG_ID0=0
READY_BY=""
READY_SEEN=""
END_RC=0
declare -A BAD_EXITS=()
TRACEFS_MOUNTED=0
BPF_STATS_ORIG=""

log() { echo "[bench] $*" >&2; }
die() { log "error: $*"; exit 1; }

# Ends one process that this script started, by PID: SIG first, KILL after 10 s.
end_pid() {
  local pid=$1 sig=$2
  [[ -n $pid ]] || return 0
  kill -s "$sig" "$pid" 2>/dev/null || true
  for _ in $(seq 100); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$pid" 2>/dev/null; then
    log "pid $pid ignored SIG$sig for 10 s: killing"
    kill -s KILL "$pid" 2>/dev/null || true
  fi
  END_RC=0
  wait "$pid" 2>/dev/null || END_RC=$?
}

cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  end_pid "$LOAD_PID" TERM
  end_pid "$TRACER_PID" "$TRACER_SIG"
  [[ -n $BPF_STATS_ORIG ]] && sysctl -qw kernel.bpf_stats_enabled="$BPF_STATS_ORIG" || true
  ((TRACEFS_MOUNTED)) && umount /sys/kernel/tracing 2>/dev/null || true
  if ((rc == 0)); then rm -rf "$WORK"; else log "logs kept in $WORK"; fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Polls "$@" every 0.1 s until it succeeds; fails after $1 seconds, or at once if it returns 2.
wait_until() {
  local secs=$1 rc
  shift
  for _ in $(seq $((secs * 10))); do
    rc=0
    "$@" || rc=$?
    ((rc == 0)) && return 0
    ((rc == 2)) && return 1
    sleep 0.1
  done
  return 1
}

alive() { kill -0 "$TRACER_PID" 2>/dev/null; }
# True once log $1 has a line matching $2; 2 if the tracer has exited meanwhile.
log_has() {
  grep -q "$2" "$1" 2>/dev/null && return 0
  alive || return 2
  return 1
}

max_prog_id() { bpftool prog show | awk -F: '/^[0-9]+:/ {if ($1 > m) m = $1} END {print m + 0}'; }

# True if programs newer than id $1 and named like $2 (an ERE) are attached through
# bpf links: one per pattern in "$@" (ids only grow, so older tracers do not count).
links_attached() {
  local since=$1 pat ids
  shift
  for pat in "$@"; do
    ids=$(bpftool prog show | awk -F'[: ]+' -v s="$since" -v p="^($pat)$" '/^[0-9]+:/ && $1 > s && $4 ~ p {print $1}')
    [[ -n $ids ]] || return 1
    bpftool link show | awk -v ids=" $(echo $ids) " '$3 == "prog" && index(ids, " " $4 " ") {f = 1} END {exit !f}' || return 1
  done
}

# hostscoped is ready when /healthz answers 200 and its status shows the syscall
# probe attached (or, while the status omits probes, its programs have links).
hostscoped_ready() {
  alive || return 2
  curl -fsS --max-time 2 -o /dev/null "$BASE/healthz" 2>/dev/null || return 1
  [[ -s $TRACER_STATE/admin.token ]] || return 1
  if curl -fsS --max-time 2 -H "Authorization: Bearer $(cat "$TRACER_STATE/admin.token")" \
    "$BASE/api/performance/monitoring/status" 2>/dev/null | grep -q '"attached"'; then
    READY_BY=status
    return 0
  fi
  links_attached "$PROG_ID0" 'hs_sys_?enter(_raw)?' 'hs_sys_?exit(_raw)?' && READY_BY=links
}

# Starts configuration $1 (log file $2) and returns once its programs are attached.
start_tracer() {
  local cfg=$1 out=$2
  TRACER_PID=""
  case $cfg in
    none) return 0 ;;
    empty)
      "$EMPTY" >"$out" 2>&1 &
      TRACER_PID=$! TRACER_SIG=INT
      wait_until 20 log_has "$out" '^attached' || die "empty_tracer did not attach (see $out)"
      ;;
    ladder[0-4])
      "$LADDER" "${cfg#ladder}" >"$out" 2>&1 &
      TRACER_PID=$! TRACER_SIG=INT
      wait_until 20 log_has "$out" '^attached' || die "cost_ladder did not attach (see $out)"
      ;;
    hostscoped)
      TRACER_STATE=$(mktemp -d "$WORK/state.XXXXXX")
      PROG_ID0=$(max_prog_id)
      "$HOSTSCOPED" --state-dir "$TRACER_STATE" --listen "127.0.0.1:$PORT" --log-level warn --foreground \
        >"$out" 2>&1 &
      TRACER_PID=$! TRACER_SIG=TERM
      wait_until 30 hostscoped_ready || die "hostscoped not ready with the syscall probe attached (see $out)"
      READY_SEEN+=" $READY_BY"
      ;;
    syscount)
      # Line-buffered so the post-attach banner reaches the log at once.
      stdbuf -oL syscount -L >"$out" 2>&1 &
      TRACER_PID=$! TRACER_SIG=INT
      wait_until 20 log_has "$out" '^Tracing syscalls' || die "syscount did not attach (see $out)"
      ;;
    bpftrace)
      # BEGIN fires after every other probe is attached.
      bpftrace -e "$BPFTRACE_PROG" >"$out" 2>&1 &
      TRACER_PID=$! TRACER_SIG=INT
      wait_until 60 log_has "$out" '^attached' || die "bpftrace did not attach (see $out)"
      ;;
    *) die "unknown configuration $cfg" ;;
  esac
  alive || die "$cfg exited right after attaching (see $out)"
}

# Stops the running tracer; counts exits by signal/error per configuration (e.g. a crash on SIGTERM).
stop_tracer() {
  [[ -n $TRACER_PID ]] || return 0
  end_pid "$TRACER_PID" "$TRACER_SIG"
  TRACER_PID=""
  if ((END_RC != 0)); then BAD_EXITS[$1]+=" $END_RC"; fi
}

# Runs workload $1 pinned to LOOP_CPU ${2:-REPEATS} times and prints the fastest ns/op.
run_loop() {
  local ns best=""
  for _ in $(seq "${2:-$REPEATS}"); do
    ns=$(taskset -c "$LOOP_CPU" "$LOOP" "$1" "$ITERS" | awk '{print $1}')
    [[ $ns =~ ^[0-9.]+$ ]] || die "syscall_loop $1 printed '$ns'"
    if [[ -z $best ]] || awk -v a="$ns" -v b="$best" 'BEGIN {exit !(a < b)}'; then best=$ns; fi
  done
  echo "$best"
}

# stdin: numbers, one a line; prints median, min and max.
stats() { sort -g | awk '{a[NR] = $1} END {if (!NR) exit 1; m = NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2; print m, a[1], a[NR]}'; }
# Sample values of configuration $1 and workload $2.
samples() { awk -v c="$1" -v w="$2" '$2 == c && $3 == w {print $4}' "$WORK/results.tsv"; }
median() { samples "$1" "$2" | stats | awk '{print $1}'; }

label() {
  case $1 in
    none) echo "no tracer" ;;
    empty) echo "empty tp_btf sys_enter+sys_exit (floor)" ;;
    hostscoped) echo "hostscoped (full latency capture)" ;;
    syscount) echo "syscount -L" ;;
    bpftrace) echo "bpftrace latency histogram" ;;
    ladder0) echo "ladder 0: empty tp_btf enter+exit" ;;
    ladder1) echo "ladder 1: + bpf_ktime_get_ns() ×2" ;;
    ladder2) echo "ladder 2: + task storage start/lookup" ;;
    ladder3) echo "ladder 3: + per-CPU hash (tgid,nr), plain adds" ;;
    ladder4) echo "ladder 4: + atomic adds (latency__record)" ;;
  esac
}

# ---- checks ----
[[ $(id -u) == 0 ]] || die "run as root"
[[ -x $LOOP && -x $EMPTY && -x $LADDER ]] || die "build the bench tools first: ninja -C $BUILD_DIR bench"
read -ra CFGS <<<"$CONFIGS"
has() { [[ " ${CFGS[*]} " == *" $1 "* ]]; }
for cfg in "${CFGS[@]}"; do
  case $cfg in
    hostscoped) [[ -x $HOSTSCOPED ]] || die "no $HOSTSCOPED: ninja -C $BUILD_DIR hostscoped" ;;
    syscount | bpftrace) command -v "$cfg" >/dev/null || die "$cfg not installed" ;;
  esac
done
has none || die "CONFIGS must include none (the baseline)"
if curl -s --max-time 1 -o /dev/null "$BASE/healthz"; then die "port $PORT is in use: set PORT"; fi
# bpftrace's (and syscount's) classic tracepoints need tracefs.
if [[ ! -d /sys/kernel/tracing/events/raw_syscalls ]]; then
  mount -t tracefs nodev /sys/kernel/tracing
  TRACEFS_MOUNTED=1
  log "mounted tracefs at /sys/kernel/tracing"
fi

# ---- interleaved rounds ----
: >"$WORK/results.tsv"
load_start=$(cut -d' ' -f1-3 /proc/loadavg)
n=${#CFGS[@]}
t_start=$(date +%s)
for ((r = 0; r < ROUNDS; r++)); do
  for ((i = 0; i < n; i++)); do
    cfg=${CFGS[$(((i + r) % n))]}
    start_tracer "$cfg" "$WORK/$cfg.$r.log"
    # Alternate the workload order too, so neither always runs first after attach.
    if ((r % 2)); then order=(read1 getpid); else order=(getpid read1); fi
    line="round $((r + 1))/$ROUNDS $cfg:"
    for w in "${order[@]}"; do
      ns=$(run_loop "$w")
      printf '%s\t%s\t%s\t%s\n' "$r" "$cfg" "$w" "$ns" >>"$WORK/results.tsv"
      line+=" $w=$ns"
    done
    if [[ -n $TRACER_PID ]] && ! alive; then die "$cfg exited during the loops (see $WORK/$cfg.$r.log)"; fi
    stop_tracer "$cfg"
    log "$line"
  done
done
t_rounds=$(($(date +%s) - t_start))

if [[ -n $CSV ]]; then
  { echo "round,config,workload,ns_per_op"; tr '\t' ',' <"$WORK/results.tsv"; } >"$CSV"
fi

# ---- footprint: RSS, read-out, scrape latency, in-kernel program time ----
declare -A FP=()
fp_metric() { # $1: metric name; prints the syscalls probe's sample from /metrics
  curl -fsS --max-time 5 "$BASE/metrics" | awk -v m="$1" '$1 ~ "^" m "\\{" && $1 ~ /probe="syscalls"/ {print $2}'
}
ms_stats() { stats | awk '{printf "%.3f / %.3f / %.3f", $1 * 1000, $2 * 1000, $3 * 1000}'; }
percentile() { sort -g | awk -v p="$1" '{a[NR] = $1} END {i = int(NR * p / 100 + 0.999); if (i < 1) i = 1; printf "%.3f", a[i] * 1000}'; }

# utime + stime of process $1, in clock ticks.
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
# Prints "id name" of every loaded BPF program.
prog_ids() { bpftool prog show | awk -F'[: ]+' '/^[0-9]+:/ {print $1, $4}'; }
# Prints "name ns_per_run runs" for program ids in file $1 (needs kernel.bpf_stats_enabled=1).
prog_costs() {
  bpftool prog show | awk 'NR == FNR {want[$1] = 1; next}
    /^[0-9]+:/ {id = $1; sub(":", "", id); if (!(id in want)) next
      rt = rc = 0; for (i = 1; i < NF; i++) {if ($i == "run_time_ns") rt = $(i + 1); if ($i == "run_cnt") rc = $(i + 1)}
      if (rc) printf "%s %.1f %s\n", $4, rt / rc, rc}' "$1" -
}

if ((FOOTPRINT)) && has hostscoped; then
  log "footprint: hostscoped under a getpid load"
  start_tracer hostscoped "$WORK/footprint.log"
  # Far more iterations than the sampling needs (bounded all the same); ended by PID below.
  taskset -c "$LOOP_CPU" "$LOOP" getpid 200000000 >/dev/null &
  LOAD_PID=$!
  sleep 3
  cpu0=$(cpu_ticks "$TRACER_PID") wall0=$(date +%s.%N)
  : >"$WORK/readout" && : >"$WORK/entries"
  for _ in 1 2 3 4 5; do
    fp_metric hostscope_probe_read_seconds >>"$WORK/readout"
    fp_metric hostscope_bpf_map_entries >>"$WORK/entries"
    sleep 1.1 # one read-out per monitoring tick (1 s)
  done
  FP[rss_load]=$(awk '/^VmRSS/ {print $2}' "/proc/$TRACER_PID/status")
  FP[cpu]=$(awk -v c0="$cpu0" -v c1="$(cpu_ticks "$TRACER_PID")" -v w0="$wall0" -v w1="$(date +%s.%N)" \
    -v hz="$(getconf CLK_TCK)" 'BEGIN {printf "%.1f %% of one CPU over %.1f s", 100 * (c1 - c0) / hz / (w1 - w0), w1 - w0}')
  FP[load_alive]=$(kill -0 "$LOAD_PID" 2>/dev/null && echo yes || echo no)
  FP[readout]=$(ms_stats <"$WORK/readout" || echo n/a)
  FP[entries]=$(stats <"$WORK/entries" | awk '{print $1 " (" $2 "–" $3 ")"}' || echo n/a)
  end_pid "$LOAD_PID" TERM
  LOAD_PID=""

  log "footprint: 200 sequential /metrics requests"
  for _ in $(seq 200); do
    curl -s --max-time 5 -o /dev/null -w '%{time_total}\n' "$BASE/metrics"
  done >"$WORK/curl"
  FP[metrics_bytes]=$(curl -fsS --max-time 5 "$BASE/metrics" | wc -c)
  FP[curl]="$(ms_stats <"$WORK/curl") / p99 $(percentile 99 <"$WORK/curl")"
  if command -v wrk >/dev/null; then
    log "footprint: wrk -t2 -c16 -d10s /metrics"
    wrk -t2 -c16 -d10s --latency "$BASE/metrics" >"$WORK/wrk" 2>&1 || true
    FP[wrk]=$(awk '/^ +50%/ {p50 = $2} /^ +99%/ {p99 = $2} /^Requests\/sec/ {rps = $2}
      /Non-2xx|Socket errors/ {err = err " " $0}
      END {printf "p50 %s, p99 %s, %s req/s%s", p50, p99, rps, err}' "$WORK/wrk")
  else
    FP[wrk]="not run (wrk not installed)"
  fi
  FP[rss_end]=$(awk '/^VmRSS/ {print $2}' "/proc/$TRACER_PID/status")
  FP[hwm]=$(awk '/^VmHWM/ {print $2}' "/proc/$TRACER_PID/status")
  stop_tracer hostscoped

  # In-kernel time per program run, from the kernel's own BPF run-time statistics.
  log "footprint: BPF program run time per call (kernel.bpf_stats_enabled)"
  BPF_STATS_ORIG=$(sysctl -n kernel.bpf_stats_enabled)
  : >"$WORK/progcost"
  for cfg in "${CFGS[@]}"; do
    [[ $cfg == none ]] && continue
    prog_ids | awk '{print $1}' | sort >"$WORK/ids.before"
    start_tracer "$cfg" "$WORK/$cfg.stats.log"
    prog_ids | awk '{print $1}' | sort | comm -13 "$WORK/ids.before" - >"$WORK/ids.new"
    sysctl -qw kernel.bpf_stats_enabled=1
    run_loop getpid 1 >/dev/null
    prog_costs "$WORK/ids.new" | sed "s/^/$cfg /" >>"$WORK/progcost"
    sysctl -qw kernel.bpf_stats_enabled="$BPF_STATS_ORIG"
    stop_tracer "$cfg"
  done
fi
t_total=$(($(date +%s) - t_start))

# ---- report ----
fmt() { awk '{printf "%.1f (%.1f–%.1f)", $1, $2, $3}'; }
echo "## Syscall overhead"
echo
echo "ROUNDS=$ROUNDS, ITERS=$ITERS, REPEATS=$REPEATS (fastest of the repeats per visit), loop pinned to CPU $LOOP_CPU,"
echo "configurations rotated every round;"
echo "tracefs at /sys/kernel/tracing: $( ((TRACEFS_MOUNTED)) && echo "mounted by this script" || echo "already mounted")."
echo "ns/op: median of $ROUNDS rounds (min–max); added = median − median(no tracer)."
echo "Load average (1/5/15 min) at start: $load_start; at end: $(cut -d' ' -f1-3 /proc/loadavg)."
echo
echo "| configuration | getpid ns/op | getpid added | read1 ns/op | read1 added |"
echo "|---|---:|---:|---:|---:|"
for cfg in none empty ladder0 ladder1 ladder2 ladder3 ladder4 hostscoped syscount bpftrace; do
  has "$cfg" || continue
  row="| $(label "$cfg") |"
  for w in "${WORKLOADS[@]}"; do
    row+=" $(samples "$cfg" "$w" | stats | fmt) |"
    if [[ $cfg == none ]]; then row+=" — |"; else
      row+=" $(awk -v a="$(median "$cfg" "$w")" -v b="$(median none "$w")" 'BEGIN {printf "%+.1f", a - b}') |"
    fi
  done
  echo "$row"
done
echo

added() { awk -v a="$(median "$1" "$2")" -v b="$(median none "$2")" 'BEGIN {print a - b}'; }
if has hostscoped && { has syscount || has bpftrace || has empty; }; then
  echo "| added cost ratio | getpid | read1 | target | verdict |"
  echo "|---|---:|---:|---:|---|"
  for peer in syscount:0.6 bpftrace:0.3; do
    p=${peer%%:*} target=${peer#*:}
    has "$p" || continue
    row="| hostscoped / $(label "$p") |" verdict=pass
    for w in "${WORKLOADS[@]}"; do
      ratio=$(awk -v h="$(added hostscoped "$w")" -v q="$(added "$p" "$w")" 'BEGIN {if (q <= 0) print "n/a"; else printf "%.2f", h / q}')
      row+=" $ratio |"
      if [[ $ratio == n/a ]] || awk -v r="$ratio" -v t="$target" 'BEGIN {exit !(r > t)}'; then verdict=MISS; fi
    done
    echo "$row ≤ $target | $verdict |"
  done
  if has empty; then
    row="| hostscoped − floor (ns, its own work) |"
    for w in "${WORKLOADS[@]}"; do
      row+=" $(awk -v h="$(median hostscoped "$w")" -v e="$(median empty "$w")" 'BEGIN {printf "%+.1f", h - e}') |"
    done
    echo "$row — | |"
  fi
  echo
fi

# Robustness check against drifting background load: the same quantities from
# pairs measured within one round (config minus no tracer, seconds apart).
# Prints the median over rounds of the per-round added cost of $1 for workload $2,
# or, with $3, of the per-round ratio added($1)/added($3).
paired() {
  awk -v c="$1" -v w="$2" -v q="${3:-}" '$3 == w {v[$1, $2] = $4; r[$1] = 1}
    END {for (k in r) {if (!((k, c) in v) || !((k, "none") in v)) continue
      a = v[k, c] - v[k, "none"]
      if (q == "") print a; else if ((k, q) in v && v[k, q] > v[k, "none"]) print a / (v[k, q] - v[k, "none"])}}' \
    "$WORK/results.tsv" | stats | awk '{print $1}'
}
if ((ROUNDS > 1)); then
  echo "Paired per round (median over rounds of config − no tracer within the same round):"
  echo
  echo "| configuration | getpid added | read1 added |"
  echo "|---|---:|---:|"
  for cfg in empty ladder0 ladder1 ladder2 ladder3 ladder4 hostscoped syscount bpftrace; do
    has "$cfg" || continue
    echo "| $(label "$cfg") | $(paired "$cfg" getpid | awk '{printf "%+.1f", $1}') | $(paired "$cfg" read1 | awk '{printf "%+.1f", $1}') |"
  done
  for p in syscount bpftrace; do
    has "$p" && has hostscoped || continue
    echo "| ratio hostscoped / $(label "$p") | $(paired hostscoped getpid "$p" | awk '{printf "%.2f", $1}') | $(paired hostscoped read1 "$p" | awk '{printf "%.2f", $1}') |"
  done
  echo
fi

if ((${#FP[@]})); then
  echo "## hostscoped footprint"
  echo
  echo "| measure | value | target |"
  echo "|---|---|---|"
  echo "| VmRSS after 3 s of capture + 5 s of scrapes, getpid loop running | $(awk -v k="${FP[rss_load]}" 'BEGIN {printf "%.1f MB", k / 1024}') | < 64 MB |"
  echo "| daemon CPU (user+sys) during those 5 s, including the 5 scrapes | ${FP[cpu]} | — |"
  echo "| VmRSS after the scrape runs / VmHWM (peak) | $(awk -v k="${FP[rss_end]}" -v h="${FP[hwm]}" 'BEGIN {printf "%.1f MB / %.1f MB", k / 1024, h / 1024}') | < 64 MB |"
  echo "| map read-out per tick, hostscope_probe_read_seconds, 5 samples (median / min / max) | ${FP[readout]} ms | — |"
  echo "| entries in the syscall map, hostscope_bpf_map_entries (median (min–max)) | ${FP[entries]} | — |"
  echo "| /metrics, 200 sequential curl (median / min / max / p99), ${FP[metrics_bytes]} bytes | ${FP[curl]} ms | — |"
  echo "| /metrics under wrk -t2 -c16 -d10s | ${FP[wrk]} | p99 < 10 ms |"
  [[ ${FP[load_alive]} == yes ]] || echo "| note | the getpid load had ended before the last read-out sample | |"
  echo
  if [[ -s $WORK/progcost ]]; then
    echo "BPF program run time per call (kernel.bpf_stats_enabled=1, getpid loop; excludes the"
    echo "tracepoint dispatch itself, which differs between tp_btf and classic tracepoints):"
    echo
    echo "| configuration | program | ns per run | runs |"
    echo "|---|---|---:|---:|"
    awk '{printf "| %s | %s | %s | %s |\n", $1, $2, $3, $4}' "$WORK/progcost"
    echo
  fi
fi
if [[ -n $READY_SEEN ]]; then
  echo "hostscoped readiness seen through: $(tr ' ' '\n' <<<"$READY_SEEN" | sort | uniq -c | awk 'NF >= 2 {printf "%s%s ×%s", s, $2, $1; s = ", "}')"
  echo "(status = monitoring/status showed the probe attached; links = /healthz 200 and its programs had bpf links)."
  echo
fi
for cfg in "${!BAD_EXITS[@]}"; do
  echo "**$(label "$cfg") did not exit cleanly when stopped:** exit statuses${BAD_EXITS[$cfg]} (128+N = killed by signal N)."
  echo
done
echo "Wall time: rounds ${t_rounds} s, total ${t_total} s."
