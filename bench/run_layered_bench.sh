#!/usr/bin/env bash
# The layered benchmark: `helmholtz exact` (the command line, wall clock, process start
# included) on layered sigmoid networks, against the PyTorch yardstick bench/exact_layered.py
# on the same model files and data.
#
#   bench/run_layered_bench.sh [--quick]
#
# (a) models/layered64.yaml (4-16-64 sigmoid, explicit random parameters from
#     scripts/random_model.py) on 144 patterns sampled from it
#     (helmholtz sample models/layered64.yaml -n 144 --seed 1): helmholtz exact, best of 3, on
#     its default threads (one per core) and on --threads 1; bench/exact_layered.py on 1 and
#     2 threads (complete runs); the ratios and the largest relative difference of log p(d).
# (b) models/shifter.yaml (1-24-32, H = 25, parameters drawn from its seed) on 1000 patterns
#     (helmholtz data shifter -n 1000 --seed 7): helmholtz exact, one run, against the
#     target of 30 s; PyTorch with --budget 60 per thread setting (extrapolated). PyTorch
#     cannot redraw the seeded parameters, so they are written out first: every generative
#     entry marked `fixed`, one epoch of `helmholtz train`, which writes every parameter; the
#     engine's log p(d) on the written file is checked to be identical to the original's.
# (c) scaling: helmholtz exact (default threads) on single-layer networks of H hidden roots
#     above 64 observed units (scripts/random_model.py H 64 --seed H), 64 patterns sampled
#     from each (--seed 1), H = 12, 14, ..., 24 and then 26, 28, 30, skipping the rest once
#     a run exceeds 120 s. Columns: the wall time (best of 3 below 10 s) and that time per
#     configuration (/ 2^H) relative to the first row; the time less the start-up of the
#     same command on an H = 1 network with as many patterns, and that net time per
#     configuration relative to the first row whose net time is at least 0.05 s. Both are
#     flat if the time grows as 2^H; the first falls while start-up dominates (small H).
#
# --quick: (a) on 36 patterns, (b) on 100 patterns with a PyTorch budget of 3 s, (c) up to
#          H = 20 with 16 patterns.
# Environment: BUILD_DIR (default build-bench in the source tree), PYTHON (default
# /usr/bin/python3, which sees Debian's python3-torch and python3-numpy), LAYERED_BUDGET
# (PyTorch's budget in (b), seconds per thread setting), LAYERED_CAP (the cap of (c), 120).
# Exit status: non-zero if a command fails or PyTorch and helmholtz disagree on log p(d) by
# more than 1e-9 relative (differences above 1e-12 are flagged in the output).
set -euo pipefail
export LC_ALL=C

source_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build_dir=${BUILD_DIR:-$source_dir/build-bench}
python=${PYTHON:-/usr/bin/python3}
quick=0
case ${1:-} in
  --quick) quick=1 ;;
  "") ;;
  -h | --help) sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | grep '^#' | sed 's/^# \{0,1\}//'; exit 0 ;;
  *) echo "run_layered_bench.sh: unknown option '$1' (usage: bench/run_layered_bench.sh [--quick])" >&2; exit 2 ;;
esac
if ((quick)); then
  a_patterns=36 b_patterns=100 budget=${LAYERED_BUDGET:-3} c_patterns=16 c_sizes=(12 14 16 18 20)
else
  a_patterns=144 b_patterns=1000 budget=${LAYERED_BUDGET:-60} c_patterns=64 c_sizes=(12 14 16 18 20 22 24 26 28 30)
fi
cap=${LAYERED_CAP:-120}
hard_cap=$(awk -v c="$cap" 'BEGIN { print 4 * c }')  # a run is stopped at 4 x the cap
target=30

cmake -S "$source_dir" -B "$build_dir" -DCMAKE_BUILD_TYPE=Release > /dev/null
cmake --build "$build_dir" -j2 --target helmholtz > /dev/null
helmholtz=$build_dir/bin/helmholtz
torch_script=$source_dir/bench/exact_layered.py
generator=$source_dir/scripts/random_model.py

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
status=0

