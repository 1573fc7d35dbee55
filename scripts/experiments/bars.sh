#!/usr/bin/env bash
# Bars (Hinton, Dayan, Frey & Neal 1995): 4x4 images, vertical bars with probability 2/3,
# each bar of the chosen orientation on with probability 0.2; the 1-8-16 network of
# models/bars.yaml trained online with wake-sleep on 20,000 images (200 passes: twice the
# paper's two million presentations), with a learning rate that decays exponentially. The score is
# the exact KL divergence between the data distribution and the network's distribution over
# the 2^16 images, in bits. Writes a markdown section on stdout; see scripts/reproduce.
set -euo pipefail
source "$(dirname "$0")/common.sh"

vertical=0.6666666666666666
seeds=${SEEDS:-1 2 3 4 5 6 7 8}
options="--epochs 200 --learning-rate 0.2 --schedule exponential --decay 0.03"
mkdir -p "$WORK/bars"
cd "$WORK/bars"

start=$(date +%s.%N)
"$H" data bars -n 20000 --seed 1 --vertical-probability $vertical > bars-train.data
for seed in $seeds; do
  with_seed "$ROOT/models/bars.yaml" "$seed" "bars-$seed.yaml"
  "$H" train "bars-$seed.yaml" --data bars-train.data --seed "$seed" $options --quiet -o "trained-$seed.yaml"
  "$H" exact "trained-$seed.yaml" --kl-from bars --vertical-probability $vertical --json > "kl-$seed.json"
  echo "$seed $(json_number kl_bits "kl-$seed.json")" >> kl.txt
done
seconds=$(elapsed "$start")
best=$(sort -k2 -g kl.txt | head -n 1 | cut -d' ' -f1)
cp "trained-$best.yaml" "$TRAINED/bars.yaml"
"$H" render fantasies "$TRAINED/bars.yaml" --data bars-train.data --shape 4x4 -n 64 --seed 1 -o "$FIGURES/bars-fantasies.png" >&2
"$H" render weights "$TRAINED/bars.yaml" --shape 4x4 --direction generative -o "$FIGURES/bars-weights.png" >&2
below=$(awk '$2 <= 0.10' kl.txt | wc -l)
runs=$(wc -l < kl.txt)

cat <<MD
## Bars

The data: 4x4 images; an orientation is chosen (vertical with probability 2/3), then each of
the four bars of that orientation is on with probability 0.2 (\`helmholtz data bars
--vertical-probability 0.6666666666666666\`). The network is \`models/bars.yaml\`: one top unit,
eight bar units, sixteen pixels, all logistic. The paper reports a KL divergence of 0.10 bits
between the data distribution and the trained network's. \`helmholtz exact --kl-from bars\`
computes it exactly over all 2^16 images.

\`\`\`sh
helmholtz data bars -n 20000 --seed 1 --vertical-probability 0.6666666666666666 > bars-train.data
# for each seed S: the model file's \`seed: S\` draws the initial parameters
helmholtz train bars-S.yaml --data bars-train.data --seed S $options -o trained-S.yaml
helmholtz exact trained-S.yaml --kl-from bars --vertical-probability 0.6666666666666666
\`\`\`

| seeds | KL(data ‖ model), bits: mean ± sd (min to max) | runs ≤ 0.10 bits | time (all runs) |
|---|---|---|---|
| $seeds | $(cut -d' ' -f2 kl.txt | mean_spread %.3f) | $below of $runs | $seconds s |

Per seed: $(awk '{printf("%s%s: %.3f", NR > 1 ? ", " : "", $1, $2)}' kl.txt) bits. The best run
(seed $best) is shipped as \`models/trained/bars.yaml\`; its fantasies and generative weights:

![64 training images beside 64 fantasies of the best bars network](figures/bars-fantasies.png)

![generative weights of the best bars network: the top unit to the bar units, each bar unit to the 4x4 image](figures/bars-weights.png)

**The target of 0.10 bits is not reached.** A bounded search, each setting from 3 to 8 seeds
on the same 20,000 images (all online wake-sleep unless named): a constant rate of 0.05 for
100 passes gave 0.48 to 0.55 bits; a rate of 0.1 decaying as e^(-0.03 t) over 100
passes 0.33 to 1.06 (mean 0.61); 0.1 with the inverse schedule (decay 0.1) over 200 passes
0.37 to 0.85; the setting above (0.2 decaying over 200 passes) is the best of these on
average. Reweighted wake-sleep (K = 20 samples, minibatches of 10, momentum 0.9) gave 0.59 to
1.30 bits, and a noisy-or image layer (the OR of the bars is exactly a noisy-or) 1.8 to 3.6
bits with wake-sleep. With equal orientation probabilities (the generator's default),
constant rates of 0.05 and 0.2 gave 0.40 to 1.17 bits. The failures are local optima that the fantasies
show: a bar unit that draws part of two bars, or horizontal bars (the rarer orientation)
drawn by units that also fire for vertical ones; the orientation unit then cannot make a
fantasy's bars agree. What the search did not try: the paper's
exact rates and initial values (not given in the text we could consult), annealing the
recognition rate separately, and restarts that keep the best of several runs by the
training data's likelihood.
MD
