# Shared by scripts/reproduce and the experiment scripts beside this file: where the program
# is, where results go, and small helpers to read numbers out of its JSON and to summarise
# them over seeds. Sourced, not run.

# json_number KEY FILE: the first number written for "KEY" in a JSON file of helmholtz.
json_number() {
  grep -o "\"$1\": *-\?[0-9.eE+-]*\(inf\)\?" "$2" | sed -n 1p | sed 's/.*: *//'
}

# json_mean KEY FILE: the mean of an estimate that `helmholtz evaluate --json` writes as
# "KEY": {"mean": ..., "per_pattern": [...]}.
json_mean() {
  grep -o "\"$1\": {\"mean\": *-\?[0-9.eE+-]*\(inf\)\?" "$2" | sed -n 1p | sed 's/.*: *//'
}

# mean_spread: reads one number per line, prints "mean ± sample standard deviation (min
# to max, n = N)" with the given printf format for each number (default %.2f).
mean_spread() {
  awk -v f="${1:-%.2f}" '{x[NR] = $1; s += $1}
    END {
      if (NR == 0) { print "no runs"; exit }
      m = s / NR; v = 0; lo = x[1]; hi = x[1]
      for (i = 1; i <= NR; i++) { v += (x[i] - m)^2; if (x[i] < lo) lo = x[i]; if (x[i] > hi) hi = x[i] }
      sd = NR > 1 ? sqrt(v / (NR - 1)) : 0
      printf(f " ± " f " (" f " to " f ", n = %d)\n", m, sd, lo, hi, NR)
    }'
}

# with_seed MODEL SEED OUT: MODEL with its `seed:` line (which draws the initial
# parameters) set to SEED.
with_seed() {
  sed "s/^seed: .*/seed: $2/" "$1" > "$3"
}

# elapsed START: seconds since START (from `date +%s.%N`), to one decimal.
elapsed() {
  awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN {printf("%.1f", b - a)}'
}
