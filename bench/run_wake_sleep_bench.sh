#!/usr/bin/env bash
# Builds and runs the wake-sleep training benchmark (bench/wake_sleep_bench.cpp) and its
# PyTorch yardstick (bench/wake_sleep_pytorch.py) on the same networks and data, and prints
# their tables; docs/performance.md explains them.
#
#   bench/run_wake_sleep_bench.sh [--quick]
#
# Environment: BUILD_DIR (default: build-bench in the source tree), PYTHON (default
# /usr/bin/python3, the interpreter that sees Debian's python3-torch and python3-numpy).
# Exit status: non-zero if either program fails, or if the engine, the direct C++
# implementation and PyTorch do not compute the same updates.
set -euo pipefail

source_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build_dir=${BUILD_DIR:-$source_dir/build-bench}
python=${PYTHON:-/usr/bin/python3}
quick=()
if [[ ${1:-} == --quick ]]; then quick=(--quick); fi

if ! grep -q 'wake_sleep_bench.cmake' "$source_dir/bench/CMakeLists.txt"; then
  echo "bench/CMakeLists.txt does not include wake_sleep_bench.cmake; add the line" >&2
  echo '  include(${CMAKE_CURRENT_SOURCE_DIR}/wake_sleep_bench.cmake)' >&2
  exit 2
fi
cmake -S "$source_dir" -B "$build_dir" -DCMAKE_BUILD_TYPE=Release -DHELMHOLTZ_BENCH=ON > /dev/null
cmake --build "$build_dir" -j2 --target wake_sleep_bench > /dev/null

cases=$(mktemp -d)
trap 'rm -rf "$cases"' EXIT

echo "== machine"
lscpu | grep -E '^(Model name|CPU\(s\)|Thread\(s\) per core|Core\(s\) per socket|Socket\(s\)|L2 cache|L3 cache):'
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg) (the benchmark is sensitive to other work on the machine)"
echo

status=0
echo "== $build_dir/bin/wake_sleep_bench ${quick[*]} --export $cases"
"$build_dir/bin/wake_sleep_bench" "${quick[@]}" --export "$cases" || status=$?
echo
echo "== $python bench/wake_sleep_pytorch.py $cases ${quick[*]}"
"$python" "$source_dir/bench/wake_sleep_pytorch.py" "$cases" "${quick[@]}" || status=$?
echo
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
exit $status
