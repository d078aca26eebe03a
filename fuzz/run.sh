#!/usr/bin/env bash
# Runs the coverage-guided fuzz target for a bounded time. Needs a nightly toolchain and
# cargo-fuzz; says so plainly and exits 0 when they cannot be had, since the property tests in
# tests/robustness.rs cover the same entry point on stable.
#
#   fuzz/run.sh [SECONDS]       (default 60)
set -euo pipefail
cd "$(dirname "$0")"
seconds=${1:-60}

if ! cargo +nightly --version >/dev/null 2>&1; then
    echo "fuzz: no nightly toolchain on this machine; skipping (tests/robustness.rs still ran)"
    exit 0
fi
if ! cargo +nightly fuzz --version >/dev/null 2>&1; then
    if ! cargo install cargo-fuzz --locked --quiet; then
        echo "fuzz: cargo-fuzz could not be installed; skipping"
        exit 0
    fi
fi

# Seed the corpus with every committed fixture.
mkdir -p corpus/check_bytes
find ../testdata -type f -size -256k -exec cp {} corpus/check_bytes/ \;
cargo +nightly fuzz run check_bytes corpus/check_bytes -- \
    -max_total_time="$seconds" -max_len=262144 -rss_limit_mb=2048 -timeout=10
