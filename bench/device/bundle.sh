#!/usr/bin/env bash
# Packs what the GPU-target benchmarks need on a lent device machine (see bench/device/README.md)
# into .device/ (git-ignored), for `run` to carry: the built package (dist/), the runtime npm
# packages (dawn.node for linux-x64 only), this machine's node binary (the device image may lack
# one) and the Vulkan loader's Debian packages (dawn.node needs libvulkan.so.1). Run it here, after
# `npm ci`; it stays under the 64 MiB a run may carry.
set -euo pipefail
cd "$(dirname "$0")/../.."
[ "$(uname -m)" = x86_64 ] || { echo "bundle.sh: the device is x86-64; build the bundle on an x86-64 machine" >&2; exit 2; }

npm run build >/dev/null
rm -rf .device
mkdir -p .device/gl
tar -cJf .device/app.tar.xz --exclude='node_modules/webgpu/dist/[!l]*' --exclude='node_modules/webgpu/dist/linux-arm64' \
  dist node_modules/webgpu/package.json node_modules/webgpu/index.js node_modules/webgpu/dist \
  node_modules/@noble node_modules/zod node_modules/commander package.json
xz -T0 -6 -c "$(command -v node)" >.device/node.xz

apt_opts=(-oAPT::Architecture=amd64 -oAPT::Architectures=amd64 -oDir::State::Lists=/tmp/capseal-apt-lists)
mkdir -p /tmp/capseal-apt-lists/partial
apt-get "${apt_opts[@]}" update -qq
(cd .device/gl && apt-get "${apt_opts[@]}" download libvulkan1 >/dev/null)

du -sh .device >&2
