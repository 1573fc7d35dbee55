#!/usr/bin/env bash
# Builds and runs the exact-inference benchmark (bench/exact_bench.cpp) and its PyTorch
# yardstick (bench/exact_pytorch.py) on the same networks, and prints their tables.
#
#   bench/run_exact_bench.sh [--quick]
#
# Environment: BUILD_DIR (default: build-bench in the source tree), PYTHON (default
# /usr/bin/python3, the interpreter that sees Debian's python3-torch and python3-numpy).
# Exit status: non-zero if either program fails or finds log p(d) disagreeing.
set -euo pipefail

source_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build_dir=${BUILD_DIR:-$source_dir/build-bench}
python=${PYTHON:-/usr/bin/python3}
quick=()
if [[ ${1:-} == --quick ]]; then quick=(--quick); fi

cmake -S "$source_dir" -B "$build_dir" -DCMAKE_BUILD_TYPE=Release -DHELMHOLTZ_BENCH=ON > /dev/null
cmake --build "$build_dir" -j2 --target exact_bench > /dev/null

cases=$(mktemp -d)
trap 'rm -rf "$cases"' EXIT

echo "== machine"
lscpu | grep -E '^(Model name|CPU\(s\)|Thread\(s\) per core|Core\(s\) per socket|Socket\(s\)|L2 cache|L3 cache):'
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg) (the benchmark is sensitive to other work on the machine)"
echo

status=0
echo "== $build_dir/bin/exact_bench ${quick[*]} --export $cases"
"$build_dir/bin/exact_bench" "${quick[@]}" --export "$cases" || status=$?
echo
echo "== $python bench/exact_pytorch.py $cases ${quick[*]}"
"$python" "$source_dir/bench/exact_pytorch.py" "$cases" "${quick[@]}" || status=$?
echo
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
exit $status
