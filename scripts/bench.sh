#!/usr/bin/env bash
# Times `bulletin build` against Hugo on the same synthetic corpus, in the same run,
# and prints the ratio: these machines are noisy, only same-run ratios compare.
#
#   scripts/bench.sh [ISSUES]      (default 500; needs hugo and hyperfine from Debian)
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-500}
GEN=${GEN:-../shared/bench/gen_corpus.py}
WORK=${WORK:-/tmp/bulletin-bench}
OUT=/dev/shm/bulletin-bench   # tmpfs: the steady figure, as in shared/bench/README.md

for tool in hugo hyperfine; do
  command -v $tool >/dev/null || { echo "bench: $tool is missing (apt-get install hugo hyperfine)" >&2; exit 1; }
done
[ -d "$WORK/bulletin-$N" ] || python3 "$GEN" --issues "$N" --layout bulletin --out "$WORK/bulletin-$N" >/dev/null
[ -d "$WORK/hugo-$N" ] || python3 "$GEN" --issues "$N" --layout hugo --out "$WORK/hugo-$N" >/dev/null
swift build -c release --product bulletin >/dev/null
BIN=$(swift build -c release --show-bin-path)/bulletin

mkdir -p "$OUT"
hyperfine -N -w 1 -r "${RUNS:-5}" --export-json "$WORK/bench-$N.json" \
  --prepare "rm -rf $OUT/hugo $OUT/bulletin" \
  -n hugo "hugo --quiet -s $WORK/hugo-$N -d $OUT/hugo" \
  -n bulletin "$BIN build --quiet --source $WORK/bulletin-$N --output $OUT/bulletin"

# Same input, same bytes: builds run on every core, and a race shows up as a difference.
"$BIN" build --quiet --source "$WORK/bulletin-$N" --output "$OUT/again" 2>/dev/null
diff -rq "$OUT/bulletin" "$OUT/again" >/dev/null || { echo "bench: two builds of the same corpus differ" >&2; exit 1; }

python3 - "$WORK/bench-$N.json" "$N" <<'PY'
import json, sys
results = {r["command"]: r for r in json.load(open(sys.argv[1]))["results"]}
hugo, ours = results["hugo"]["median"], results["bulletin"]["median"]
print(f"{sys.argv[2]} issues, medians: hugo {hugo:.2f} s, bulletin {ours:.2f} s, ratio bulletin/hugo = {ours / hugo:.2f}")
PY
