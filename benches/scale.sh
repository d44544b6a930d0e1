#!/usr/bin/env bash
# End-to-end timings at scale, against the reference age CLI on the same files:
#   bash benches/scale.sh [N ...]        (default: 1000 10000)
# Needs hyperfine and age (apt-get install hyperfine age). Prints ratios from one run,
# since these small machines are noisy.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
bin=$PWD/target/release/logbook
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
pub=$("$bin" keygen --out "$work/key")
for n in "${@:-1000 10000}"; do
  for size in $n; do
    file="$work/lb-$size.age"
    /usr/bin/time -f "generate $size: %es, max RSS %MkB" "$bin" demo --generate "$size" --out "$file" --recipient "$pub" >/dev/null
    plain=$(age -d -i "$work/key" "$file" | wc -c)
    echo "incidents: $size  file: $(stat -c %s "$file") bytes  plaintext RON: $plain bytes"
    hyperfine --warmup 1 --runs 5 --style basic \
      "age -d -i $work/key $file" \
      "$bin --logbook $file --identity $work/key verify" \
      "$bin --logbook $file --identity $work/key list" \
      --output=null --export-markdown "$work/$size.md" >/dev/null
    cat "$work/$size.md"
  done
done
