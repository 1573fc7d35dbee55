#!/usr/bin/env bash
# The CMake package from outside, as a user meets it (run by CTest, tests "package: ..."):
#   check_package.sh install BUILD WORK "CXX_FLAGS" BUILD_TYPE
#       cmake --install BUILD into WORK/prefix, then configure and build tests/package/ (a
#       project of its own) against it with find_package(helmholtz).
#   check_package.sh model-file WORK      a model naming libprobit.so in `plugins:` samples,
#       trains and gives the same exact log p(d) as probit compiled into a program.
#   check_package.sh option WORK          the same model without `plugins:`, given
#       `--plugin libprobit.so`, gives the same samples and log p(d).
# Every check that fails prints what differed and exits 1.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
mode=$1
fail() { echo "FAILED: $*" >&2; exit 1; }

# Two lists of numbers, one per line, must be equal to the last bit (as Python reads them).
same_numbers() {  # FILE_A FILE_B WHAT
  python3 - "$1" "$2" "$3" <<'PY'
import sys
a = [float(x) for x in open(sys.argv[1]).read().split()]
b = [float(x) for x in open(sys.argv[2]).read().split()]
if len(a) != len(b) or len(a) == 0 or a != b:
    print("FAILED:", sys.argv[3], "differ:", len(a), "and", len(b), "numbers;",
          [(i, x, y) for i, (x, y) in enumerate(zip(a, b)) if x != y][:5])
    sys.exit(1)
print("same", len(a), "numbers:", sys.argv[3])
PY
}

# exact --json's log_likelihood, one per line.
log_likelihoods() {  # JSON_FILE
  python3 -c 'import json,sys; [print(repr(x)) for x in json.load(open(sys.argv[1]))["log_likelihood"]]' "$1"
}

case "$mode" in
install)
  build=$2 work=$3 flags=$4 type=$5
  rm -rf "$work" && mkdir -p "$work"
  cmake --install "$build" --prefix "$work/prefix" >"$work/install.log"
  for f in lib/cmake/helmholtz/helmholtzConfig.cmake lib/cmake/helmholtz/helmholtzConfigVersion.cmake \
           include/helmholtz/framework/version.hpp include/helmholtz/framework/plugin_library.hpp \
           include/helmholtz/plugins/builtin.hpp bin/helmholtz; do
    [ -e "$work/prefix/$f" ] || fail "cmake --install put no $f under the prefix"
  done
  version=$("$work/prefix/bin/helmholtz" --version | head -n 1)
  [ "$version" = "helmholtz $(sed -n 's/^#define HELMHOLTZ_VERSION "\(.*\)"$/\1/p' "$work/prefix/include/helmholtz/framework/version.hpp")" ] ||
    fail "the installed program says '$version'"
  cmake -S "$here" -B "$work/build" -DCMAKE_PREFIX_PATH="$work/prefix" -DCMAKE_BUILD_TYPE="$type" \
        -DCMAKE_CXX_FLAGS="$flags" >"$work/configure.log" || { cat "$work/configure.log"; fail "configuring"; }
  cmake --build "$work/build" -j 2 >"$work/build.log" 2>&1 || { cat "$work/build.log"; fail "building"; }
  [ -f "$work/build/libprobit.so" ] || fail "no libprobit.so"
  echo "installed, and built libprobit.so and probit_compiled_in against the package"
  ;;
