#!/usr/bin/env bash
# The one command that runs every test on a fresh Debian machine (as root): installs what the tests
# need — Debian's chromium and libvulkan1 (SwiftShader WebGPU for the GPU suites), postgresql (the
# server suites run on PGlite and on a real PostgreSQL) and the npm packages (whose `prepare` step
# compiles the WebAssembly kernels) — then type-checks and runs vitest, every test at least once, on two Nodes:
# - the Node on PATH (Node 20 on CI, the oldest line package.json's engines allow: >= 20.19), which
#   also runs npm ci: the type-check, the dependency rules (npm run deps), the GPU suites (gpu-tests/) and a smoke of the CPU suite
#   (NODE20_SMOKE below);
# - Node 22 LTS, pinned to NODE22_VERSION: the whole CPU suite (test/, the smoke files included).
# Node 22 comes from the npm registry as the platform package node-linux-<arch> (the binary the `node`
# package's preinstall script would fetch, without the script), into a temporary folder removed at the
# end; a failed install fails the run. The node_modules that npm ci built serve both Nodes (its native
# addons — dawn.node, rolldown, lightningcss — are N-API). Each suite runs whatever the other's
# result; the run fails if either fails; stderr says which Node ran what, how long it took, and how
# it ended. 17 to 22½ minutes on the 2-core development machine, npm ci included (see README.md).
# PostgreSQL: a throwaway cluster in a temporary folder, on a free loopback port, with a random
# password, started with initdb + pg_ctl (as the postgres user when run as root) and stopped and
# removed at the end; its URL reaches both Nodes' tests as CAPSEAL_TEST_PG_URL.
# The GPU suites run on dawn.node and in headless Chromium; CAPSEAL_REQUIRE_GPU=1 makes a missing
# adapter a failure rather than a skip. On a machine without a Vulkan driver they use SwiftShader.
# .ci/run calls this script; README.md documents it.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
for pkg in chromium libvulkan1 postgresql; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || need+=("$pkg")
done
if ((${#need[@]})); then
  echo "installing Debian packages: ${need[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

npm ci --no-audit --no-fund

# --- Node 22 LTS, from the npm registry ---
NODE22_VERSION=22.23.3
n22dir=$(mktemp -d /tmp/capseal-node22.XXXXXX)
trap 'rm -rf "$n22dir"' EXIT
n22pkg="node-linux-$(node -p process.arch)"
echo "installing $n22pkg@$NODE22_VERSION from the npm registry" >&2
npm install --prefix "$n22dir" --no-save --ignore-scripts --no-audit --no-fund "$n22pkg@$NODE22_VERSION" >&2
node22="$n22dir/node_modules/$n22pkg/bin/node"
got=$("$node22" --version) || { echo "Node 22 install failed: $node22 does not run" >&2; exit 1; }
[ "$got" = "v$NODE22_VERSION" ] || { echo "Node 22 install failed: $node22 is $got, not v$NODE22_VERSION" >&2; exit 1; }

# --- a throwaway PostgreSQL ---
pgbin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
pgdir=$(mktemp -d /tmp/capseal-pg.XXXXXX)
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
[ "$(id -u)" = 0 ] && chown postgres "$pgdir"
stop_pg() {
  as_pg "$pgbin/pg_ctl" -D "$pgdir/data" -m immediate -w stop >/dev/null 2>&1 || true
  rm -rf "$pgdir"
}
trap 'stop_pg; rm -rf "$n22dir"' EXIT
pgport=$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
pgpass=$(node -e 'console.log(require("crypto").randomBytes(18).toString("hex"))')
(umask 077; echo "$pgpass" > "$pgdir/pw")
[ "$(id -u)" = 0 ] && chown postgres "$pgdir/pw"
as_pg "$pgbin/initdb" -D "$pgdir/data" -U postgres -A scram-sha-256 --pwfile="$pgdir/pw" --no-sync >/dev/null
as_pg "$pgbin/pg_ctl" -D "$pgdir/data" -l "$pgdir/log" -w -o "-c listen_addresses=127.0.0.1 -p $pgport -c unix_socket_directories=$pgdir -c fsync=off -c max_connections=200" start >/dev/null
export CAPSEAL_TEST_PG_URL="postgres://postgres:$pgpass@127.0.0.1:$pgport/postgres"
echo "PostgreSQL $("$pgbin/postgres" --version | awk '{print $3}') for the tests on 127.0.0.1:$pgport" >&2

# --- the tests: every file once; both suites run, whatever the other's result ---
# A smoke of the CPU suite on the older Node: the WebAssembly kernels, prover and verifier, capsules,
# a CapsuleBench run, files on disk, the HTTP server (under a minute; gpu-tests/ runs the CLI as a
# child process there: capseal doctor and perf).
NODE20_SMOKE=(test/field.test.ts test/stark.test.ts test/capsule.test.ts test/capsulebench.test.ts
  test/files-node.test.ts test/server-web.test.ts test/adapter-example.test.ts)
export CAPSEAL_REQUIRE_GPU=1
summary=()
suite() { # suite NODE LABEL COMMAND...: runs COMMAND with NODE first on PATH, notes the outcome
  local bin=$1 label=$2 t0=$SECONDS rc=0; shift 2
  local ver; ver=$("$bin" --version)
  echo "=== node $ver: $label ===" >&2
  PATH="$(dirname "$bin"):$PATH" "$@" || rc=$?
  summary+=("node $ver: $label: $([ $rc = 0 ] && echo passed || echo "FAILED (exit $rc)") in $((SECONDS - t0)) s")
  return $rc
}
node20=$(command -v node)
fail=0
suite "$node20" "type-check, dependency rules, gpu-tests/ and a CPU smoke (${#NODE20_SMOKE[@]} files of test/)" \
  bash -c 'npm run --silent typecheck && npm run --silent deps && node node_modules/vitest/vitest.mjs run "$PWD/gpu-tests/" "${@/#/$PWD/}"' _ "${NODE20_SMOKE[@]}" || fail=1
suite "$node22" "the CPU suite (test/)" node node_modules/vitest/vitest.mjs run "$PWD/test/" || fail=1
printf '%s\n' "${summary[@]}" >&2
exit $fail
