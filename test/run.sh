#!/usr/bin/env bash
# The one command that runs every test on a fresh Debian machine (as root): installs what the tests
# need — Debian's chromium and libvulkan1 (SwiftShader WebGPU for the GPU suites) and the npm
# packages (whose `prepare` step compiles the WebAssembly kernels) — then type-checks and runs vitest.
# The GPU suites (gpu-tests/) run on dawn.node and in headless Chromium; CAPSEAL_REQUIRE_GPU=1 makes
# a missing adapter a failure rather than a skip. On a machine without a Vulkan driver they use
# SwiftShader. .ci/run calls this script; README.md documents it.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
for pkg in chromium libvulkan1; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || need+=("$pkg")
done
if ((${#need[@]})); then
  echo "installing Debian packages: ${need[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

npm ci --no-audit --no-fund
CAPSEAL_REQUIRE_GPU=1 npm test
