#!/usr/bin/env bash
# The shifter (Dayan, Hinton, Neal & Zemel 1995, section 4 and Fig. 4): can the top unit tell
# the direction of the shift? Two settings, each from several seeds:
#   the paper's: models/shifter-paper.yaml (odds-sum generative units, fixed biases 0.05 on
#     the hidden layers), the deterministic machine trained with conjugate gradient;
#   a stochastic one: models/shifter.yaml (logistic units) trained with rws.
# Every network is scored the same way: the exact log-likelihood of the stochastic network on
# 100 fresh patterns (the mean-field cost of the deterministic machine is not a bound on it),
# and `helmholtz probe` on 10,000 fresh labelled patterns. Writes a markdown section on
# stdout; see scripts/reproduce.
set -euo pipefail
source "$(dirname "$0")/common.sh"

seeds=${SEEDS:-1 2 3}
paper_options=${SHIFTER_PAPER_OPTIONS:---algorithm deterministic --optimizer cg --epochs 300 --learning-rate 0.01}
rws_options=${SHIFTER_RWS_OPTIONS:---algorithm rws --samples 10 --batch-size 20 --optimizer momentum --momentum 0.9 --learning-rate 0.01 --epochs 600}
mkdir -p "$WORK/shifter"
cd "$WORK/shifter"

"$H" data shifter -n 10000 --seed 1 > shifter-train.data
"$H" data shifter -n 10000 --seed 2 --labels directions.txt > fresh.data
awk '!/^#/ && ++n <= 100' fresh.data > scored.data

# run NAME MODEL SEED OPTIONS...: trains, then appends "name seed log-p centroid modal seconds
# layer-2-modal" to runs.txt.
run() {
  local name=$1 model=$2 seed=$3
  shift 3
  local start
  start=$(date +%s.%N)
  with_seed "$model" "$seed" "$name-$seed.yaml"
  "$H" train "$name-$seed.yaml" --data shifter-train.data --seed "$seed" "$@" --quiet -o "$name-trained-$seed.yaml"
  local seconds
  seconds=$(elapsed "$start")
  "$H" exact "$name-trained-$seed.yaml" --data scored.data --json > "$name-exact-$seed.json"
  "$H" probe "$name-trained-$seed.yaml" --data fresh.data --labels directions.txt --node direction --samples 50 \
    --seed 1 --json > "$name-probe-$seed.json"
  "$H" probe "$name-trained-$seed.yaml" --data fresh.data --labels directions.txt --node detectors --samples 50 \
    --seed 1 --json > "$name-probe2-$seed.json"
  echo "$name $seed $(json_number mean_log_likelihood "$name-exact-$seed.json")" \
    "$(json_number centroid_accuracy "$name-probe-$seed.json") $(json_number modal_accuracy "$name-probe-$seed.json") $seconds" \
    "$(json_number modal_accuracy "$name-probe2-$seed.json")" >> runs.txt
}

start=$(date +%s.%N)
for seed in $seeds; do run paper "$ROOT/models/shifter-paper.yaml" "$seed" $paper_options; done
for seed in $seeds; do run rws "$ROOT/models/shifter.yaml" "$seed" $rws_options; done
seconds=$(elapsed "$start")
chance=$(json_number majority_accuracy "paper-probe-$(echo $seeds | cut -d' ' -f1).json")

# The best network of each setting by the direction read from the top unit.
best() { awk -v n="$1" '$1 == n' runs.txt | sort -k4 -g -r | head -n 1 | cut -d' ' -f2; }
best_paper=$(best paper)
best_rws=$(best rws)
cp "paper-trained-$best_paper.yaml" "$TRAINED/shifter-paper.yaml"
cp "rws-trained-$best_rws.yaml" "$TRAINED/shifter.yaml"
"$H" render weights "$TRAINED/shifter-paper.yaml" --shape 4x8 --direction generative -o "$FIGURES/shifter-paper-weights.png" >&2
"$H" render weights "$TRAINED/shifter.yaml" --shape 4x8 --direction generative -o "$FIGURES/shifter-weights.png" >&2

stat() { awk -v n="$1" '$1 == n {print $'"$2"'}' runs.txt | mean_spread "$3"; }
per_seed() { awk -v n="$1" '$1 == n {printf("%s%s: %.2f nats, %.3f", c++ ? "; " : "", $2, $3, $4)}' runs.txt; }

cat <<MD
## Shifter

