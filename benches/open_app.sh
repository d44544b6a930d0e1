#!/usr/bin/env bash
# Time from Enter on the unlock screen to the first usable screen of the app ("Who is
# recording?", drawn over the list, keys live), and to the end of the history check, in
# tmux at 100x30, for a key-mode logbook:
#   bash benches/open_app.sh BINARY LOGBOOK KEY [RUNS]
# Needs tmux. Prints one line per run; the screen is polled every 10 ms.
set -euo pipefail
bin=$1 book=$2 key=$3 runs=${4:-3}
ms() { date +%s%3N; }
for run in $(seq "$runs"); do
  s="open$$-$run"
  tmux new-session -d -s "$s" -x 100 -y 30 "exec $bin --logbook $book --identity $key"
  until tmux capture-pane -p -t "$s" | grep -q "Enter unlock"; do sleep 0.05; done
  start=$(ms)
  tmux send-keys -t "$s" Enter
  until tmux capture-pane -p -t "$s" | grep -q "Who is recording?"; do sleep 0.01; done
  shown=$(ms)
  tmux send-keys -t "$s" Enter
  while tmux capture-pane -p -t "$s" | grep -q "Checking history"; do sleep 0.01; done
  checked=$(ms)
  echo "run $run: usable after $((shown - start)) ms, history checked after $((checked - start)) ms"
  tmux kill-session -t "$s" 2>/dev/null || true
  sleep 1
done
