#!/usr/bin/env bash
# End-to-end checks of data-parallel training over the processes of an MPI job, through
# mpirun on this machine (docs/distributed.md):
#   check_train.sh CASE PROGRAM WORK
# CASE is one of the functions below. Exits 77 (CTest: skipped) when mpirun is missing or
# PROGRAM was built without MPI, saying which.
#
# One rank is one process, byte for byte. More ranks draw the same numbers but add the parts'
# gradients in another order, so their models equal one process's to rounding: every number
# of the model file within `tolerance` (1e-12; measured differences are below 1e-14, and a
# run that drew differently would differ by about the learning rate).
set -uo pipefail
case_name=$1 program=$2 work=$3
here=$(cd "$(dirname "$0")" && pwd)
source "$here/mpi_support.sh"
mkdir -p "$work"
models=$here/../../models
tolerance=1e-12

# Two model files (or curves) alike but for numbers within TOLERANCE of each other: the same
# lines, split at separators into the same fields, numbers compared by value.
same_to_rounding() {  # A B TOLERANCE
  awk -v tolerance="$3" '
    function numeric(x) { return x ~ /^[-+]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)?$/ }
    NR == FNR { a[FNR] = $0; lines = FNR; next }
    {
      if (FNR > lines) { print "line " FNR ": only in the second file"; bad = 1; exit }
      na = split(a[FNR], x, /[][ ,:{}]+/); nb = split($0, y, /[][ ,:{}]+/)
      if (na != nb) { print "line " FNR ": " na " and " nb " fields"; bad = 1; exit }
      for (i = 1; i <= na; ++i) {
        if (numeric(x[i]) && numeric(y[i])) {
          d = x[i] - y[i]; if (d < 0) d = -d
          if (d > tolerance) { print "line " FNR ": " x[i] " and " y[i] " differ by " d; bad = 1; exit }
        } else if (x[i] != y[i]) { print "line " FNR ": \"" x[i] "\" and \"" y[i] "\""; bad = 1; exit }
      }
      seen = FNR
    }
    END { if (!bad && seen != lines) { print "the second file ends at line " seen " of " lines; bad = 1 } exit bad }
  ' "$1" "$2"
}

# The learning curve without its seconds column (a measured time).
curve_without_times() { cut -d, -f1,3- "$1"; }

bars_data() {
  "$program" data bars -n 203 --seed 1 > "$work/train.data" || fail "making data"
  "$program" data bars -n 50 --seed 2 > "$work/valid.data" || fail "making data"
}

# One process, then 1, 2 and 4 ranks, of: train MODEL --data train.data ARGS -o OUT --log CURVE.
same_as_one_process() {  # MODEL ARGS...
  local model=$1; shift
  "$program" train "$model" --data "$work/train.data" --quiet "$@" -o "$work/one.yaml" --log "$work/one.csv" ||
    fail "one process failed"
  for ranks in 1 2 4; do
    rm -f "$work/ranks.yaml" "$work/ranks.csv"
    run_ranks "$ranks" "$program" train "$model" --data "$work/train.data" --quiet "$@" -o "$work/ranks.yaml" \
      --log "$work/ranks.csv" > "$work/out" 2> "$work/err" || fail "$ranks ranks failed: $(head -c 600 "$work/err")"
    if [ "$ranks" = 1 ]; then
      cmp -s "$work/one.yaml" "$work/ranks.yaml" || fail "one rank differs from one process: $(diff "$work/one.yaml" "$work/ranks.yaml" | head -c 600)"
      cmp -s <(curve_without_times "$work/one.csv") <(curve_without_times "$work/ranks.csv") || fail "one rank's curve differs"
    else
      same_to_rounding "$work/one.yaml" "$work/ranks.yaml" "$tolerance" || fail "$ranks ranks: the model differs from one process's"
      # The report's bounds, printed with 6 decimals, from parameters equal to rounding.
      same_to_rounding <(curve_without_times "$work/one.csv") <(curve_without_times "$work/ranks.csv") 2e-6 ||
        fail "$ranks ranks: the learning curve differs from one process's"
    fi
    [ ! -s "$work/out" ] || fail "$ranks ranks printed on standard output"
    # Rank 0 alone writes: nothing else in the folder, no temporary file left.
    local files
    files=$(cd "$work" && ls | grep -v -x -e one.yaml -e one.csv -e ranks.yaml -e ranks.csv -e out -e err -e train.data -e valid.data)
    [ -z "$files" ] || fail "$ranks ranks left other files: $files"
  done
}

wake_sleep() {  # with validation (the exact validation split over the ranks) and early stopping
  bars_data
  same_as_one_process "$models/bars.yaml" --seed 1 --epochs 4 --batch-size 10 --learning-rate 0.1 \
    --validation "$work/valid.data" --patience 2
}

wake_sleep_float32() {
  bars_data
  "$program" train "$models/bars.yaml" --data "$work/train.data" --quiet --seed 2 --epochs 3 --batch-size 16 \
    --precision float32 -o "$work/one.yaml" || fail "one process failed"
  run_ranks 2 "$program" train "$models/bars.yaml" --data "$work/train.data" --quiet --seed 2 --epochs 3 --batch-size 16 \
    --precision float32 -o "$work/ranks.yaml" 2> "$work/err" || fail "2 ranks failed: $(head -c 600 "$work/err")"
  # A part's float gradient is rounded to float before the sum: 1e-6 (measured: below 2e-8).
  same_to_rounding "$work/one.yaml" "$work/ranks.yaml" 1e-6 || fail "2 ranks: the model differs from one process's"
}

