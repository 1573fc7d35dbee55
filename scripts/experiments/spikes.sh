#!/usr/bin/env bash
# Cell assemblies in binned spike recordings (after de Sa et al.): the seed-1 recording of
# `helmholtz data assemblies` (shipped in models/data/), models/spikes.yaml trained on it,
# `helmholtz probe --assemblies` on the result and its weight figure; then
# scripts/spike_assemblies.py for the tables of networks, algorithms and rates on that
# recording (with the path through a spike file) and on two harder ones. The section's prose
# quotes only numbers read from these runs or the generator's settings below. Writes a
# markdown section on stdout; see scripts/reproduce. Under a minute on 2 cores.
set -euo pipefail
# A failure inside $(...) must stop the script too, not leave an empty number in the prose.
shopt -s inherit_errexit
source "$(dirname "$0")/common.sh"

# The shipped recording and the training of the shipped network. The recording uses the
# generator's default probabilities; the prose quotes them from the program's help, so it
# describes what the program does.
bins=5000
data_seed=1
default_of() { "$H" data --help | sed -n "s/^ *--$1 .*(default \([^)]*\)).*/\1/p"; }
active=$(default_of assembly-probability)
member=$(default_of member-probability)
background=$(default_of background-probability)
[[ -n $active && -n $member && -n $background ]] || { echo "spikes: no defaults in \`$H data --help\`" >&2; exit 1; }
train="--algorithm rws --samples 5 --epochs 10 --learning-rate 0.05 --seed 1"
# The tables: every row over the same training seeds.
seeds=${SEEDS:-1,2,3,4,5}
rows=0,1,2,4,5,6,8,9,10,11,12,13,14
harder_rows=3,4,5,7,9,11,13,14
unassigned=4
harder_member=0.7
harder_background=0.05
harder_options="--unassigned-channels $unassigned --member-probability $harder_member --background-probability $harder_background"
harder_bins="5000 2000"

mkdir -p "$WORK/spikes"
cd "$WORK/spikes"
start=$(date +%s.%N)

# The recording is made under the same relative paths as the shipped files, so that the
# trained network records the same `data:` path as models/trained/spikes.yaml and the probe
# prints the same paths as the shipped section.
mkdir -p models/data models/trained
"$H" data assemblies -n $bins --seed $data_seed --planted models/data/spikes-assemblies.assemblies \
  > models/data/spikes-assemblies.data
for f in spikes-assemblies.data spikes-assemblies.assemblies; do
  cmp "models/data/$f" "$ROOT/models/data/$f" >&2 \
    || { echo "spikes: the regenerated $f differs from models/data/$f" >&2; exit 1; }
done
"$H" train "$ROOT/models/spikes.yaml" --data models/data/spikes-assemblies.data $train --quiet \
  -o models/trained/spikes.yaml
"$H" probe models/trained/spikes.yaml --assemblies models/data/spikes-assemblies.assemblies --node assemblies \
  > probe.txt
"$H" probe models/trained/spikes.yaml --assemblies models/data/spikes-assemblies.assemblies --node assemblies \
  --json > probe.json
cp models/trained/spikes.yaml "$TRAINED/spikes.yaml"
"$H" render weights "$TRAINED/spikes.yaml" --shape 4x4 --direction generative --cell 20 \
  -o "$FIGURES/spikes-weights.png" >&2   # its "wrote ..." line is not part of the section

# The tables; the per-seed lines go to the log (stderr) and are kept for the prose.
table_start=$(date +%s.%N)
python3 "$ROOT/scripts/spike_assemblies.py" --helmholtz "$H" --seeds "$seeds" --rows "$rows" \
  --bins $bins --data-seed $data_seed --spike-file --work "$WORK/spikes/table" > table.out 2> table.log \
  || { cat table.log >&2; exit 1; }
table_seconds=$(elapsed "$table_start")
cat table.log >&2
for b in $harder_bins; do
  python3 "$ROOT/scripts/spike_assemblies.py" --helmholtz "$H" --seeds "$seeds" --rows "$harder_rows" \
    --bins "$b" --data-seed $data_seed --data-options "$harder_options" --work "$WORK/spikes/harder-$b" \
    > "harder-$b.out" 2> "harder-$b.log" || { cat "harder-$b.log" >&2; exit 1; }
  cat "harder-$b.log" >&2
done
seconds=$(elapsed "$start")

# ---- Numbers for the prose, all read from the files above. ----

