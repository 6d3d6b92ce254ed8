#!/usr/bin/env node
// The `capseal` command line. Results go to stdout, progress and errors to stderr.
// Exit codes: 0 ok, 1 rejected or failed check, 2 usage or I/O error.
import { Command, CommanderError } from 'commander';
import { packageVersion } from './package-info.js';

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
    .command('bench')
    .description('benchmarks: ntt, lde, leaves, merkle on --backend cpu|gpu|auto; gpu-vs-cpu; ntt-native (see capseal bench --help)')
    .helpOption(false)
    .allowUnknownOption()
    .argument('[args...]')
    .action(async (args: string[]) => {
      // bench/ holds the benchmarks; it is compiled next to src/ (dist/bench) and run from source by tsx.
      const bench = (await import(new URL('../../bench/main.js', import.meta.url).href)) as { main(a: string[]): Promise<number> };
      code = await bench.main(args.length ? args : ['--help']);
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
