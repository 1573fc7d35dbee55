#!/usr/bin/env bash
# Training time against data size and threads: `helmholtz train models/fashion784.yaml`
# (784-200-50, wake-sleep, batch 100, float32 and float64) on the first N Fashion-MNIST
# training images binarised at 0.5, N = 2000, 6000, 20000, 60000, with OpenBLAS on 1 and 2
# threads. An epoch's time should grow linearly with N: the table gives the median epoch's
# seconds and its microseconds per pattern, which should stay flat down the column.
#
#   bench/run_training_scaling.sh [--quick]
#
# --quick: N = 1000 and 3000 only. Environment: BUILD_DIR (default build-bench), PYTHON
# (default /usr/bin/python3). Needs Debian's dataset-fashion-mnist.
# Exit status: non-zero if a run fails.
set -euo pipefail

source_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build_dir=${BUILD_DIR:-$source_dir/build-bench}
python=${PYTHON:-/usr/bin/python3}
sizes=(2000 6000 20000 60000)
if [[ ${1:-} == --quick ]]; then sizes=(1000 3000); fi

cmake -S "$source_dir" -B "$build_dir" -DCMAKE_BUILD_TYPE=Release > /dev/null
cmake --build "$build_dir" -j2 --target helmholtz > /dev/null
helmholtz=$build_dir/bin/helmholtz
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

largest=${sizes[-1]}
"$python" "$source_dir/scripts/fashion_mnist.py" --set train -n "$largest" -o "$work/all.data"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "helmholtz train models/fashion784.yaml --data FIRST_N --batch-size 100 --learning-rate 0.01 --seed 1"
echo "  --epochs E --precision P --log CSV, OPENBLAS_NUM_THREADS=T; E = max(2, min(10, 60000 / N))"
printf '%-9s %7s %3s %6s | %12s %14s\n' precision N thr epochs 'epoch s' 'us / pattern'
status=0
for precision in float32 float64; do
  for threads in 1 2; do
    for n in "${sizes[@]}"; do
      head -n "$((n + 1))" "$work/all.data" > "$work/data"  # the comment line and N patterns
      epochs=$((60000 / n))
      ((epochs < 2)) && epochs=2
      ((epochs > 10)) && epochs=10
      if ! OPENBLAS_NUM_THREADS=$threads "$helmholtz" train "$source_dir/models/fashion784.yaml" --data "$work/data" \
        --batch-size 100 --learning-rate 0.01 --seed 1 --epochs "$epochs" --precision "$precision" --quiet \
        --log "$work/log.csv" -o "$work/out.yaml"; then
        echo "bench/run_training_scaling.sh: training failed ($precision, N = $n, $threads threads)" >&2
        status=1
        continue
      fi
      # The median of the epochs' seconds (CSV column 2).
      median=$(awk -F, 'NR > 1 { print $2 }' "$work/log.csv" | sort -g | awk '{ v[NR] = $1 } END {
        print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }')
      printf '%-9s %7d %3d %6d | %12.3f %14.2f\n' "$precision" "$n" "$threads" "$epochs" "$median" \
        "$(awk -v s="$median" -v n="$n" 'BEGIN { print 1e6 * s / n }')"
    done
  done
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
exit $status
