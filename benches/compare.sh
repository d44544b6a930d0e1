#!/usr/bin/env bash
# Against the tools a DSL might use instead, at the same bytes of text:
#   bash benches/compare.sh [N ...]          (default: 4000 incidents, about 50 MB of RON)
#   DATA=/work/bench-data bash benches/compare.sh 1000   (reuses DATA/lb-N.age and DATA/key)
# Needs hyperfine, age, keepassxc-cli (apt-get install keepassxc) and jrnl (pip install jrnl);
# none of them is needed to build or test this program.
#
# For a generated key-mode logbook of N incidents, the same plaintext (the logbook's RON,
# cut into N pieces at line ends) is put into:
#   a KeePassXC database     one entry per incident, the piece as its notes (imported from
#                            KeePass XML; password, the cheapest KDF keepassxc-cli allows:
#                            --decryption-time 100 ms)
#   a jrnl journal           one entry per incident, the piece as its body, encrypted by
#                            jrnl (its own AES with a PBKDF2 password key)
# and each is opened and listed:
#   age -d                   the floor: decrypting the logbook, nothing else
#   logbook list             decrypt, parse the records, list them
#   keepassxc-cli ls -R      decrypt (after the KDF), parse, list the entries
#   jrnl --short             decrypt (after the KDF), parse, list the entries
# Prints one hyperfine run per size (ratios within one run; the machine is noisy).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
bin=${CARGO_TARGET_DIR:-$PWD/target}/release/logbook
for tool in hyperfine age keepassxc-cli jrnl python3; do
  command -v "$tool" >/dev/null || { echo "compare.sh needs $tool" >&2; exit 1; }
done
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
data=${DATA:-$work}
if [ -f "$data/key" ]; then
  cp "$data/key" "$work/key"
  pub=$(age-keygen -y "$work/key")
else
  pub=$("$bin" keygen --unprotected --out "$work/key")
fi
pass="correct horse battery staple for comparison"
for size in ${@:-4000}; do
  file="$data/lb-$size.age"
  if [ ! -f "$file" ]; then
    file="$work/lb-$size.age"
    "$bin" demo --generate "$size" --out "$file" --recipient "$pub" >/dev/null
  fi
  age -d -i "$work/key" "$file" >"$work/plain.ron"
  # The same text for the other tools: KeePass XML to import, and a plain jrnl journal.
  python3 - "$work/plain.ron" "$size" "$work/kp.xml" "$work/journal.txt" <<'EOF'
import sys, datetime
from xml.sax.saxutils import escape
plain, n, xml_out, jrnl_out = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
text = open(plain, encoding="utf-8").read()
lines = text.splitlines(keepends=True)
per = max(1, len(text) // n)
pieces, cur, size = [], [], 0
for line in lines:
    cur.append(line)
    size += len(line)
    if size >= per and len(pieces) < n - 1:
        pieces.append("".join(cur))
        cur, size = [], 0
pieces.append("".join(cur))
with open(xml_out, "w", encoding="utf-8") as x:
    x.write('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<KeePassFile><Meta><Generator>compare.sh</Generator></Meta><Root><Group><Name>Logbook</Name>\n')
    for i, p in enumerate(pieces):
        x.write("<Entry><UUID>%s</UUID><String><Key>Title</Key><Value>Incident %d</Value></String><String><Key>Notes</Key><Value>%s</Value></String></Entry>\n"
                % (__import__("base64").b64encode(i.to_bytes(16, "big")).decode(), i + 1, escape(p)))
    x.write("</Group></Root></KeePassFile>\n")
start = datetime.datetime(2025, 1, 1, 9, 0)
with open(jrnl_out, "w", encoding="utf-8") as j:
    for i, p in enumerate(pieces):
        t = start + datetime.timedelta(hours=i)
        # A body line that looks like an entry's date line would split the entry.
        body = p.replace("\n[", "\n [")
        j.write("[%s] Incident %d.\n%s\n\n" % (t.strftime("%Y-%m-%d %H:%M"), i + 1, body))
print("%d pieces, %d bytes of text" % (len(pieces), len(text.encode("utf-8"))))
EOF
  printf '%s\n%s\n' "$pass" "$pass" |
    keepassxc-cli import -q -p --decryption-time 100 "$work/kp.xml" "$work/kp.kdbx" >/dev/null 2>&1
  # jrnl: a plain journal, then encrypted by jrnl itself (the password twice, then "no
  # keyring").
  mkdir -p "$work/jrnl"
  cat >"$work/jrnl/config.yaml" <<EOF
colors: {body: none, date: none, tags: none, title: none}
default_hour: 9
default_minute: 0
editor: ''
encrypt: false
highlight: false
indent_character: '|'
journals:
  default:
    journal: $work/journal.txt
linewrap: 79
tagsymbols: '#@'
template: false
timeformat: '%Y-%m-%d %H:%M'
version: v4.6
EOF
  printf '%s\n%s\nn\n' "$pass" "$pass" |
    jrnl --config-file "$work/jrnl/config.yaml" --encrypt >/dev/null 2>&1
  entries=$(printf '%s\n' "$pass" | jrnl --config-file "$work/jrnl/config.yaml" --short 2>/dev/null | wc -l)
  echo "incidents: $size  plaintext: $(stat -c %s "$work/plain.ron") bytes  logbook file: $(stat -c %s "$file")  kdbx: $(stat -c %s "$work/kp.kdbx")  jrnl: $(stat -c %s "$work/journal.txt") bytes, $entries entries listed"
  printf '%s\n' "$pass" >"$work/pass"
  hyperfine --warmup 1 --runs "${RUNS:-5}" --style basic --output=null \
    --export-markdown "$work/$size.md" \
    -n "age -d" "age -d -i $work/key $file" \
    -n "logbook list" "$bin --logbook $file --identity $work/key list" \
    -n "keepassxc-cli ls" "keepassxc-cli ls -q -R $work/kp.kdbx <$work/pass" \
    -n "jrnl --short" "jrnl --config-file $work/jrnl/config.yaml --short <$work/pass" >/dev/null
  cat "$work/$size.md"
  for cmd in "$bin --logbook $file --identity $work/key list" \
    "keepassxc-cli ls -q -R $work/kp.kdbx" \
    "jrnl --config-file $work/jrnl/config.yaml --short"; do
    /usr/bin/time -f "${cmd%% *}: peak memory %MkB" sh -c "$cmd <$work/pass >/dev/null 2>&1"
  done
done
