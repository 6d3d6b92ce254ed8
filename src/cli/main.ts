#!/usr/bin/env node
/**
 * The `capseal` command line. Results go to stdout, progress and errors to stderr.
 * Exit codes: 0 ok, 1 rejected or failed check, 2 usage or I/O error.
 *
 * @module
 */
import { Command, CommanderError } from 'commander';
import { DEFAULT_SECURITY_BITS } from '../stark/options.js';
import { packageVersion } from '../package-info.js';

export async function run(argv: string[]): Promise<number> {
  let code = 0;
  const program = new Command('capseal')
    .description('STARK prover over Goldilocks with WebGPU kernels and a fast CPU core')
    .version(packageVersion(), '-V, --version', 'print the version')
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) })
    .showHelpAfterError('(run capseal --help for usage)');
  program
    .command('doctor')
    .description('show the GPU adapter, its limits, and check every GPU kernel against the CPU (exit 1 on any failure)')
    .option('--json', 'print one JSON report on stdout')
    .action(async (o: { json?: boolean }) => {
      const { doctor } = await import('./doctor.js');
      code = await doctor({ json: o.json === true });
    });
  program
    .command('prove')
    .description('prove a trace and write its capsule directory (capsule.json, policy.json, proofs/, row_archive/)')
    .requiredOption('--air <name>', 'trace adapter: geom, fib, agent, keccak, keccak_chain, keccak_merkle or mem_stream')
    .option('--steps <n>', 'trace rows, a power of two (geom, fib; default 4096)')
    .option('--input <file>', "the adapter's input JSON (agent: the action log; geom: {steps, initial?}; keccak: {message: hex, steps?}; keccak_chain, keccak_merkle, mem_stream: a benchmark workload's input, docs/workloads.md)")
    .requiredOption('--out <dir>', 'capsule directory to write (created if needed)')
    .option('--backend <kind>', 'auto, cpu or gpu', 'auto')
    .option('--policy <file>', 'policy file to bind (default: the built-in capseal_default policy)')
    .option('--anchor <key=value>', 'anchor bound into the statement (repeatable)', (v: string, acc: string[]) => [...acc, v], [] as string[])
    .option('--sign <keyfile>', 'sign the capsule hash with this key (capseal keygen)')
    .option('--chunk-len <n>', 'rows per row-archive chunk, a power of two up to the committed rows (default: 1024, or all of them when fewer)')
    .option('--json', 'print the result as one JSON line')
    .action(async (o: { air: string; steps?: string; input?: string; out: string; backend: string; policy?: string; anchor: string[]; sign?: string; chunkLen?: string; json?: boolean }) => {
      const { prove } = await import('./prove.js');
      code = await prove({ ...o, json: o.json === true });
    });
  program
    .command('verify')
    .description('verify a capsule (bef_capsule_v1 or agent_capsule_v1): exit 0 accepted, 1 rejected, 2 usage or I/O error')
    .argument('<capsule>', 'capsule.json (or agent_capsule.json); the files it names are read from its directory')
    .option('--policy <file>', 'hold the capsule to this policy file (default: the copy in the capsule directory)')
    .option('--acl <file>', 'bef_acl_v1 file: require a signature by a key active for the policy')
    .option('--registry-root <hex>', 'trusted policy-registry root (with --inclusion-proof)')
    .option('--inclusion-proof <file>', 'the policy\'s inclusion proof (capseal registry prove)')
    .option('--challenge-nonce <hex>', 'challenge DA audit: draw the chunks from this nonce instead of the self-audit seed')
    .option('--min-security <bits>', `minimum conjectured security of the proof (default ${DEFAULT_SECURITY_BITS}; the policy's min_security_bits also applies)`)
    .option('--actions <file>', 'agent capsules: the action log, to re-check the constraints')
    .option('--json', 'print the report as one JSON line')
    .action(async (path: string, o: { policy?: string; acl?: string; registryRoot?: string; inclusionProof?: string; challengeNonce?: string; minSecurity?: string; actions?: string; json?: boolean }) => {
      const { verify } = await import('./verify.js');
      code = await verify(path, { ...o, json: o.json === true });
    });
  program
    .command('keygen')
    .description('write a new secp256k1 key file for signing capsules (mode 0600) and print its public key')
    .requiredOption('--out <file>', 'key file to write')
    .option('--force', 'replace an existing file')
    .option('--json', 'print {"public_key","path"} as one JSON line')
    .action(async (o: { out: string; force?: boolean; json?: boolean }) => {
      const { keygen } = await import('./keygen.js');
      code = await keygen({ out: o.out, force: o.force === true, json: o.json === true });
    });
  const registry = program.command('registry').description('policy registry: an RFC 6962 Merkle tree of policy hashes');
  registry
    .command('build')
    .description('build a registry from policy files and print its root')
    .requiredOption('--policy <file...>', 'policy files, in leaf order')
    .requiredOption('--out <file>', 'registry file to write')
    .option('--json', 'print the registry as one JSON line')
    .action(async (o: { policy: string[]; out: string; json?: boolean }) => {
      const { registryBuild } = await import('./registry.js');
      code = await registryBuild({ policies: o.policy, out: o.out, json: o.json === true });
    });
  registry
    .command('prove')
    .description("write a policy's inclusion proof against a registry")
    .requiredOption('--registry <file>', 'registry file (capseal registry build)')
    .requiredOption('--policy <file>', 'the policy file')
    .option('--out <file>', 'inclusion proof file to write (default: stdout)')
    .option('--json', 'print as one JSON line')
    .action(async (o: { registry: string; policy: string; out?: string; json?: boolean }) => {
      const { registryProve } = await import('./registry.js');
      code = await registryProve({ registry: o.registry, policy: o.policy, out: o.out, json: o.json === true });
    });
  const bench = program.command('bench').description('CapsuleBench: benchmark runs as verifiable receipts (capsulepacks) under Benchmark Policy v1');
  bench
    .command('run')
    .description('run a workload at a size on a track and write its capsulepack (folder and .tgz); prints the .tgz path and capsule hash: exit 0 ok, 1 a failed run, 2 usage or I/O error')
    .requiredOption('--workload <id>', 'a workload of the policy (capseal bench list)')
    .option('--size <log2-rows>', 'trace rows as a power of two: 16 (the default) means 2^16 rows')
    .requiredOption('--track <id>', 'baseline_no_accel (CPU) or optimized_declared (GPU, every knob declared)')
    .option('--runs <n>', "measured runs, at most 1000 (default and minimum: the policy's)")
    .option('--warmups <n>', "warm-up runs before them, at most 100 (default and minimum: the policy's)")
    .option('--backend <kind>', 'cpu (baseline_no_accel), gpu or auto (optimized_declared); default: cpu, or gpu on optimized_declared')
    .option('--threads <n>', 'CPU worker threads, 1 to 256 (default: one per core)')
    .option('--sign <keyfile>', 'sign the capsule (capseal keygen); the certified tier needs it')
    .option('--out <dir>', 'a new folder for capsulepack/ and capsulepack.tgz (default: bench-results/<time>-<workload>-<size>-<track>-<4 hex digits>)')
    .option('--save-baseline <name>', 'save this run as a new baseline to compare later runs with')
    .option('--baseline <name>', 'compare with a saved baseline of the same workload, size, track and settings on this machine')
    .option('--stream <url>', 'stream the run\'s events live to a leaderboard server (capseal serve) as they are written')
    .option('--json', 'print the result as one JSON line')
    .action(async (o: { workload: string; size?: string; track: string; runs?: string; warmups?: string; backend?: string; threads?: string; sign?: string; out?: string; saveBaseline?: string; baseline?: string; stream?: string; json?: boolean }) => {
      const { benchRun } = await import('./bench.js');
      code = await benchRun({ ...o, json: o.json === true });
    });
  bench
    .command('verify')
    .description('check a capsulepack against the submission contract (seed 000 steps A–E, plus the pack, its events and log), one line per check: exit 0 accepted, 1 rejected, 2 usage or I/O error')
    .argument('<pack>', 'capsulepack.tgz, or a capsulepack folder (or the --out folder holding one)')
    .option('--certified', 'the certified tier: the policy in --registry-root, a signature, and a signer active in --acl')
    .option('--registry-root <hex>', 'trusted policy-registry root (with --certified)')
    .option('--acl <file>', 'bef_acl_v1 file of keys allowed to sign for the policy (with --certified)')
    .option('--challenge-nonce <hex>', 'challenge DA audit: draw the row chunks from this nonce instead of the self-audit seed (a pack that carries only the self-audit sample fails it)')
    .option('--json', 'print the report as one JSON line')
    .action(async (path: string, o: { certified?: boolean; registryRoot?: string; acl?: string; challengeNonce?: string; json?: boolean }) => {
      const { benchVerify } = await import('./bench.js');
      code = await benchVerify(path, { ...o, json: o.json === true });
    });
  bench
    .command('submit')
    .description('upload a capsulepack to a leaderboard server (capseal serve); with --wait, print its verdict check by check: exit 0 queued or accepted, 1 rejected or refused, 2 usage or I/O error')
    .argument('<pack>', 'capsulepack.tgz (or the --out folder of bench run)')
    .requiredOption('--server <url>', 'the server, e.g. http://127.0.0.1:8787')
    .option('--wait', 'wait for the verdict')
    .option('--timeout <seconds>', 'with --wait: give up after this long, exit 2 (default 600)')
    .option('--json', 'print the submission (with --wait: and its verdict) as one JSON line')
    .action(async (path: string, o: { server: string; wait?: boolean; timeout?: string; json?: boolean }) => {
      const { benchSubmit } = await import('./submit.js');
      code = await benchSubmit(path, { ...o, wait: o.wait === true, json: o.json === true });
    });
  bench
    .command('list')
    .description("the policy's workloads with their sizes, its tracks, its hash and the registry root")
    .option('--json', 'print one JSON object')
    .action(async (o: { json?: boolean }) => {
      const { benchList } = await import('./bench.js');
      code = await benchList({ json: o.json === true });
    });
  program
    .command('serve')
    .description('the leaderboard server: submissions verified by the submission contract and a challenge DA audit, the leaderboard, receipts and live runs over HTTP and WebSocket (stops on Ctrl-C)')
    .option('--host <address>', 'address to listen on', '127.0.0.1')
    .option('--port <n>', 'port to listen on (0: any free port)', '8787')
    .option('--data <dir>', 'data folder: the embedded PGlite database (without --db) and this process\'s sandboxes (default: $XDG_DATA_HOME/capseal/server)')
    .option('--db <url>', 'PostgreSQL instead of PGlite: postgres://user:pass@host:port/db')
    .option('--workers <n>', 'verification threads in this process, at most 64 (default: cores − 1, at most 4; 0 with --db: only capseal worker processes verify)')
    .option('--acl <file>', 'bef_acl_v1 file: turns on the certified tier (signed packs whose key is active for the policy)')
    .option('--registry-root <hex>', 'policy-registry root the certified tier trusts (default: the shipped registry\'s)')
    .option('--prices <file>', 'capseal_price_table_v1 file: $/hour per hardware class, for cost per proof')
    .option('--max-pack-bytes <n>', 'largest upload accepted (default 100663296: 96 MiB)')
    .option('--max-uploads <n>', 'uploads received at once before answering 503 (default 8)')
    .option('--job-expire-seconds <n>', 'a verification whose worker vanished is retried after this long (default 900)')
    .option('--web <dir>', 'the built web app to serve (default: the package\'s dist/demo, from npm run build)')
    .action(async (o: { host: string; port: string; data?: string; db?: string; workers?: string; acl?: string; registryRoot?: string; prices?: string; maxPackBytes?: string; maxUploads?: string; jobExpireSeconds?: string; web?: string }) => {
      const { serveCommand } = await import('./serve.js');
      code = await serveCommand(o);
    });
  program
    .command('worker')
    .description('more verification workers for a capseal serve on PostgreSQL, on this or another machine (stops on Ctrl-C)')
    .requiredOption('--db <url>', "the server's PostgreSQL: postgres://user:pass@host:port/db")
    .option('--workers <n>', 'verification threads, 1 to 64 (default: one per core)')
    .option('--acl <file>', 'bef_acl_v1 file for the certified tier (as the server has it)')
    .option('--registry-root <hex>', 'policy-registry root the certified tier trusts (default: the shipped registry\'s)')
    .option('--job-expire-seconds <n>', 'a verification whose worker vanished is retried after this long (default 900)')
    .action(async (o: { db: string; workers?: string; acl?: string; registryRoot?: string; jobExpireSeconds?: string }) => {
      const { workerCommand } = await import('./serve.js');
      code = await workerCommand(o);
    });
  program
    .command('perf')
    .description('performance benchmarks: ntt, lde, leaves, merkle, prove (a whole proof) on --backend cpu|gpu|auto; gpu-vs-cpu; ntt-native; server (a load test of the leaderboard server) (see capseal perf --help)')
    .helpOption(false)
    .allowUnknownOption()
    .argument('[args...]')
    .action(async (args: string[]) => {
      // bench/ holds the benchmarks; it is compiled next to src/ (dist/bench) and run from source by tsx.
      const perf = (await import(new URL('../../bench/main.js', import.meta.url).href)) as { main(a: string[]): Promise<number> };
      code = await perf.main(args); // no name: a usage error there, as from npm run perf
    });
  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : 2;
    throw e;
  }
  return code;
}

run(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`capseal: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(2);
  },
);