# wall VAR COMMAND...: runs COMMAND, puts its wall-clock seconds in VAR; returns its status.
wall() {
  local -n out=$1
  shift
  local start=$EPOCHREALTIME rc=0
  "$@" || rc=$?
  local end=$EPOCHREALTIME
  out=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.4f", b - a }')
  return $rc
}

# best_of K VAR FILE COMMAND...: the fastest of K runs, each writing its output to FILE.
best_of() {
  local k=$1 name=$2 file=$3
  shift 3
  local -n best=$name
  local i t
  best=""
  for ((i = 0; i < k; i++)); do
    wall t "$@" > "$file" || return $?
    if [[ -z $best ]] || awk -v a="$t" -v b="$best" 'BEGIN { exit !(a < b) }'; then best=$t; fi
  done
}

# json FILE EXPRESSION: a value from a JSON file (j is the object), printed by Python.
json() {
  "$python" -c 'import json, sys; j = json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"
}

echo "== machine"
lscpu | grep -E '^(Model name|CPU\(s\)):' || true
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg) (wall-clock figures; other work on the machine shows)"
echo "helmholtz: $helmholtz; PyTorch: $python $torch_script"
echo

# ---------------------------------------------------------------------------------------
# (a) 4-16-64
model=$source_dir/models/layered64.yaml
data=$work/layered64.data
echo "== (a) models/layered64.yaml (4-16-64 sigmoid, H = 20), $a_patterns patterns from helmholtz sample -n $a_patterns --seed 1"
"$helmholtz" sample "$model" -n "$a_patterns" --seed 1 > "$data"
a_ok=1
best_of 3 h2 "$work/a2.json" "$helmholtz" exact "$model" --data "$data" --json --quiet || a_ok=0
best_of 3 h1 "$work/a1.json" "$helmholtz" exact "$model" --data "$data" --json --quiet --threads 1 || a_ok=0
if ((a_ok)); then
  printf '  helmholtz exact, best of 3:  %8.3f s default threads, %8.3f s --threads 1\n' "$h2" "$h1"
  # README: "Same seed, same output (whatever the number of threads)"; the JSON has every digit.
  "$python" - "$work/a1.json" "$work/a2.json" << 'EOF' || status=1
import json, sys
a, b = (json.load(open(f))["log_likelihood"] for f in sys.argv[1:3])
diff = [abs(x - y) / abs(y) for x, y in zip(a, b) if x != y]
if not diff:
    print("  log p(d) (JSON, every digit): identical on --threads 1 and on the default threads")
else:
    print("  log p(d) (JSON, every digit): --threads 1 and the default threads differ on %d of %d patterns,"
          " by at most %.2e relative%s" % (len(diff), len(a), max(diff), "  ** above 1e-12 **" if max(diff) > 1e-12 else ""))
    sys.exit(max(diff) > 1e-12)
EOF
  echo "  \$ $python bench/exact_layered.py models/layered64.yaml DATA --check HELMHOLTZ_JSON"
  rc=0
  "$python" "$torch_script" "$model" "$data" --check "$work/a2.json" --json "$work/a-torch.json" | sed 's/^/    /' || rc=$?
  if ((rc != 0)); then status=1; echo "  bench/exact_layered.py: exit status $rc"; fi
  if [[ -s $work/a-torch.json ]]; then
    "$python" - "$work/a-torch.json" "$h1" "$h2" << 'EOF' || status=1
import json, sys
t = json.load(open(sys.argv[1]))
h = {"1": float(sys.argv[2]), "2": float(sys.argv[3])}
for k, label in (("1", "1 thread "), ("2", "2 threads")):
    b = t["best"][k]
    print("  %s: PyTorch %8.3f s%s (omp/blas %d/%d), helmholtz %8.3f s: helmholtz %.1fx faster"
          % (label, b["seconds"], " (extrapolated)" if b["extrapolated"] else "", b["omp_threads"],
             b["blas_threads"], h[k], b["seconds"] / h[k]))
