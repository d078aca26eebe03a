#!/usr/bin/env bash
# Peak memory (maximum resident set) and wall time of the release binary on the benchmark
# data, beside `openssl dgst -sha256` on the same files. Run `cargo bench --bench request`
# once first: it generates the data under target/bench-data/.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
policy=$(mktemp)
cat > "$policy" <<'TOML'
name = "bench"
[walk]
max_entries = 100000
[budgets]
file_bytes = "128 MiB"
request_bytes = "4 GiB"
request_files = 100000
TOML
for case in 1GiB-in-16-files 20000-files-of-1KiB; do
    dir=target/bench-data/$case
    [ -d "$dir" ] || { echo "missing $dir: run cargo bench --bench request first" >&2; exit 1; }
    echo "== $case"
    /usr/bin/time -f "egress-check: %e s wall, %M KiB peak RSS" \
        target/release/egress-check check "$dir" --policy "$policy" --format json \
        --output /dev/null || true
    /usr/bin/time -f "openssl dgst: %e s wall, %M KiB peak RSS" \
        sh -c "find '$dir' -type f -print0 | xargs -0 openssl dgst -sha256 > /dev/null"
done
rm -f "$policy"
