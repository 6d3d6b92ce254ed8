#!/usr/bin/env bash
# On a lent device machine (bench/device/README.md): unpacks the bundle carried in .device/, points
# dawn.node at the NVIDIA Vulkan driver, then runs `capseal doctor` and the benchmarks behind the
# issues' GPU targets, each JSON record appended to $OUT/targets.jsonl (or bench-results/), every
# step's stderr to steps.log beside it (two files: the device tool returns at most 8). A failing
# step is reported and the rest still run.
set -uo pipefail
cd "$(dirname "$0")/../.."
out=${OUT:-bench-results}
mkdir -p "$out"
[ -f .device/app.tar.xz ] || { echo "targets.sh: no .device/ bundle; run bench/device/bundle.sh and carry .device" >&2; exit 2; }

tar -xJf .device/app.tar.xz
if command -v node >/dev/null; then node=$(command -v node); else xz -dc .device/node.xz >/tmp/node && chmod +x /tmp/node && node=/tmp/node; fi
for f in .device/gl/*.deb; do dpkg -x "$f" /; done
ldconfig
icd=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
[ -f "$icd" ] && export VK_DRIVER_FILES=$icd
echo "node $("$node" --version), $(nvidia-smi --query-gpu=name,driver_version --format=csv,noheader 2>/dev/null || echo 'no nvidia-smi')" >&2

step() {
  local name=$1 t0=$SECONDS code
  shift
  echo "== $name: $*" | tee -a "$out/steps.log" >&2
  "$node" "$@" >>"$out/targets.jsonl" 2>>"$out/steps.log"
  code=$?
  echo "   exit $code, $((SECONDS - t0)) s" | tee -a "$out/steps.log" >&2
}
# The issues' target sizes; smaller ones (e.g. all set to 10) check this script on SwiftShader.
ntt=${NTT_LOG_N:-24} lde=${LDE_LOG_N:-20} merkle=${MERKLE_LOG_N:-23} prove=${PROVE_LOG_N:-20}
cli=dist/src/cli/main.js perf=dist/bench/main.js
step doctor "$cli" doctor --json
step ntt "$perf" ntt --backend gpu --log-n "$ntt" --json
step lde "$perf" lde --backend gpu --log-n "$lde" --cols 64 --blowup 8 --json
step merkle "$perf" merkle --backend gpu --log-n "$merkle" --json
# The same inputs on both backends in one process, outputs compared; the LDE two sizes down keeps
# the CPU copy of its output (rows × 8 × 64 columns × 8 bytes) at 1 GiB.
step vs-ntt "$perf" gpu-vs-cpu --op ntt --log-n "$ntt" --runs 5 --json
step vs-lde "$perf" gpu-vs-cpu --op lde --log-n $((lde - 2)) --cols 64 --runs 5 --json
step vs-leaves "$perf" gpu-vs-cpu --op leaves --log-n "$lde" --runs 5 --json
step vs-merkle "$perf" gpu-vs-cpu --op merkle --log-n "$merkle" --runs 5 --json
# Per-stage times of a GPU proof, then both backends on the same proof: equal bytes, and the speedup.
step prove-gpu "$perf" prove --air geom --log-n "$prove" --backend gpu --json
step vs-prove "$perf" gpu-vs-cpu --op prove --air geom --log-n "$prove" --runs 3 --json