d = t["max_relative_difference"]
print("  log p(d), PyTorch vs helmholtz: max relative difference %s%s" % (
    "-" if d is None else "%.2e" % d, "  ** above 1e-12 **" if d is not None and d > 1e-12 else ""))
EOF
  fi
else
  echo "  helmholtz exact failed"
  status=1
fi
echo

# ---------------------------------------------------------------------------------------
# (b) shifter
model=$source_dir/models/shifter.yaml
data=$work/shifter.data
echo "== (b) models/shifter.yaml (1-24-32 sigmoid, H = 25), $b_patterns patterns from helmholtz data shifter -n $b_patterns --seed 7"
"$helmholtz" data shifter -n "$b_patterns" --seed 7 > "$data"
b_ok=1
wall hs "$helmholtz" exact "$model" --data "$data" --json --quiet > "$work/b.json" || b_ok=0
if ((b_ok)); then
  verdict=$(awk -v s="$hs" -v t="$target" 'BEGIN { print (s <= t ? "met" : "NOT met") }')
  if ((b_patterns == 1000)); then
    printf '  helmholtz exact, one run, default threads: %.2f s (target %d s: %s)\n' "$hs" "$target" "$verdict"
  else
    printf '  helmholtz exact, one run, default threads: %.2f s (the %d s target is for 1000 patterns)\n' "$hs" "$target"
  fi
  # The seeded parameters, written out for PyTorch.
  params_ok=1
  "$python" - "$model" "$work/shifter-fixed.yaml" "$source_dir/bench" << 'EOF' || params_ok=0
import json, sys
sys.path.insert(0, sys.argv[3])
from exact_layered import load_yaml
model, _ = load_yaml(sys.argv[1])
for entry in model["generative"].values():
    entry["fixed"] = ["bias", "weights"]
json.dump(model, open(sys.argv[2], "w"), indent=1)   # JSON is YAML
EOF
  ((params_ok)) && "$helmholtz" train "$work/shifter-fixed.yaml" --data "$data" --epochs 1 --seed 1 --quiet \
    -o "$work/shifter-params.yaml" || params_ok=0
  ((params_ok)) && "$helmholtz" exact "$work/shifter-params.yaml" --data "$data" --json --quiet > "$work/b-params.json" ||
    params_ok=0
  same=False
  if ((params_ok)); then
    same=$("$python" -c 'import json, sys; print(json.load(open(sys.argv[1]))["log_likelihood"] == json.load(open(sys.argv[2]))["log_likelihood"])' \
      "$work/b.json" "$work/b-params.json")
  fi
  if ((!params_ok)); then
    echo "  writing the parameters out failed; no PyTorch run"
    status=1
  elif [[ $same == True ]]; then
    echo "  parameters written out (fixed blocks, one epoch of helmholtz train): helmholtz exact gives identical log p(d)"
  else
    echo "  parameters written out, but helmholtz exact gives a different log p(d) on them: PyTorch's check is void"
    status=1
  fi
  if ((params_ok)); then
    echo "  \$ $python bench/exact_layered.py SHIFTER_PARAMS DATA --budget $budget --check HELMHOLTZ_JSON"
    rc=0
    "$python" "$torch_script" "$work/shifter-params.yaml" "$data" --budget "$budget" --check "$work/b.json" \
      --json "$work/b-torch.json" | sed 's/^/    /' || rc=$?
    if ((rc != 0)); then status=1; echo "  bench/exact_layered.py: exit status $rc"; fi
  fi
  if [[ -s $work/b-torch.json ]]; then
    "$python" - "$work/b-torch.json" "$hs" << 'EOF' || status=1
import json, sys
t = json.load(open(sys.argv[1]))
h = float(sys.argv[2])
b = t["best"]["2"]
print("  PyTorch, best of 2-thread settings: %.1f s%s, helmholtz %.2f s: helmholtz %.1fx faster"
      % (b["seconds"], " (extrapolated from %.0f s)" % b["seconds_run"] if b["extrapolated"] else "", h,
         b["seconds"] / h))
