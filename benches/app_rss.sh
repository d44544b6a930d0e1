#!/usr/bin/env bash
# The app's resident memory over time while it opens a logbook, to see what holds memory
# when (the list shown, the history checked, the save thread's copy made):
#   bash benches/app_rss.sh BINARY LOGBOOK KEY [SAMPLES]
# Runs the app in tmux on a copy of LOGBOOK, presses Enter to unlock and to choose who is
# recording, and prints every 0.25 s the resident size (VmRSS), its peak so far (VmHWM)
# and whether the status bar still says the history is being checked. Needs tmux.
set -euo pipefail
bin=$1 file=$2 key=$3 samples=${4:-240}
work=$(mktemp -d)
session="rss$$"
trap 'tmux kill-session -t "$session" 2>/dev/null || true; rm -rf "$work"' EXIT
cp "$file" "$work/w.age"
tmux new-session -d -s "$session" -x 100 -y 30 "exec $bin --logbook $work/w.age --identity $key"
until tmux capture-pane -p -t "$session" | grep -q "Enter unlock"; do sleep 0.1; done
pid=$(tmux list-panes -t "$session" -F '#{pane_pid}')
tmux send-keys -t "$session" Enter
start=$(date +%s%N)
mb() { awk -v k="$1" 'BEGIN { printf "%.0f MB", k * 1024 / 1e6 }'; }
for _ in $(seq "$samples"); do
  t=$((($(date +%s%N) - start) / 1000000))
  rss=$(awk '/VmRSS/ {print $2}' "/proc/$pid/status")
  hwm=$(awk '/VmHWM/ {print $2}' "/proc/$pid/status")
  screen=$(tmux capture-pane -p -t "$session")
  state=""
  if grep -q "Who is recording?" <<<"$screen"; then
    tmux send-keys -t "$session" Enter
  elif grep -q "Checking history" <<<"$screen"; then
    state="checking history"
  fi
  echo "$t ms: resident $(mb "$rss"), peak $(mb "$hwm") $state"
  sleep 0.25
done
