# Shared by the bench scripts that run hostscoped around a load generator.
# The caller sets BENCH_TAG, WORK (a scratch dir), HOSTSCOPED, and keeps DAEMON_PID
# and DAEMON_PORT as globals; sourcing defines the functions below.

log() { echo "[$BENCH_TAG] $*" >&2; }
die() { log "error: $*"; exit 1; }

free_port() {
  /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# Ends one process this script started, by PID: TERM first, KILL after 10 s.
end_pid() {
  local pid=$1
  [[ -n $pid ]] || return 0
  kill -s TERM "$pid" 2>/dev/null || return 0
  for _ in $(seq 100); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.1
  done
  log "pid $pid ignored SIGTERM for 10 s: killing"
  kill -s KILL "$pid" 2>/dev/null || true
}

stop_daemon() {
  [[ -n $DAEMON_PID ]] || return 0
  end_pid "$DAEMON_PID"
  wait "$DAEMON_PID" 2>/dev/null || true
  DAEMON_PID=""
}

api() {
  curl -sf --max-time 5 -H "Authorization: Bearer $(cat "$WORK/state/admin.token")" \
    "http://127.0.0.1:$DAEMON_PORT/api/performance/$1"
}

probe_state() {  # probe_state FILE NAME -> attached / absent / ...
  /usr/bin/python3 -c 'import json,sys
st = json.load(open(sys.argv[1]))
print(next((p.get("state", "?") for p in st.get("probes", []) if p.get("name") == sys.argv[2]), "absent"))' "$1" "$2"
}

# launch_daemon TOML WANT: starts hostscoped with TOML as its config file (empty: none)
# and waits until probe WANT is attached. Returns 2 if the daemon has no such probe.
launch_daemon() {
  local toml=$1 want=$2 extra=()
  rm -rf "$WORK/state"
  mkdir -p "$WORK/state"
  if [[ -n $toml ]]; then
    printf '%s' "$toml" >"$WORK/daemon.toml"
    extra=(--config "$WORK/daemon.toml")
  fi
  DAEMON_PORT=$(free_port)
  "$HOSTSCOPED" --state-dir "$WORK/state" --listen "127.0.0.1:$DAEMON_PORT" --log-level info \
    "${extra[@]}" >>"$WORK/daemon.log" 2>&1 &
  DAEMON_PID=$!
  for _ in $(seq 300); do
    kill -0 "$DAEMON_PID" 2>/dev/null || die "hostscoped exited at start: $(tail -3 "$WORK/daemon.log")"
    if [[ -s $WORK/state/admin.token ]] && api monitoring/status >"$WORK/status.json" 2>/dev/null; then
      local state
      state=$(probe_state "$WORK/status.json" "$want")
      [[ $state == attached ]] && return 0
      [[ $state == absent ]] && return 2
    fi
    sleep 0.1
  done
  die "hostscoped did not become ready with its $want probe attached (see $WORK/daemon.log)"
}

# Median of whitespace-separated numbers on stdin ("n/a" for none).
median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{ a[NR] = $1 } END {
  if (NR == 0) { print "n/a"; exit }
  if (NR % 2) print a[(NR + 1) / 2]; else printf "%.2f\n", (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

# rotate_rounds ROUNDS NODAEMON CFG...: ROUNDS rounds over the configurations, the
# order rotating every round so none always runs first. For each: measure CFG, in
# a daemon started with start_daemon CFG and stopped after (after_measure CFG runs
# first, if defined) — except NODAEMON, measured with no daemon at all.
rotate_rounds() {
  local rounds=$1 nodaemon=$2
  shift 2
  local cfgs=("$@") n=$# r i cfg
  for ((r = 1; r <= rounds; r++)); do
    local order=()
    for ((i = 0; i < n; i++)); do order+=("${cfgs[(i + r - 1) % n]}"); done
    log "round $r/$rounds: ${order[*]}"
    for cfg in "${order[@]}"; do
      if [[ $cfg == "$nodaemon" ]]; then
        measure "$cfg"
        continue
      fi
      start_daemon "$cfg"
      measure "$cfg"
      if declare -F after_measure >/dev/null; then after_measure "$cfg"; fi
      stop_daemon
    done
  done
}