rws() {
  bars_data
  same_as_one_process "$models/bars.yaml" --seed 3 --epochs 3 --batch-size 10 --algorithm rws --samples 3 --sleep-updates
}

natural_wake_sleep() {  # the Fisher blocks summed with the gradient; momentum's state in the record
  bars_data
  same_as_one_process "$models/bars.yaml" --seed 4 --epochs 3 --batch-size 20 --algorithm natural-wake-sleep \
    --optimizer momentum --momentum 0.5
}

deterministic_cg() {  # the line search over the data set split into the ranks' parts
  bars_data
  same_as_one_process "$models/bars.yaml" --seed 5 --epochs 4 --algorithm deterministic --optimizer cg
}

resumed() {  # 2 + 2 epochs on 2 ranks give the 4 epochs of 2 ranks byte for byte; on 4 ranks, to rounding
  bars_data
  local common=(--data "$work/train.data" --quiet)
  run_ranks 2 "$program" train "$models/bars.yaml" "${common[@]}" --seed 6 --epochs 4 --batch-size 10 \
    -o "$work/four.yaml" || fail "4 epochs"
  run_ranks 2 "$program" train "$models/bars.yaml" "${common[@]}" --seed 6 --epochs 2 --batch-size 10 \
    -o "$work/two.yaml" || fail "2 epochs"
  run_ranks 2 "$program" train "$work/two.yaml" "${common[@]}" --resume --epochs 2 -o "$work/resumed.yaml" ||
    fail "resuming on 2 ranks"
  cmp -s "$work/four.yaml" "$work/resumed.yaml" || fail "resumed on 2 ranks differs from 4 epochs on 2 ranks"
  run_ranks 4 "$program" train "$work/two.yaml" "${common[@]}" --resume --epochs 2 -o "$work/resumed4.yaml" ||
    fail "resuming on 4 ranks"
  same_to_rounding "$work/four.yaml" "$work/resumed4.yaml" "$tolerance" || fail "resumed on 4 ranks differs"
}

# A refusal: exit status 2, the message once, no model written.
refused() {  # EXPECTED-MESSAGE RANKS TRAIN-ARGS...
  local expected=$1 ranks=$2; shift 2
  run_ranks "$ranks" "$program" train "$models/bars.yaml" --seed 1 -o "$work/refused.yaml" "$@" \
    > "$work/out" 2> "$work/err" < "$work/train.data"
  local status=$?
  [ "$status" -eq 2 ] || fail "exit status $status, not 2: $(head -c 600 "$work/err")"
  [ "$(grep -c -F -- "$expected" "$work/err")" -eq 1 ] || fail "not refused once with '$expected': $(head -c 600 "$work/err")"
  [ ! -e "$work/refused.yaml" ] || fail "a model was written"
}

refusals() {
  bars_data
  refused "online training (--batch-size 1, the default) cannot be split over the 2 ranks of this MPI job" 2 \
    --data "$work/train.data"
  refused "--batch-size 3 cannot be split over the 4 ranks of this MPI job, which share each minibatch; give --batch-size 4 or more" \
    4 --data "$work/train.data" --batch-size 3
  refused "standard input (-) reaches only rank 0 of an MPI job" 2 --data - --batch-size 10
}

diverged() {  # every rank stops in epoch 1; rank 0 writes the last good parameters, as one process does
  bars_data
  "$program" train "$models/bars.yaml" --data "$work/train.data" --seed 1 --batch-size 10 --learning-rate 1e308 \
    -o "$work/one.yaml" 2> /dev/null
  [ $? -eq 1 ] || fail "one process did not diverge"
  run_ranks 2 "$program" train "$models/bars.yaml" --data "$work/train.data" --seed 1 --batch-size 10 \
    --learning-rate 1e308 -o "$work/ranks.yaml" > /dev/null 2> "$work/err"
  [ $? -ne 0 ] || fail "a diverging job exited 0"
  [ "$(grep -c "training diverged in epoch 1" "$work/err")" -eq 1 ] || fail "not said once: $(head -c 600 "$work/err")"
  cmp -s "$work/one.yaml" "$work/ranks.yaml" || fail "the job's model differs from one process's"
}

interrupted() {  # SIGTERM to mpirun (as a batch system sends it), which passes it on to the ranks: every rank
                 # stops at the same minibatch, and rank 0 writes the parameters reached
  bars_data
  run_ranks 2 "$program" train "$models/bars.yaml" --data "$work/train.data" --seed 1 --epochs 1000000 \
    --batch-size 10 --quiet -o "$work/stopped.yaml" > "$work/out" 2> "$work/err" &
  local launcher=$!
  wait_for_ranks 2 || fail "the ranks did not start"
  local mpirun_pid
  mpirun_pid=$(pgrep -P "$launcher" mpirun) || fail "no mpirun under the launching shell"
  sleep 2
  kill -TERM "$mpirun_pid"
  wait_gone "$mpirun_pid" 30 || fail "the job was still running 30 s after SIGTERM"
  wait "$launcher"
  [ $? -ne 0 ] || fail "an interrupted job exited 0"
  [ "$(grep -c "helmholtz train: interrupted during epoch" "$work/err")" -eq 1 ] ||
    fail "not said once: $(head -c 600 "$work/err")"
  grep -q "^  interrupted: true" "$work/stopped.yaml" || fail "the model written does not record the interruption"
  "$program" check "$work/stopped.yaml" > /dev/null || fail "the model written does not pass check"
  no_ranks_left || fail "ranks still running"
}

require_mpi
"$case_name"
echo "ok: $case_name"
