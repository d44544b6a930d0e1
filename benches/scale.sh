#!/usr/bin/env bash
# End-to-end timings at scale, against the reference age CLI on the same files:
#   bash benches/scale.sh [N ...]        (default: 1000 10000)
#   BEFORE=/path/to/older/logbook bash benches/scale.sh 10000   (also times an older build)
#   DATA=/work/bench-data bash benches/scale.sh 1000 10000 50000
#       (reuses DATA/lb-N.age and DATA/key, generating any missing there: 50,000 takes
#        about an hour on a loaded 2-core machine; RUNS=2 for fewer runs per command)
# Needs hyperfine and age (apt-get install hyperfine age). Prints ratios from one hyperfine
# run per size, since these small machines are noisy, and each command's peak memory.
#
# What is timed, on a generated key-mode logbook of N incidents:
#   age -d                    the floor: decrypting the file, nothing else
#   list                      decrypt, parse the records (the trail is scanned, not parsed)
#   verify                    decrypt, parse everything, check the whole audit chain
#   import (one incident)     open for writing, check the trail, add, save (encode,
#                             encrypt, fsync, rename)
#   age -d | age -e           the floor of a save: decrypt and re-encrypt the whole file
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
cargo build --release --quiet --bench save
save_bench=$(ls -t target/release/deps/save-* | grep -v '\.d$' | head -1)
bin=$PWD/target/release/logbook
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
data=${DATA:-$work}
if [ -f "$data/key" ]; then
  cp "$data/key" "$work/key"
  pub=$(age-keygen -y "$work/key")
else
  pub=$("$bin" keygen --unprotected --out "$work/key")
  [ "$data" = "$work" ] || cp "$work/key" "$data/key"
fi
# One incident (and its person) to import, numbered clear of the generated ones.
"$bin" demo --generate 1 --out "$work/one.age" --recipient "$pub" >/dev/null
age -d -i "$work/key" "$work/one.age" |
  sed -e 's/P-0/P-9/g' -e 's/INC-202[56]-/INC-2019-/g' >"$work/one.ron"
for size in ${@:-1000 10000}; do
  file="$data/lb-$size.age"
  [ -f "$file" ] ||
    /usr/bin/time -f "generate $size: %es, max RSS %MkB" "$bin" demo --generate "$size" --out "$file" --recipient "$pub" >/dev/null
  plain=$(age -d -i "$work/key" "$file" | wc -c)
  echo "incidents: $size  file: $(stat -c %s "$file") bytes  plaintext RON: $plain bytes"
  args=(
    -n "age -d" "age -d -i $work/key $file"
    -n "list" "$bin --logbook $file --identity $work/key list"
    -n "verify" "$bin --logbook $file --identity $work/key verify"
    -n "import one incident" "$bin --logbook $work/w.age --identity $work/key import $work/one.ron --by RO"
    -n "age -d | age -e (save floor)" "age -d -i $work/key $file | age -e -r $pub >$work/f.age && sync $work/f.age"
  )
  if [ -n "${BEFORE:-}" ]; then
    args+=(
      -n "list (before)" "$BEFORE --logbook $file --identity $work/key list"
      -n "verify (before)" "$BEFORE --logbook $file --identity $work/key verify"
      -n "import one incident (before)" "$BEFORE --logbook $work/w.age --identity $work/key import $work/one.ron --by RO"
    )
  fi
  # Every command gets a fresh copy to import into (not timed).
  hyperfine --warmup 1 --runs "${RUNS:-5}" --style basic --output=null \
    --prepare "cp $file $work/w.age" --export-markdown "$work/$size.md" "${args[@]}" >/dev/null
  cat "$work/$size.md"
  for cmd in list verify; do
    /usr/bin/time -f "$cmd peak memory: %MkB, %Us user, %Ss sys" "$bin" --logbook "$file" --identity "$work/key" $cmd >/dev/null
  done
  cp "$file" "$work/w.age"
  /usr/bin/time -f "import peak memory: %MkB, %Us user, %Ss sys" "$bin" --logbook "$work/w.age" --identity "$work/key" import "$work/one.ron" --by RO >/dev/null
  # One save on its own (the app's case: no open, no trail check) against re-encrypting.
  BENCH_LOGBOOK=$file BENCH_KEY=$work/key "$save_bench"
  rm -f "$work/w.age" "$work/f.age"
  [ "$data" != "$work" ] || rm -f "$file"
done
