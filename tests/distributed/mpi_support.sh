# Shared by the MPI checks (sourced): launching ranks on this machine and watching them.
# `program` and `work` are set by the script that sources this.

fail() { echo "FAIL: $*" >&2; exit 1; }

# Exits 77 (CTest: skipped), saying why, when MPI jobs cannot run here.
require_mpi() {
  if ! command -v mpirun > /dev/null; then
    echo "skipped: mpirun is not installed (Debian: openmpi-bin)"; exit 77
  fi
  if "$program" --version | grep -q "^MPI: none"; then
    echo "skipped: $program was built without MPI (Debian: libopenmpi-dev, then reconfigure)"; exit 77
  fi
}

# mpirun on this machine: more ranks than cores allowed; as root too (CI runs as root).
# In the sanitizer build, leak checking is off for the ranks: Open MPI keeps thousands of
# allocations until exit, many from plugins it has unloaded, which no suppression can name.
# Every other check of the sanitizers stays on, and the engines' own leaks are checked by the
# rest of the suite, the distributed paths included (distributed_exact_test: ranks as threads).
run_ranks() {  # RANKS COMMAND...
  local ranks=$1; shift
  ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
  OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1 \
    mpirun --oversubscribe -np "$ranks" "$@"
}

# The ranks of this check's job: processes running `program` whose launcher's variables
# name this work folder's job (each check has a work folder of its own).
rank_pids() {
  for pid in $(pgrep -f -- "$program" 2> /dev/null); do
    [ -r "/proc/$pid/environ" ] && tr '\0' '\n' < "/proc/$pid/environ" | grep -q "^OMPI_COMM_WORLD_RANK=" &&
      tr '\0' '\n' < "/proc/$pid/cmdline" | grep -qF -- "$work" && echo "$pid"
  done
}

wait_for_ranks() {  # COUNT: until that many ranks run (30 s at most)
  for _ in $(seq 300); do
    [ "$(rank_pids | wc -l)" -ge "$1" ] && return 0
    sleep 0.1
  done
  return 1
}

wait_gone() {  # PID SECONDS
  for _ in $(seq $(($2 * 10))); do
    kill -0 "$1" 2> /dev/null || return 0
    sleep 0.1
  done
  return 1
}

no_ranks_left() {
  for _ in $(seq 100); do
    [ -z "$(rank_pids)" ] && return 0
    sleep 0.1
  done
  return 1
}
