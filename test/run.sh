#!/usr/bin/env bash
# The one command that runs every test on a fresh Debian machine (as root): installs what the tests
# need — Debian's chromium and libvulkan1 (SwiftShader WebGPU for the GPU suites), postgresql (the
# server suites run on PGlite and on a real PostgreSQL) and the npm packages (whose `prepare` step
# compiles the WebAssembly kernels) — then type-checks and runs vitest.
# PostgreSQL: a throwaway cluster in a temporary folder, on a free loopback port, with a random
# password, started with initdb + pg_ctl (as the postgres user when run as root) and stopped and
# removed at the end; its URL reaches the tests as CAPSEAL_TEST_PG_URL.
# The GPU suites (gpu-tests/) run on dawn.node and in headless Chromium; CAPSEAL_REQUIRE_GPU=1 makes
# a missing adapter a failure rather than a skip. On a machine without a Vulkan driver they use
# SwiftShader. .ci/run calls this script; README.md documents it.
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

# --- a throwaway PostgreSQL ---
pgbin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
pgdir=$(mktemp -d /tmp/capseal-pg.XXXXXX)
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
[ "$(id -u)" = 0 ] && chown postgres "$pgdir"
stop_pg() {
  as_pg "$pgbin/pg_ctl" -D "$pgdir/data" -m immediate -w stop >/dev/null 2>&1 || true
  rm -rf "$pgdir"
}
trap stop_pg EXIT
pgport=$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
pgpass=$(node -e 'console.log(require("crypto").randomBytes(18).toString("hex"))')
(umask 077; echo "$pgpass" > "$pgdir/pw")
[ "$(id -u)" = 0 ] && chown postgres "$pgdir/pw"
as_pg "$pgbin/initdb" -D "$pgdir/data" -U postgres -A scram-sha-256 --pwfile="$pgdir/pw" --no-sync >/dev/null
as_pg "$pgbin/pg_ctl" -D "$pgdir/data" -l "$pgdir/log" -w -o "-c listen_addresses=127.0.0.1 -p $pgport -c unix_socket_directories=$pgdir -c fsync=off -c max_connections=200" start >/dev/null
export CAPSEAL_TEST_PG_URL="postgres://postgres:$pgpass@127.0.0.1:$pgport/postgres"
echo "PostgreSQL $("$pgbin/postgres" --version | awk '{print $3}') for the tests on 127.0.0.1:$pgport" >&2

CAPSEAL_REQUIRE_GPU=1 npm test
