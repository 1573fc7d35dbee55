#!/usr/bin/env bash
# End-to-end checks of exact and evaluate split over the processes of an MPI job, through
# mpirun on this machine (docs/distributed.md):
#   check_exact.sh CASE PROGRAM WORK
# CASE is one of the functions below. Exits 77 (CTest: skipped) when mpirun is missing or
# PROGRAM was built without MPI, saying which.
set -uo pipefail
case_name=$1 program=$2 work=$3
here=$(cd "$(dirname "$0")" && pwd)
source "$here/mpi_support.sh"
mkdir -p "$work"
models=$here/../../models

# --json output of the one process and of 1, 2 and 4 ranks, byte for byte.
same_as_one_process() {  # MODEL DATA ARGS...
  local model=$1 data=$2; shift 2
  "$program" exact "$model" --data "$data" --json --quiet "$@" > "$work/one.json" || fail "one process failed"
  for ranks in 1 2 4; do
    run_ranks "$ranks" "$program" exact "$model" --data "$data" --json --quiet "$@" > "$work/ranks.json" ||
      fail "$ranks ranks failed"
    cmp -s "$work/one.json" "$work/ranks.json" || fail "$ranks ranks differ from one process: $(diff "$work/one.json" "$work/ranks.json" | head -c 600)"
  done
}

exact_log_likelihood() {  # the factorised sum (sigmoid data), 64 shares
  "$program" sample "$models/digits9.yaml" -n 20 --seed 5 > "$work/d.data" || fail "sampling"
  same_as_one_process "$models/digits9.yaml" "$work/d.data"
}

exact_posterior() {  # the per-pattern walk: posterior marginals and mode, 64 shares, 2 threads per rank
  "$program" sample "$models/digits9.yaml" -n 12 --seed 6 > "$work/d.data" || fail "sampling"
  same_as_one_process "$models/digits9.yaml" "$work/d.data" --posterior --threads 2
}

exact_all_patterns() {  # fewer shares than ranks: a rank with nothing to do
  "$program" exact "$models/competitive.yaml" --all-patterns --json --posterior > "$work/one.json" || fail "one process"
  run_ranks 4 "$program" exact "$models/competitive.yaml" --all-patterns --json --posterior > "$work/ranks.json" || fail "4 ranks"
  cmp -s "$work/one.json" "$work/ranks.json" || fail "4 ranks differ from one process"
}

kl_from() {
  "$program" exact "$models/bars.yaml" --kl-from bars --json > "$work/one.json" || fail "one process"
  run_ranks 2 "$program" exact "$models/bars.yaml" --kl-from bars --json > "$work/ranks.json" || fail "2 ranks"
  cmp -s "$work/one.json" "$work/ranks.json" || fail "2 ranks differ from one process"
}

evaluate() {  # the exact columns split, the sampled ones computed alike by every rank
  "$program" sample "$models/digits9.yaml" -n 15 --seed 7 > "$work/d.data" || fail "sampling"
  "$program" evaluate "$models/digits9.yaml" --data "$work/d.data" --json --quiet --seed 3 > "$work/one.json" || fail "one process"
  for ranks in 2 4; do
    run_ranks "$ranks" "$program" evaluate "$models/digits9.yaml" --data "$work/d.data" --json --quiet --seed 3 > "$work/ranks.json" ||
      fail "$ranks ranks failed"
    cmp -s "$work/one.json" "$work/ranks.json" || fail "$ranks ranks differ from one process"
  done
}

error_on_every_rank() {  # printed once, with the command's status
  run_ranks 3 "$program" exact "$models/bars.yaml" --data "$work/missing.data" > /dev/null 2> "$work/err"
  local status=$?
  [ "$status" -ne 0 ] || fail "a missing data file was accepted"
  [ "$(grep -c "cannot open data file" "$work/err")" -eq 1 ] || fail "the message is not printed once: $(cat "$work/err")"
  grep -q "^\[rank" "$work/err" && fail "a message every rank had names ranks: $(cat "$work/err")"
  return 0
}