model-file)
  work=$2 hm="$2/prefix/bin/helmholtz" b="$2/build"
  # The model beside the library, naming it relative to itself.
  { echo "plugins: [libprobit.so]"; cat "$here/probit.yaml"; } >"$b/with-plugin.yaml"
  "$hm" check "$b/with-plugin.yaml" >/dev/null
  "$hm" sample "$b/with-plugin.yaml" -n 300 --seed 2 >"$b/data.txt"
  [ "$(grep -c . "$b/data.txt")" = 300 ] || fail "sample gave $(grep -c . "$b/data.txt") patterns"
  "$hm" exact "$b/with-plugin.yaml" --data "$b/data.txt" --json >"$b/exact.json"
  log_likelihoods "$b/exact.json" >"$b/exact-plugin.txt"
  "$b/probit_compiled_in" "$here/probit.yaml" "$b/data.txt" >"$b/exact-compiled-in.txt"
  same_numbers "$b/exact-plugin.txt" "$b/exact-compiled-in.txt" "exact log p(d), plugin library vs compiled in"
  # Trained into another folder: the library is named relative to the new file.
  mkdir -p "$work/out"
  "$hm" train "$b/with-plugin.yaml" --data "$b/data.txt" --seed 5 --epochs 3 --quiet -o "$work/out/trained.yaml"
  grep -qxF -- "  - ../build/libprobit.so" "$work/out/trained.yaml" ||
    fail "the trained model does not name ../build/libprobit.so: $(grep -A2 plugins "$work/out/trained.yaml")"
  cmp -s "$b/with-plugin.yaml" "$work/out/trained.yaml" && fail "training changed nothing"
  "$hm" exact "$work/out/trained.yaml" --data "$b/data.txt" --json >"$work/out/exact.json"
  log_likelihoods "$work/out/exact.json" >"$work/out/exact-plugin.txt"
  # The compiled-in program reads the trained model without its plugins: entry.
  python3 -c 'import sys; lines=open(sys.argv[1]).read().split("\n"); i=lines.index("plugins:"); print("\n".join(lines[:i]+lines[i+2:]))' \
    "$work/out/trained.yaml" >"$work/out/trained-bare.yaml"
  "$b/probit_compiled_in" "$work/out/trained-bare.yaml" "$b/data.txt" >"$work/out/exact-compiled-in.txt"
  same_numbers "$work/out/exact-plugin.txt" "$work/out/exact-compiled-in.txt" "exact log p(d) of the trained model"
  cmp -s "$work/out/exact-plugin.txt" "$b/exact-plugin.txt" && fail "the trained model gives the untrained log p(d)"
  echo "ok"
  ;;
option)
  work=$2 hm="$2/prefix/bin/helmholtz" b="$2/build"
  { echo "plugins: [libprobit.so]"; cat "$here/probit.yaml"; } >"$b/with-plugin-2.yaml"
  "$hm" sample "$here/probit.yaml" -n 300 --seed 3 --plugin "$b/libprobit.so" >"$b/data-option.txt"
  "$hm" sample "$b/with-plugin-2.yaml" -n 300 --seed 3 >"$b/data-model-file.txt"
  cmp "$b/data-option.txt" "$b/data-model-file.txt" || fail "--plugin samples differ from plugins: samples"
  "$hm" exact "$here/probit.yaml" --data "$b/data-option.txt" --json --plugin "$b/libprobit.so" >"$b/exact-option.json"
  log_likelihoods "$b/exact-option.json" >"$b/exact-option.txt"
  "$b/probit_compiled_in" "$here/probit.yaml" "$b/data-option.txt" >"$b/exact-compiled-in-2.txt"
  same_numbers "$b/exact-option.txt" "$b/exact-compiled-in-2.txt" "exact log p(d), --plugin vs compiled in"
  # Named by both the model file and --plugin: loaded once, no clash with itself.
  "$hm" check "$b/with-plugin-2.yaml" --plugin "$b/libprobit.so" >/dev/null
  # Without the library, the model is refused with the registered names.
  if "$hm" check "$here/probit.yaml" >/dev/null 2>"$b/refused.txt"; then fail "probit.yaml passed check without its plugin"; fi
  grep -q "unknown distribution 'probit'" "$b/refused.txt" || fail "message: $(cat "$b/refused.txt")"
  echo "ok"
  ;;
*) fail "unknown mode $mode" ;;
esac
