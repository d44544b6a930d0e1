#!/usr/bin/env bash
# Peak memory (maximum resident set size) of each command against the logbook's plaintext:
#   bash benches/memory.sh [N ...]            (default: 10000 50000)
#   DATA=/work/bench-data BIN=target/release/logbook bash benches/memory.sh 10000
#   APP=0 bash benches/memory.sh               (the command line only, no tmux)
# Uses DATA/lb-N.age and DATA/key, as `benches/scale.sh` leaves them (run it first to
# generate them). Needs age and tmux. Memory does not depend on the machine's load, so
# this can run beside other work; it takes about a minute per 50,000 incidents.
#
# Measured, each on a generated key-mode logbook of N incidents:
#   list, show, verify    /usr/bin/time -v, "Maximum resident set size"
#   import                one incident, into a copy of the logbook (open for writing,
#                         check the trail, add, save)
#   app                   the app in tmux on a copy: unlocked, the history checked and
#                         the save thread's copy of its people's and incidents' text built
#                         (VmHWM once the resident size has stopped growing)
# and how long `verify` runs after printing its answer (wiping the records and exiting:
# a one-shot command does not free what the exit frees), against its whole run.
set -euo pipefail
cd "$(dirname "$0")/.."
data=${DATA:-/work/bench-data}
bin=${BIN:-$PWD/target/release/logbook}
[ -n "${BIN:-}" ] || cargo build --release --quiet
work=$(mktemp -d)
session="memory$$"
trap 'tmux kill-session -t "$session" 2>/dev/null || true; rm -rf "$work"' EXIT
key=$data/key
pub=$(age-keygen -y "$key")
# One incident (and its person) to import, numbered clear of the generated ones.
"$bin" demo --generate 1 --out "$work/one.age" --recipient "$pub" >/dev/null
age -d -i "$key" "$work/one.age" |
  sed -e 's/P-0/P-9/g' -e 's/INC-202[56]-/INC-2019-/g' >"$work/one.ron"

# Peak memory of one command, in kB.
peak() {
  /usr/bin/time -f "%M" -o "$work/time" "$@" >/dev/null
  cat "$work/time"
}
mb() { awk -v k="$1" 'BEGIN { printf "%.0f MB", k * 1024 / 1e6 }'; }
ratio() { awk -v k="$1" -v p="$2" 'BEGIN { printf "%.2fx", k * 1024 / p }'; }

for size in ${@:-10000 50000}; do
  file=$data/lb-$size.age
  plain=$(age -d -i "$key" "$file" | wc -c)
  echo "incidents: $size  plaintext: $plain bytes ($(mb $((plain / 1024))))"
  first=$("$bin" --logbook "$file" --identity "$key" list | awk 'NR == 1 {print $1}')
  report() { echo "  $1: $(mb "$2"), $(ratio "$2" "$plain") the plaintext"; }
  report list "$(peak "$bin" --logbook "$file" --identity "$key" list)"
  report "show $first" "$(peak "$bin" --logbook "$file" --identity "$key" show "$first")"
  report verify "$(peak "$bin" --logbook "$file" --identity "$key" verify)"
  start=$(date +%s%N)
  "$bin" --logbook "$file" --identity "$key" verify |
    { read -r _; date +%s%N >"$work/answered"; cat >/dev/null; }
  end=$(date +%s%N) answered=$(cat "$work/answered")
  echo "  verify: answered after $(((answered - start) / 1000000)) ms, exited $(((end - answered) / 1000000)) ms later"
  cp "$file" "$work/w.age"
  report "import one incident" \
    "$(peak "$bin" --logbook "$work/w.age" --identity "$key" import "$work/one.ron" --by RO)"
  if [ "${APP:-1}" != 0 ]; then
    cp "$file" "$work/w.age"
    tmux new-session -d -s "$session" -x 100 -y 30 "exec $bin --logbook $work/w.age --identity $key"
    until tmux capture-pane -p -t "$session" | grep -q "Enter unlock"; do sleep 0.1; done
    tmux send-keys -t "$session" Enter
    until tmux capture-pane -p -t "$session" | grep -q "Who is recording?"; do sleep 0.1; done
    tmux send-keys -t "$session" Enter
    while tmux capture-pane -p -t "$session" | grep -q "Checking history"; do sleep 0.2; done
    pid=$(tmux list-panes -t "$session" -F '#{pane_pid}')
    # The save thread builds its copy of the records' text after the check: wait until
    # the resident size has not grown for three seconds.
    last=0
    while true; do
      sleep 3
      now=$(awk '/VmHWM/ {print $2}' "/proc/$pid/status")
      [ "$now" != "$last" ] || break
      last=$now
    done
    report "app (unlocked, history checked, save thread primed)" "$last"
    tmux kill-session -t "$session"
  fi
  rm -f "$work/w.age" "$work/w.age.lock"
done
