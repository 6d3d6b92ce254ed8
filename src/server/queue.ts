/**
 * The job queues (pg-boss) that carry verification: one job per submission on VERIFY_QUEUE; a job
 * that used up its attempts, or whose worker vanished on its last one, moves to DEAD_QUEUE, where it
 * is recorded as rejected with E180 (./jobs.ts).
 *
 * @module
 */
export const VERIFY_QUEUE = 'capseal-verify';
export const DEAD_QUEUE = 'capseal-verify-dead';

/** A job's data: the submission it verifies. */
export interface VerifyJobData {
  submission_id: string;
}
