#!/bin/sh
# Fuzzes `bulletin build` for SECONDS (default 120) with mutated copies of the example
# site and the test fixtures; see scripts/fuzz.py for the mutations and the outcomes.
# Findings (crashes, hangs, damaged output, unlocated errors) go to fuzz-findings/.
set -e
cd "$(dirname "$0")/.."
[ -x .build/release/bulletin ] || swift build -c release --product bulletin --static-swift-stdlib
seconds="${1:-120}"
[ $# -gt 0 ] && shift
exec python3 scripts/fuzz.py --seconds "$seconds" "$@"
