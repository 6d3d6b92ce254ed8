/**
 * The pack verifier's stable error codes for packs and benchmark rules (seed 000 "Capsule submission
 * contract" A–E, checks 1–17): E1xx here, the capsule's E0xx in ../capsule/codes.ts. One registry,
 * the README's table is made from the same words. Codes are never renamed or reused; new ones are
 * only added. `check` names the contract step (seed numbering, P for the pack itself, V for events).
 *
 * @module
 */

export interface BenchErrorInfo {
  readonly check: string;
  readonly meaning: string;
  readonly action: string;
}

export const BENCH_ERROR_CODES = {
  E100_PACK_UNREADABLE: {
    check: 'P archive',
    meaning: 'the pack is not a gzip-compressed tar archive, or it is cut off or corrupt',
    action: 'make the pack again (capseal bench run writes capsulepack.tgz)',
  },
  E101_PACK_UNSAFE_ENTRY: {
    check: 'P archive',
    meaning: 'an entry is a link, device, FIFO or other non-file, or its path is absolute, has "..", or leaves capsulepack/',
    action: 'a pack holds only plain files and folders under capsulepack/; do not trust this one',
  },
  E102_PACK_TOO_LARGE: {
    check: 'P archive',
    meaning: 'the pack has too many entries, or too many bytes in all or in one file (counted while decompressing)',
    action: 'keep the pack within the limits (a full row archive only for small runs)',
  },
  E103_PACK_TRAILING_DATA: {
    check: 'P archive',
    meaning: 'bytes follow the end of the gzip stream or the tar end-of-archive marker',
    action: 'the file was appended to or damaged; use the pack as the runner wrote it',
  },
  E110_PACK_LAYOUT: {
    check: 'P layout',
    meaning: 'a file the pack needs is missing, or the pack holds a file or folder the layout does not name',
    action: 'a pack holds exactly the files of the capsulepack layout (README); regenerate it',
  },
  E111_PACK_META_MISMATCH: {
    check: 'P layout',
    meaning: 'pack_meta.json is not valid bef_capsulepack_v1 or disagrees with the capsule or the files',
    action: 'regenerate the pack; pack_meta.json is an index of its files',
  },
  E120_POLICY_NOT_BENCHMARK: {
    check: 'B6 policy',
    meaning: 'the policy is not a valid bef_benchmark_policy_v1 document',
    action: 'run under a benchmark policy (capseal bench list shows the shipped one)',
  },
  E121_POLICY_NOT_TRUSTED: {
    check: 'B6 policy',
    meaning: 'the policy is not in the policy registry this verifier trusts',
    action: 'run under a published policy, or verify with --certified --registry-root for another registry',
  },
  E122_WORKLOAD_REGISTRY_MISMATCH: {
    check: 'B6 policy',
    meaning: "the policy's workload_registry_hash is not the workload registry this verifier implements",
    action: 'use a verifier of the same suite version',
  },
  E130_REQUIRED_ANCHOR_MISSING: {
    check: 'C10 anchors',
    meaning: 'an anchor the policy requires is absent from the statement',
    action: 'run with capseal bench run, which sets every required anchor',
  },
  E131_UNKNOWN_WORKLOAD: {
    check: 'C10 anchors',
    meaning: 'workload_id is not in the policy, or not implemented by this verifier, or not what the capsule proves',
    action: 'run a workload the policy lists (capseal bench list)',
  },
  E132_UNKNOWN_TRACK: {
    check: 'C10 anchors',
    meaning: 'track_id is not one of the policy tracks',
    action: 'run on a track the policy lists',
  },
  E133_MANIFEST_INVALID: {
    check: 'C11–12 manifests',
    meaning: 'a manifest is not valid JSON of its schema',
    action: 'regenerate the pack; manifests are collected by the runner',
  },
  E134_MANIFEST_HASH_MISMATCH: {
    check: 'C11–12 manifests',
    meaning: "a manifest's SHA-256 differs from its anchor, the toolchain's build_hash, commit or runner disagree with their anchors, or the knobs contradict the capsule (proof options, chunk length, track)",
    action: 'the manifest was edited after the run; obtain the original pack',
  },
  E135_WORKLOAD_INPUT_MISMATCH: {
    check: 'C13 workload input',
    meaning: "workload_input_hash is not the hash of the input the policy's seed generates, or the proved public inputs are not that input's",
    action: 'the proof is not of the benchmark workload; run it with capseal bench run',
  },
  E136_SIZE_NOT_IN_POLICY: {
    check: 'C13 size',
    meaning: "the proved trace size is not one the policy lists for the workload, or disagrees with the run's size",
    action: 'run a size the policy lists (capseal bench list)',
  },
  E137_TRACK_RULE_VIOLATION: {
    check: 'B9 track rules',
    meaning: "the run breaks its track's rules (a backend it does not allow, a GPU on a no-GPU track, no adapter declared where one is required)",
    action: 'run on the track that matches the backend (--track)',
  },
  E138_PROOF_OPTIONS_NOT_POLICY: {
    check: 'B9 proof options',
    meaning: "the proof's STARK options are not the policy's proof_options",
    action: 'run with capseal bench run, which proves at the policy\'s options',
  },
  E139_ANCHOR_UNCHECKED: {
    check: 'C10 anchors',
    meaning: 'the statement binds an anchor the runner does not make, or one derived from the input that is not the generated input\'s',
    action: 'a benchmark statement holds only the anchors this verifier recomputes or checks; run with capseal bench run',
  },
  E140_BENCHMARK_BLOCK_MISSING: {
    check: 'P capsule',
    meaning: 'the capsule has no benchmark block, or its run_id differs from the pack\'s',
    action: 'this is a plain capsule, not a benchmark run; make it with capseal bench run',
  },
  E142_RUNNER_LOG_MISMATCH: {
    check: 'P capsule',
    meaning: "logs/runner.log's SHA-256 differs from the capsule's benchmark.runner_log_hash",
    action: 'the log was edited after sealing; obtain the original pack',
  },
  E150_MEASUREMENTS_INVALID: {
    check: 'D14 outputs',
    meaning: 'measurements.json is not valid capsulebench_measurements_v1, or it is for another run, workload, track or size',
    action: 'regenerate the pack',
  },
  E151_REQUIRED_OUTPUT_MISSING: {
    check: 'D14 outputs',
    meaning: 'a public output the policy requires is missing or zero where it cannot be',
    action: 'run with a runner that reports every required output',
  },
  E152_MEASUREMENTS_HASH_MISMATCH: {
    check: 'D14 outputs',
    meaning: "measurements.json's SHA-256 differs from the capsule's benchmark.measurements_hash",
    action: 'the measurements were edited after sealing; obtain the original pack',
  },
  E153_MEASUREMENT_INCONSISTENT: {
    check: 'D15 consistency',
    meaning: 'a measurement contradicts the pack: proof size, result digest, run counts against the policy, summaries against the runs, throughput, verifier build, capsule stats',
    action: 'the measurements do not describe this proof; regenerate the pack',
  },
  E154_RUNS_DISAGREE: {
    check: 'D15 consistency',
    meaning: 'the warm-up and measured runs did not all give the proof in the pack (nondeterminism)',
    action: 'a prover must give the same bytes every run; report it as a bug',
  },
  E160_EVENTS_MALFORMED: {
    check: 'V events',
    meaning: 'events.jsonl is not one canonical bef_capsule_stream_v1 event per line with valid data',
    action: 'regenerate the pack',
  },
  E161_EVENTS_CHAIN_BROKEN: {
    check: 'V events',
    meaning: 'an event breaks the chain: seq out of order, prev_event_hash not the previous line\'s hash, another run_id, time going back',
    action: 'the log was edited or cut; obtain the original pack',
  },
  E162_EVENTS_HEAD_MISMATCH: {
    check: 'V events',
    meaning: "the chain head at proof_artifact is not the capsule's benchmark.events_chain_head",
    action: 'the log up to the proof was edited or rewritten; obtain the original pack',
  },
  E163_EVENT_MISMATCH: {
    check: 'V events',
    meaning: 'an event disagrees with the pack (trace spec, chunk roots, root, statement, proof, capsule hash, signature) or the required events are missing or out of order',
    action: 'the log does not describe this run; obtain the original pack',
  },
  E170_CERTIFICATION_INCOMPLETE: {
    check: 'B7 certified',
    meaning: 'the certified tier was asked for but the pack has no policy inclusion proof',
    action: 'make the pack with a policy from the registry, or verify for the community tier',
  },
  E180_VERIFICATION_FAILED: {
    check: 'S server',
    meaning: 'the server could not finish verifying the pack: the verifier crashed or ran past its time limit on every attempt',
    action: 'check that the pack is within the policy\'s sizes; the server operator has the details',
  },
  E181_ALREADY_ON_BOARD: {
    check: 'S server',
    meaning: 'the capsule or its run id is already on the leaderboard: this copy was submitted while the first was being verified',
    action: 'nothing to do: the first submission is the run\'s entry (the message links it)',
  },
} as const satisfies Record<string, BenchErrorInfo>;

export type BenchErrorCode = keyof typeof BENCH_ERROR_CODES;