The data: four rows of 8 pixels; the bottom row random (each pixel on with probability 0.2),
the row above it the same shifted one place left or right (with wrap-around), each row
doubled (\`helmholtz data shifter\`). Its entropy is 4.579 nats per pattern. Fig. 4 of the
paper shows a network whose layer-2 units detect shifted pixel pairs and whose top unit tells
the direction of the shift. Two ways to train, each from seeds $seeds (the model file's
\`seed:\` draws the initial parameters, \`--seed\` the training's random numbers):

- **the paper's setting**, \`models/shifter-paper.yaml\`: odds-sum generative units (eq.
  A.2) with fixed biases 0.05 on both hidden layers, the deterministic machine, conjugate
  gradient;
- **stochastic**, \`models/shifter.yaml\`: the same 1-24-32 layout with logistic units,
  trained with reweighted wake-sleep.

\`\`\`sh
helmholtz data shifter -n 10000 --seed 1 > shifter-train.data
helmholtz data shifter -n 10000 --seed 2 --labels directions.txt > fresh.data
awk '!/^#/ && ++n <= 100' fresh.data > scored.data
helmholtz train shifter-paper-S.yaml --data shifter-train.data --seed S $paper_options -o paper-S.yaml
helmholtz train shifter-S.yaml --data shifter-train.data --seed S $rws_options -o rws-S.yaml
helmholtz exact paper-S.yaml --data scored.data
helmholtz probe paper-S.yaml --data fresh.data --labels directions.txt --node direction --samples 50 --seed 1
\`\`\`

The exact log-likelihood is that of the stochastic network, per pattern, on the first 100
fresh patterns (the deterministic machine's mean-field cost is not a bound on it, so only the
exact value compares across settings; target >= -4.9, entropy 4.579). The direction is read
from the top unit by \`helmholtz probe\` on all 10,000 fresh patterns: a nearest-centroid rule
on its recognition probability (the mean of 50 recognised states), and its modal sampled
state, each fitted on half of the patterns and scored on the other half, patterns that both
shifts make left out (target >= 0.95; chance $(printf %.3f "$chance")). Mean ± sd (min to max):

| setting | exact log p(d), nats | top unit: direction from its recognition probability | top unit: from its modal state | layer 2: from its modal state | training time, s |
|---|---|---|---|---|---|
| paper (odds-sum, deterministic, CG) | $(stat paper 3 %.2f) | $(stat paper 4 %.3f) | $(stat paper 5 %.3f) | $(stat paper 7 %.3f) | $(stat paper 6 %.0f) |
| stochastic (sigmoid, rws) | $(stat rws 3 %.2f) | $(stat rws 4 %.3f) | $(stat rws 5 %.3f) | $(stat rws 7 %.3f) | $(stat rws 6 %.0f) |

Per seed (log p, direction): paper $(per_seed paper); rws $(per_seed rws). All of it took
$seconds s. The networks that told the direction best are shipped as
\`models/trained/shifter-paper.yaml\` (seed $best_paper) and \`models/trained/shifter.yaml\`
(seed $best_rws). Their generative weights in the style of Fig. 4: the top unit to the 24
detectors, then each detector to the 32 pixels laid out as the four rows:

![generative weights of the best network of the paper's setting](figures/shifter-paper-weights.png)

![generative weights of the best stochastic network](figures/shifter-weights.png)

**Neither target is reached.** The top unit does not learn the direction in either setting,
and the best held-out log-likelihood stays below -4.9 (the data's own distribution would
score -4.579 on average). The layer-2 column says
where the direction went: the recognised state of the 24 detectors tells it (its modal
state, as a whole, names the direction of most patterns for the rws networks), so the
detectors are shift-specific, but the top unit does not gather them into one cause.

What was tried (bounded: each from one to five seeds, 10,000 training patterns):

- The paper's setting, deterministic machine with conjugate gradient: 300 epochs from seeds
  1 to 5 with one top unit and 2 to 5 with two; 1000 epochs from seed 1. The mean-field cost
  falls to -1.4 to -2.2 nats, far below the data's entropy, because at fractional means the
  product rule is not a probability model of the stochastic network: the machine fits its
  mean-field picture, not the stochastic network (whose exact log p(d) the table gives). The
  top unit told the direction on 0.50 to 0.60 of the patterns; never the 0.95 of Fig. 4.
- Stochastic sigmoid networks: wake-sleep (rate 0.02, 100 epochs, -6.14 nats); rws with
  K = 10, minibatches of 20 and momentum for 150, 300 and 600 epochs (-5.41, -5.32 with two
  top units, -5.37); natural-rws (K = 10, batch 100, 100 epochs, -5.62). The likelihood
  improves slowly with training; the top units' direction stays at 0.50 to 0.58.
- Not tried, for want of time: the paper's exact mean-field rule (its eq. A.3, which could
  not be consulted; the product rule here agrees with eq. A.2 for one cause) with other
  initial weights; annealing the recognition of the top unit; longer rws runs, and Adam, which this
  program does not have.
MD