error_on_one_rank() {  # named with its rank; the others do not wait for it
  "$program" sample "$models/bars.yaml" -n 5 --seed 1 > "$work/good.data" || fail "sampling"
  run_ranks 2 bash -c 'data=$1; [ "${OMPI_COMM_WORLD_RANK:-0}" = 1 ] && data=$2; exec "$0" exact "$3" --data "$data"' \
    "$program" "$work/good.data" "$work/missing.data" "$models/bars.yaml" > "$work/out" 2> "$work/err"
  local status=$?
  [ "$status" -eq 1 ] || fail "exit status $status, not 1: $(cat "$work/err")"
  grep -q "^\[rank 1 of 2\] helmholtz exact: cannot open data file" "$work/err" || fail "the message does not name rank 1: $(cat "$work/err")"
  [ ! -s "$work/out" ] || fail "results were printed although a rank failed"
}

not_distributed() {  # a command that does not split its work is refused, once
  run_ranks 2 "$program" sample "$models/bars.yaml" -n 3 > "$work/out" 2> "$work/err"
  local status=$?
  [ "$status" -eq 2 ] || fail "exit status $status, not 2"
  [ "$(grep -c "does not split its work" "$work/err")" -eq 1 ] || fail "not refused once: $(cat "$work/err")"
  [ ! -s "$work/out" ] || fail "samples were printed"
}

standard_input() {  # mpirun gives it to rank 0 alone: refused, once
  "$program" sample "$models/bars.yaml" -n 5 --seed 1 > "$work/good.data" || fail "sampling"
  run_ranks 2 "$program" exact "$models/bars.yaml" --data - < "$work/good.data" > "$work/out" 2> "$work/err"
  local status=$?
  [ "$status" -eq 2 ] || fail "exit status $status, not 2: $(cat "$work/err")"
  [ "$(grep -c "standard input (-) reaches only rank 0" "$work/err")" -eq 1 ] || fail "not refused once: $(cat "$work/err")"
}

interrupted() {  # Ctrl-C (SIGINT to mpirun's process group) stops every rank with a message, within seconds
  "$program" sample "$models/shifter.yaml" -n 4000 --seed 1 > "$work/long.data" || fail "sampling"
  set -m  # a process group of its own, whose SIGINT is not ignored as a background job's is
  run_ranks 2 "$program" exact "$models/shifter.yaml" --data "$work/long.data" --threads 1 --quiet --max-seconds 1e6 \
    > "$work/out" 2> "$work/err" &
  local launcher=$!
  set +m
  wait_for_ranks 2 || fail "the ranks did not start"
  sleep 1
  kill -INT -- "-$launcher"
  wait_gone "$launcher" 30 || fail "the job was still running 30 s after SIGINT"
  wait "$launcher"
  local status=$?
  [ "$status" -ne 0 ] || fail "an interrupted job exited 0"
  grep -q "interrupted" "$work/err" || fail "no message says it was interrupted: $(head -c 600 "$work/err")"
  [ ! -s "$work/out" ] || fail "results were printed by an interrupted job"
  no_ranks_left || fail "ranks still running"
}

dying_rank() {  # a rank killed (SIGKILL) ends the job, never a hang
  "$program" sample "$models/shifter.yaml" -n 4000 --seed 1 > "$work/long.data" || fail "sampling"
  run_ranks 2 "$program" exact "$models/shifter.yaml" --data "$work/long.data" --threads 1 --quiet --max-seconds 1e6 \
    > "$work/out" 2> "$work/err" &
  local launcher=$!
  wait_for_ranks 2 || fail "the ranks did not start"
  sleep 1
  kill -KILL "$(rank_pids | tail -n 1)"
  wait_gone "$launcher" 60 || fail "the job was still running 60 s after a rank died"
  wait "$launcher"
  local status=$?
  [ "$status" -ne 0 ] || fail "a job whose rank died exited 0"
  grep -qi "killed\|signal 9" "$work/err" || fail "nothing says a rank was killed: $(head -c 800 "$work/err")"
  no_ranks_left || fail "ranks still running"
}

require_mpi
"$case_name"
echo "ok: $case_name"
