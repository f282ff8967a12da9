#!/usr/bin/env bash
# Bulletin beside Hugo on the same synthetic corpus, in the same run, tools alternating
# from one round to the next (these machines are noisy: only same-run ratios compare).
#
#   scripts/bench.sh [ISSUES ...]        default 500; e.g. scripts/bench.sh 500 2000
#
# For each size: cold full builds (wall, CPU user+sys, peak RSS), warm builds when the
# binary has `build --cache`, two cold builds byte-identical, and the preview servers
# (start to first page, save to page updated, Bulletin's reload event, idle CPU).
# Prints a table, writes $WORK/bench-results.json. See docs/benchmark.md.
#
# Environment:
#   BIN=/path/to/bulletin   skip `swift build -c release …` and time this binary
#   RUNS=5 WARMUP=1         measured and unmeasured rounds of cold (and warm) builds;
#                           RUNS is also the number of server starts
#   SAVES=7 IDLE=10         saves timed per server; seconds of idle CPU measured
#   WORK=/tmp/bulletin-bench    corpora (generated once, then reused) and JSON results
#   SCRATCH=/dev/shm            tmpfs for sources, outputs and caches while measuring
set -euo pipefail
cd "$(dirname "$0")/.."

die() { echo "bench: $*" >&2; exit 1; }

SIZES=("$@")
[ ${#SIZES[@]} -gt 0 ] || SIZES=(500)
for n in "${SIZES[@]}"; do
  [[ $n =~ ^[1-9][0-9]*$ ]] || die "not a number of issues: $n (usage: scripts/bench.sh [ISSUES ...])"
done
RUNS=${RUNS:-5}
WARMUP=${WARMUP:-1}
SAVES=${SAVES:-7}
IDLE=${IDLE:-10}
WORK=${WORK:-/tmp/bulletin-bench}
SCRATCH=${SCRATCH:-/dev/shm}
SEED=newsletter-bench-1   # gen_corpus.py's default: the corpus of docs/benchmark.md

for tool in hugo python3 diff flock; do
  command -v $tool >/dev/null || die "$tool is missing (Debian: apt-get install hugo python3 diffutils util-linux)"
done
[ "$(stat -f -c %T "$SCRATCH")" = tmpfs ] ||
  echo "bench: warning: $SCRATCH is not a tmpfs; disk writes will dominate and vary" >&2

mkdir -p "$WORK"
exec 9>"$WORK/.bench.lock"
flock -n 9 || die "another benchmark is running on $WORK; two at once would time each other"

if [ -z "${BIN:-}" ]; then
  # As `make build` makes it (see the Makefile).
  swift build -c release --product bulletin --static-swift-stdlib >&2
  BIN=$(swift build -c release --static-swift-stdlib --show-bin-path)/bulletin
fi
[ -x "$BIN" ] || die "no bulletin binary at $BIN"
BIN=$(realpath "$BIN")

RUN_DIR=$(mktemp -d "$SCRATCH/bulletin-bench.XXXXXX")
trap 'rm -rf "$RUN_DIR"' EXIT

corpus() {  # corpus LAYOUT N: the generated tree, reused when it is the right one
  local dir="$WORK/$1-$2"
  if ! grep -qx "issues=$2 layout=$1 seed=$SEED" "$dir/.gen_corpus" 2>/dev/null ||
     grep -q disableKinds "$dir/config.toml" 2>/dev/null; then
    echo "bench: generating $dir" >&2
    python3 scripts/gen_corpus.py --issues "$2" --layout "$1" --out "$dir" --force >&2
  fi
  echo "$dir"
}

LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
REPORTS=()
for N in "${SIZES[@]}"; do
  # Measured on tmpfs copies: the articles edited while measuring are edited there,
  # never in the corpus kept in $WORK.
  CORPUS_B=$(corpus bulletin "$N")
  CORPUS_H=$(corpus hugo "$N")
  SRC_B="$RUN_DIR/src-bulletin-$N" SRC_H="$RUN_DIR/src-hugo-$N"
  cp -a "$CORPUS_B" "$SRC_B"
  cp -a "$CORPUS_H" "$SRC_H"

  echo "== $N issues: builds ($WARMUP warm-up + $RUNS rounds)" >&2
  python3 scripts/bench/builds.py --bin "$BIN" --bulletin-source "$SRC_B" --hugo-source "$SRC_H" \
    --scratch "$RUN_DIR" --runs "$RUNS" --warmup "$WARMUP" --json "$WORK/bench-$N-builds.json"
  echo "== $N issues: servers ($RUNS starts, $SAVES saves each)" >&2
  python3 scripts/bench/serve.py --bin "$BIN" --bulletin-source "$SRC_B" --hugo-source "$SRC_H" \
    --scratch "$RUN_DIR" --starts "$RUNS" --saves "$SAVES" --idle "$IDLE" --json "$WORK/bench-$N-serve.json"
  rm -rf "$SRC_B" "$SRC_H"
  REPORTS+=("$N:$WORK/bench-$N-builds.json:$WORK/bench-$N-serve.json")
done

python3 scripts/bench/report.py --json "$WORK/bench-results.json" \
  --meta "bin=$BIN" --meta "hugo=$(hugo version)" --meta "cpus=$(nproc)" \
  --meta "scratch=$SCRATCH" --meta "load_start=$LOAD_START" --meta "load_end=$(cut -d' ' -f1-3 /proc/loadavg)" \
  "${REPORTS[@]}"