d = t["max_relative_difference"]
if d is not None:
    print("  log p(d), PyTorch vs helmholtz: max relative difference %.2e%s" % (d, "  ** above 1e-12 **" if d > 1e-12 else ""))
EOF
  fi
else
  echo "  helmholtz exact failed"
  status=1
fi
echo

# ---------------------------------------------------------------------------------------
# (c) scaling in H
echo "== (c) scaling: helmholtz exact (default threads) on H -> 64 sigmoid networks (scripts/random_model.py H 64 --seed H),"
echo "   $c_patterns patterns sampled from each (--seed 1); cap: the rest is skipped once a run exceeds $cap s"
"$python" "$generator" 1 64 --seed 1 -o "$work/h1.yaml"
"$helmholtz" sample "$work/h1.yaml" -n "$c_patterns" --seed 1 > "$work/h1.data"
best_of 5 startup /dev/null "$helmholtz" exact "$work/h1.yaml" --data "$work/h1.data" --json --quiet
printf '   start-up (the command on a 1 -> 64 network, same number of patterns, best of 5): %.4f s\n' "$startup"
printf '  %4s %14s %10s %12s %10s %12s\n' H configurations seconds "s/2^H rel" net "net/2^H rel"
reference=""
first=""
skip=0
for h in "${c_sizes[@]}"; do
  if ((skip)); then
    printf '  %4d %14d %10s\n' "$h" "$((1 << h))" "skipped"
    continue
  fi
  "$python" "$generator" "$h" 64 --seed "$h" -o "$work/net$h.yaml"
  "$helmholtz" sample "$work/net$h.yaml" -n "$c_patterns" --seed 1 > "$work/net$h.data"
  rc=0
  wall t timeout "$hard_cap" "$helmholtz" exact "$work/net$h.yaml" --data "$work/net$h.data" --json --quiet > /dev/null || rc=$?
  if ((rc != 0)); then
    printf '  %4d %14d %10s  (exit status %d%s)\n' "$h" "$((1 << h))" failed "$rc" "$( ((rc == 124)) && echo ": stopped at $hard_cap s")"
    status=1
    skip=1
    continue
  fi
  if awk -v t="$t" 'BEGIN { exit !(t < 10) }'; then
    best_of 2 t2 /dev/null "$helmholtz" exact "$work/net$h.yaml" --data "$work/net$h.data" --json --quiet
    t=$(awk -v a="$t" -v b="$t2" 'BEGIN { print (a < b ? a : b) }')
  fi
  net=$(awk -v t="$t" -v s="$startup" 'BEGIN { printf "%.4f", t - s }')
  per=$(awk -v n="$net" -v h="$h" 'BEGIN { printf "%.6e", n / 2 ^ h }')
  raw=$(awk -v t="$t" -v h="$h" 'BEGIN { printf "%.6e", t / 2 ^ h }')
  [[ -n $first ]] || first=$raw
  if [[ -z $reference ]] && awk -v n="$net" 'BEGIN { exit !(n >= 0.05) }'; then reference=$per; fi
  rel=$([[ -n $reference ]] && awk -v p="$per" -v r="$reference" 'BEGIN { printf "%.2f", p / r }' || echo "-")
  printf '  %4d %14d %10.3f %12.3g %10.3f %12s\n' "$h" "$((1 << h))" "$t" \
    "$(awk -v p="$raw" -v r="$first" 'BEGIN { print p / r }')" "$net" "$rel"
  if awk -v t="$t" -v c="$cap" 'BEGIN { exit !(t > c) }'; then skip=1; fi
done
echo "  s/2^H rel: seconds per configuration over the first row's (start-up included, so it falls while start-up dominates)"
echo "  net = seconds - start-up; net/2^H rel: net seconds per configuration over that of the first row with net >= 0.05 s"
echo
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
exit $status
