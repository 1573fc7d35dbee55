#!/usr/bin/env bash
# Data-parallel training against one process (docs/distributed.md, "Data-parallel
# training"): the median epoch seconds of
#   helmholtz train models/fashion784.yaml --data FIRST_N --batch-size B --learning-rate 0.01
#     --seed 1 --epochs 3 --precision P --quiet --log CSV -o OUT
# on the first N Fashion-MNIST training images binarised at 0.5, for P = float64, float32 and
# B = 100, 1000, run
#   - in one process on 1 BLAS thread (OPENBLAS_NUM_THREADS=1), the baseline;
#   - in one process on 2 BLAS threads;
#   - on R ranks of 1 BLAS thread each: OPENBLAS_NUM_THREADS=1 mpirun --oversubscribe -np R;
#   - and, to see what the machine gives two busy processes, two one-process runs on 1 BLAS
#     thread started together (each one's epoch seconds: on 2 free cores, the baseline's).
# Each figure is the median over REPEATS runs' epochs. The largest difference of a parameter
# between the baseline's model and the ranks' is printed beside them.
#
#   bench/run_training_ranks.sh [--quick]
#
# --quick: N = 2000, one repeat. Environment: BUILD_DIR (default build-bench), PYTHON
# (default /usr/bin/python3), RANKS (default 2), PATTERNS (default 12000), REPEATS (default 3).
# Needs Open MPI (mpirun, and a build with MPI) and Debian's dataset-fashion-mnist. Run it on
# an otherwise idle machine. Exit status: non-zero if a run fails.
set -euo pipefail

source_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build_dir=${BUILD_DIR:-$source_dir/build-bench}
python=${PYTHON:-/usr/bin/python3}
ranks=${RANKS:-2}
patterns=${PATTERNS:-12000}
repeats=${REPEATS:-3}
if [[ ${1:-} == --quick ]]; then patterns=2000 repeats=1; fi

cmake -S "$source_dir" -B "$build_dir" -DCMAKE_BUILD_TYPE=Release > /dev/null
cmake --build "$build_dir" -j2 --target helmholtz > /dev/null
helmholtz=$build_dir/bin/helmholtz
command -v mpirun > /dev/null || { echo "bench/run_training_ranks.sh: mpirun is not installed (Debian: openmpi-bin)" >&2; exit 1; }
if "$helmholtz" --version | grep -q "^MPI: none"; then
  echo "bench/run_training_ranks.sh: $helmholtz was built without MPI (Debian: libopenmpi-dev)" >&2
  exit 1
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1  # CI runs as root

"$python" "$source_dir/scripts/fashion_mnist.py" --set train -n "$patterns" -o "$work/data"
epochs() { awk -F, 'NR > 1 { print $2 }' "$1"; }
median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
# The largest difference between the numbers of two model files of the same layout.
largest_difference() {
  awk 'function numeric(x) { return x ~ /^[-+]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)?$/ }
       NR == FNR { a[FNR] = $0; next }
       { n = split(a[FNR], x, /[][ ,:{}]+/); split($0, y, /[][ ,:{}]+/)
         for (i = 1; i <= n; ++i) if (numeric(x[i]) && numeric(y[i])) { d = x[i] - y[i]; if (d < 0) d = -d; if (d > m) m = d } }
       END { printf "%.2g", m }' "$1" "$2"
}

echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg); $(nproc) processors; $("$helmholtz" --version | tail -n 1)"
echo "helmholtz train models/fashion784.yaml on $patterns patterns, 3 epochs; median epoch seconds of $repeats runs"
printf '%-8s %5s | %9s %9s %9s %9s | %s\n' precision B '1 thread' '2 threads' "$ranks ranks" '2 at once' 'ranks - 1 process'
status=0
for precision in float64 float32; do
  for batch in 100 1000; do
    train=("$helmholtz" train "$source_dir/models/fashion784.yaml" --data "$work/data" --batch-size "$batch"
           --learning-rate 0.01 --seed 1 --epochs 3 --precision "$precision" --quiet)
    : > "$work/one"; : > "$work/two"; : > "$work/ranks"; : > "$work/together"
    for _ in $(seq "$repeats"); do
      OPENBLAS_NUM_THREADS=1 "${train[@]}" --log "$work/a.csv" -o "$work/a.yaml" && epochs "$work/a.csv" >> "$work/one" || status=1
      OPENBLAS_NUM_THREADS=2 "${train[@]}" --log "$work/b.csv" -o "$work/b.yaml" && epochs "$work/b.csv" >> "$work/two" || status=1
      OPENBLAS_NUM_THREADS=1 mpirun --oversubscribe -np "$ranks" "${train[@]}" --log "$work/c.csv" -o "$work/c.yaml" &&
        epochs "$work/c.csv" >> "$work/ranks" || status=1
      OPENBLAS_NUM_THREADS=1 "${train[@]}" --log "$work/d.csv" -o "$work/d.yaml" &
      OPENBLAS_NUM_THREADS=1 "${train[@]}" --log "$work/e.csv" -o "$work/e.yaml" || status=1
      wait $! || status=1
      epochs "$work/d.csv" >> "$work/together"
      epochs "$work/e.csv" >> "$work/together"
    done
    printf '%-8s %5d | %9.3f %9.3f %9.3f %9.3f | %s\n' "$precision" "$batch" "$(median < "$work/one")" \
      "$(median < "$work/two")" "$(median < "$work/ranks")" "$(median < "$work/together")" \
      "$(largest_difference "$work/a.yaml" "$work/c.yaml")"
  done
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
exit $status