# generative NODE MODEL: the generative bias of NODE, space-separated; with NODE "weights",
# the rows of the channels' generative weights to the hidden units, one channel a line.
generative() {
  awk -v want="$1" '
    /^generative:/ { g = 1; next }
    /^[a-z]/ { g = 0 }
    g && /^  [a-z]/ { node = $1; sub(":", "", node) }
    g && want != "weights" && node == want && /^    bias:/ { gsub(/[][,]/, " "); $1 = ""; print substr($0, 2) }
    g && want == "weights" && node == "channels" && /^        - \[/ { sub(/^ *- \[/, ""); gsub(/[],]/, " "); $1 = $1; print }
  ' "$2"
}
# Prose for numbers: 5000 as "5,000"; a small count as a word; "all N" or "K of N".
thousands() { sed ':a;s/\B[0-9]\{3\}\>/,&/;ta' <<< "$1"; }
word() { local w=(none one two three four five six seven eight nine ten); (( $1 <= 10 )) && echo "${w[$1]}" || echo "$1"; }
of_all() { (( $1 == $2 )) && echo "all $2" || echo "$1 of $2"; }
# Words of a line as prose: "a", "a and b", "a, b and c".
and_list() { awk '{ s = $1; for (i = 2; i <= NF; i++) s = s (i == NF ? " and " : ", ") $i; print s }'; }
# A list of whole numbers as prose, a run of three or more as "2 to 5".
phrase() {
  awk '{ run = NF > 2; for (i = 2; i <= NF; i++) if ($i != $(i - 1) + 1) run = 0; print run ? $1 " to " $NF : "list " $0 }' \
    | { read -r kind rest; if [[ $kind == list ]]; then and_list <<< "$rest"; else echo "$kind $rest"; fi; }
}
trained=models/trained/spikes.yaml
generative weights "$trained" > weights.txt
grep -v '^#' models/data/spikes-assemblies.assemblies > planted.txt
grep -o '"unit": [0-9]*' probe.json | sed 's/.*: //' > matched.txt
hidden=$(wc -w < <(generative assemblies "$trained"))
assembly_units=$(sort -n matched.txt | paste -sd' ' - | phrase)
spare_units=$(seq 0 $((hidden - 1)) | grep -vxFf matched.txt | paste -sd' ' - | phrase || true)
# Each assembly's matched unit: its weights to the assembly's channels (in_lo to in_hi) and its
# largest weight to any other channel (out_hi); the largest weight of the network (top).
read -r top in_lo in_hi out_hi < <(paste -d' ' matched.txt planted.txt | awk -v wf=weights.txt '
  BEGIN { while ((getline line < wf) > 0) { c++; n = split(line, w, " ")
            for (u = 1; u <= n; u++) { W[c - 1, u - 1] = w[u]; if (w[u] > top) top = w[u] } }
          channels = c; lo = 1; hi = 0; out = 0 }
  { u = $1; delete member; for (i = 2; i <= NF; i++) member[$i] = 1
    for (ch = 0; ch < channels; ch++) {
      x = W[ch, u]
      if (ch in member) { if (x < lo) lo = x; if (x > hi) hi = x } else if (x > out) out = x } }
  END { printf("%.3f %.2f %.2f %.3f\n", top, lo, hi, out) }')
read -r leak_lo leak_hi < <(generative channels "$trained" | tr ' ' '\n' | sort -g | sed -n '1p;$p' | paste -sd' ' - \
  | awk '{printf("%.3f %.3f\n", $1, $2)}')
# The hidden units' priors: the logistic of their biases, for the assembly units and the spares.
generative assemblies "$trained" | tr ' ' '\n' | awk '{printf("%d %.17g\n", NR - 1, 1 / (1 + exp(-$1)))}' > priors.txt
read -r prior_lo prior_hi < <(awk 'NR == FNR { m[$1] = 1; next } ($1 in m) { p[++n] = $2 }
       END { lo = p[1]; hi = p[1]; for (i = 2; i <= n; i++) { if (p[i] < lo) lo = p[i]; if (p[i] > hi) hi = p[i] }
             printf("%.3f %.3f\n", lo, hi) }' matched.txt priors.txt)
spare_priors=$(awk 'NR == FNR { m[$1] = 1; next } !($1 in m) { printf("%s%.2g", n++ ? " " : "", $2) }' matched.txt priors.txt \
  | and_list)
channels=$(wc -l < weights.txt)
assemblies=$(wc -l < planted.txt)
size=$(head -n 1 planted.txt | wc -w)
planted_list=$(sed 's/.*/[&]/' planted.txt | paste -sd' ' -)

# Tables: table.out holds the first table and the spike-file lines; harder-B.out one table each.
grep '^|' table.out > table.md
grep -E '^(spike file|trained on the binned)' table.out > spike-file.txt
n_seeds=$(tr ',' '\n' <<< "$seeds" | wc -l)
n_rows=$(($(grep -c '^| [^-]' table.md) - 1))
n_harder=$(tr ',' '\n' <<< "$harder_rows" | wc -l)
# complete FILE LABEL: the runs of that row that recovered every assembly ("k of n": k).
complete() {
  awk -F' [|] ' -v l="$2" '$1 == "| " l { split($4, x, " "); print x[1]; found = 1 } END { exit !found }' "$1" \
    || { echo "spikes: no row '$2' in $1" >&2; return 1; }
}
sum() { awk '{s += $1} END {print s + 0}'; }
# The two harder tables side by side, the rws row (the shipped setting) first.
{
  printf '| network, algorithm, rate |'
  for b in $harder_bins; do printf ' %s bins: recovered (of %s) | mean best Jaccard | all %s |' \
    "$(thousands "$b")" "$assemblies" "$assemblies"; done
  echo
  echo "| --- |$(for b in $harder_bins; do printf ' --- | --- | --- |'; done)"
  awk -F' [|] ' '{ label = substr($1, 3); if (!(label in row)) order[++n] = label
                   row[label] = row[label] " " $2 " | " $3 " | " $4 " |" }
       END { for (i = 1; i <= n; i++) print "| " order[i] " |" row[order[i]] }' \
    <(for b in $harder_bins; do grep '^| [^-]' "harder-$b.out" | tail -n +2; done) \
    | awk '/^\| noisy-or 6, rws/ { print; next } { rest[++n] = $0 } END { for (i = 1; i <= n; i++) print rest[i] }'
} > harder.md
last=${harder_bins##* }
h() { for b in $harder_bins; do complete "harder-$b.out" "$1"; done; }
recordings=$((1 + $(wc -w <<< "$harder_bins")))
runs_all=$((recordings * n_seeds))
rws_noisy=$({ complete table.out "models/spikes.yaml, rws K=5 0.05"; h "noisy-or 6, rws K=5 0.05"; } | sum)
ws_noisy=$({ complete table.out "models/spikes.yaml, wake-sleep 0.05"; h "noisy-or 6, wake-sleep 0.05"; } | sum)
rws_sigmoid=$({ complete table.out "sigmoid 6, rws K=5 0.01"; h "sigmoid 6, rws K=5 0.01"; } | sum)
ws_sigmoid=$({ complete table.out "sigmoid 6, wake-sleep 0.01"; h "sigmoid 6, wake-sleep 0.01"; } | sum)
ws_sigmoid_short=$(complete "harder-$last.out" "sigmoid 6, wake-sleep 0.01")
(( ws_sigmoid_short == 0 )) && ws_sigmoid_short=none || ws_sigmoid_short="$ws_sigmoid_short of $n_seeds runs"
slow=$(h "noisy-or 6, wake-sleep 0.01")
noisy_slow=$(paste -d' ' <(cat <<< "$slow") <(for b in $harder_bins; do thousands "$b"; done) \
  | awk -v n="$n_seeds" '{ printf("%s%s of %d with %s bins", NR > 1 ? ", " : "", $1, n, $2) }' | sed 's/\(.*\), /\1 and /')
noisy_fast=$(complete table.out "noisy-or 6, wake-sleep 0.2")
sigmoid_fast=$(complete table.out "sigmoid 6, wake-sleep 0.2")
four_units=$({ complete table.out "noisy-or 4, wake-sleep 0.05"; h "noisy-or 4, wake-sleep 0.05"; } | sum)
spare_runs=$({ complete table.out "models/spikes.yaml, wake-sleep 0.05"; complete table.out "noisy-or 8, wake-sleep 0.05"
               h "noisy-or 6, wake-sleep 0.05"; } | sum)
# Sigmoid channels at 0.05, the network of seed 1 (sigmoid 6, wake-sleep, first table): its most
# negative generative weight, and its best Jaccards below 1, each with how many of the unit's M
# strongest channels are right (J = k / (2M - k)).
sigmoid_label="sigmoid 6, wake-sleep 0.05"
sigmoid_model="$WORK/spikes/table/sigmoid_6_wake_sleep_0.05.1.yaml"
sigmoid_negative=$(generative weights "$sigmoid_model" \
  | awk '{ for (i = 1; i <= NF; i++) if ($i < m) m = $i } END { printf("%.1f", -m) }')
partial=$(sed -n "s/^$sigmoid_label | seed 1: .*(\\([0-9. ]*\\)).*/\\1/p" table.log \
  | tr ' ' '\n' | awk 'NF && $1 < 1 { printf("%g\n", $1) }' | sort -gr -u)
if [[ -n $partial ]]; then
  partial_j=$(paste -sd' ' - <<< "$partial" | and_list)
  partial_k=$(awk -v m="$size" '{printf("%s%d", NR > 1 ? " " : "", 2 * m * $1 / (1 + $1) + 0.5)}' <<< "$partial" | and_list)
  mixing="and some end with $(word "$size") strongest channels
  that mix two assemblies (seed 1's best Jaccards of $partial_j: $partial_k channels right)"
else
  mixing="although seed 1's network recovered every assembly"
fi
# Training times: the range of the rows' mean times in the first table, by plugin.
times() { awk -F' [|] ' -v p="$1" 'substr($1, 3) ~ p { split($5, x, " "); print x[1] }' table.md | sort -g | sed -n '1p;$p' \
  | paste -sd' ' - | awk '{print ($1 == $2 ? $1 : $1 " to " $2)}'; }
noisy_times=$(times '^(models|noisy)')
sigmoid_times=$(times '^sigmoid')
steps=$(thousands $((bins * 10)))
cpu=$(grep -m 1 'model name' /proc/cpuinfo 2>/dev/null | sed 's/.*: *//' || true)
cpu=${cpu:-$(uname -m)}

cat <<MD
## Spike recordings: cell assemblies

After de Sa et al.: a Helmholtz machine trained on multi-channel spike trains, cut into time
bins, should come to represent *cell assemblies*, groups of channels that fire together, as
hidden units. We check this on synthetic recordings whose assemblies are known
(\`helmholtz data assemblies\`, [data files](data-files.md#planted-cell-assemblies-helmholtz-data-assemblies)),
and measure it with \`helmholtz probe --assemblies\`
([data files](data-files.md#reading-assemblies-off-the-weights-helmholtz-probe---assemblies)):
each hidden unit is read as the M channels it has the largest generative weights to, and
each planted assembly of M channels is matched with the unit whose channels overlap it most
(Jaccard |A ∩ T| / |A ∪ T|). An assembly is *recovered* when that overlap is 1: some unit's M
strongest channels are exactly the assembly.

### The recording and the network

$(thousands $bins) bins of the default recording, $channels channels in $assemblies assemblies of $size drawn from seed $data_seed
(\`$planted_list\`): in each bin every assembly is active with
probability $active, a channel of an active assembly fires with probability $member, and every
channel fires on its own with probability $background. Shipped as
\`models/data/spikes-assemblies.data\` with its assemblies file
\`models/data/spikes-assemblies.assemblies\`; regenerating both gives the same bytes.

\`models/spikes.yaml\` puts $hidden hidden units ($(word $((hidden - assemblies))) spare) above the $channels channels, with a noisy-or
for the channels: a channel fires if any of its active causes makes it fire, or on its own
(the leak), which is how the recording is made.

\`\`\`sh
helmholtz data assemblies -n $bins --seed $data_seed --planted models/data/spikes-assemblies.assemblies \\
  > models/data/spikes-assemblies.data
helmholtz train models/spikes.yaml --data models/data/spikes-assemblies.data \\
  $train -o models/trained/spikes.yaml
helmholtz probe models/trained/spikes.yaml --assemblies models/data/spikes-assemblies.assemblies --node assemblies
helmholtz render weights models/trained/spikes.yaml --shape 4x4 --direction generative --cell 20 \\
  -o docs/figures/spikes-weights.png
\`\`\`

\`\`\`
$(cat probe.txt)
\`\`\`

![the generative weights of models/trained/spikes.yaml: one 4x4 image per hidden unit, channel c at row c / 4, column c mod 4; units $assembly_units each have $(word "$size") large weights, on the channels of one planted assembly, units $spare_units only small ones](figures/spikes-weights.png)

Each small image is a hidden unit, its $channels channels laid out 4x4 (channel c at row c / 4,
column c mod 4), a white square's area its weight (the largest $top). Units $assembly_units each
weigh the $(word "$size") channels of one assembly, and nothing else; units $spare_units are the spares.
The trained network recovered the generator's numbers as well as its sets, although training
never saw them: the weights of the $(word "$assemblies") assembly units to their channels are $in_lo to $in_hi
(the member probability is $member) and at most $out_hi to the other channels; the leaks of the
channels are $leak_lo to $leak_hi (background $background); the prior of each assembly unit is $prior_lo to
$prior_hi (an assembly is active with probability $active), and of the spares $spare_priors, so
they are almost never used. \`tests/models/spikes_data_test.cpp\` checks the shipped data
against the generator and these weights against the planted assemblies.

### Which network, algorithm and rate

The same recording, $n_seeds training seeds for every row: for seed s the parameters are drawn from
\`seed: s\` and training runs with \`--seed s\`. Ten epochs, online (batch 1). "noisy-or 6" is a
network of the shape of \`models/spikes.yaml\` with 6 hidden units; "sigmoid 6" the same with
sigmoid channels. Mean over seeds ± half the range; the time is one training's wall-clock time
on this machine ($cpu), sharing it with the other experiments of \`scripts/reproduce\`.

\`\`\`sh
python3 scripts/spike_assemblies.py --helmholtz build/bin/helmholtz --seeds $seeds \\
  --rows $rows --spike-file
\`\`\`

$(cat table.md)

Two harder recordings, the same seeds: $unassigned more channels in no assembly ($((channels + unassigned)) channels), members
that fire with probability $harder_member only, and background firing $harder_background, with $(for b in $harder_bins; do thousands "$b"; done | paste -sd' ' - | sed 's/ / and with /') bins.

\`\`\`sh
for bins in $harder_bins; do
  python3 scripts/spike_assemblies.py --helmholtz build/bin/helmholtz --seeds $seeds \\
    --rows $harder_rows --bins \$bins \\
    --data-options "$harder_options"
done
\`\`\`

$(cat harder.md)

What the tables say:

- **Noisy-or channels with rws at rate 0.05 recovered every assembly in $(of_all "$rws_noisy" "$runs_all") runs**
  ($(word "$recordings") recordings, $(word "$n_seeds") seeds each), wake-sleep at the same rate in $ws_noisy of $runs_all. This is
  what \`models/spikes.yaml\` ships with, and its weights read directly as firing probabilities.
- **Sigmoid channels can do it too, at a smaller rate**: at 0.01, rws recovered all $(word "$assemblies")
  assemblies in $rws_sigmoid of $runs_all runs and wake-sleep in $ws_sigmoid of $runs_all ($ws_sigmoid_short on the short, noisy
  recording). At 0.05 sigmoid units also learn large negative weights (down to -$sigmoid_negative with
  seed 1, where the noisy-or's weights are probabilities, at most $(printf %.2f "$top")), $mixing;
  at 0.2 both plugins do so: wake-sleep recovered all $(word "$assemblies") in $noisy_fast of $n_seeds runs
  with noisy-or channels and $sigmoid_fast of $n_seeds with sigmoid ones.
- Noisy-or at 0.01 learns too slowly for ten epochs on the harder recordings (all $(word "$assemblies")
  recovered in $noisy_slow; its weights start at
  most 0.2 and learn in log-hazard coordinates).
- **Spare units help**: with exactly 4 hidden units, one per assembly, a run that lets one
  unit take two assemblies early cannot recover. Noisy-or channels with wake-sleep at 0.05
  recovered all $(word "$assemblies") in $four_units of $runs_all runs with 4 units, in $spare_runs of $(((1 + recordings) * n_seeds))
  with 6 or 8.
- Training is cheap: $noisy_times s for a noisy-or run, $sigmoid_times s for a sigmoid one ($steps online
  steps); the whole first table ($((n_rows * n_seeds)) trainings and probes) took $table_seconds s.

### From spike times: \`helmholtz data spikes\`

A real recording comes as spike times. \`--spike-file\` in the first command above writes the
recording as a spike file, \`channel time\` lines in ms, each 1 of bin k a spike at a random
time in [10 k + 0.5, 10 k + 9.5) ms, bins it again with \`helmholtz data spikes --bin 10
--channels $channels\`, checks the patterns and trains on them:

\`\`\`
$(cat spike-file.txt)
\`\`\`

(A binning ends at the bin of the last spike, so silent bins at the end of a recording are not
written.) With a recording of your own:

\`\`\`sh
helmholtz data spikes recording.txt --bin 10 --channels 16 > recording.data
helmholtz train models/spikes.yaml --data recording.data --algorithm rws --samples 5 --epochs 10 \\
  --learning-rate 0.05 --seed 1 -o recording.yaml
helmholtz probe recording.yaml --assemblies expected.assemblies --node assemblies   # if some are known
helmholtz render weights recording.yaml --shape 4x4 --direction generative -o recording-weights.png
\`\`\`

Without known assemblies, the weight picture and each unit's strongest channels are the
finding; \`models/spikes.yaml\` then needs its channel count (and perhaps more hidden units)
changed to fit the recording.

Everything in this section, $((1 + n_rows * n_seeds + 1 + $(wc -w <<< "$harder_bins") * n_harder * n_seeds)) trainings with their probes, took $seconds s.
MD
