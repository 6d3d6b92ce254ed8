/**
 * The OpenAPI 3.1 document of the HTTP API, generated from the zod schemas in ./api-schemas.ts
 * (JSON Schema 2020-12, which OpenAPI 3.1 uses as is). Served at /api/openapi.json.
 *
 * @module
 */
import { z } from 'zod';
import * as S from './api-schemas.js';

type Schema = z.ZodType;

const json = (schema: Schema) => ({ 'application/json': { schema: z.toJSONSchema(schema, { io: 'output', unrepresentable: 'any' }) } });
const err = (description: string) => ({ description, content: json(S.ErrorSchema) });

/** Query parameters from a strict object schema. */
function queryParams(schema: z.ZodObject): object[] {
  const js = z.toJSONSchema(schema, { io: 'input' }) as { properties: Record<string, object & { description?: string }>; required?: string[] };
  return Object.entries(js.properties).map(([name, s]) => ({ name, in: 'query', required: js.required?.includes(name) ?? false, schema: s, ...(s.description ? { description: s.description } : {}) }));
}
const pathParam = (name: string, description: string) => ({ name, in: 'path', required: true, schema: { type: 'string' }, description });
const formats = (description: string, schema: Schema) => ({ description, content: { ...json(schema), 'text/csv': { schema: { type: 'string' } } } });

export function openApiDocument(version: string): object {
  return {
    openapi: '3.1.0',
    info: {
      title: 'CapSeal leaderboard API', version,
      description: 'Benchmarks as receipts: the server lists only capsulepacks it has verified itself (the submission contract, a challenge DA audit). Live runs stream over WebSocket: ingest at /api/live/{run_id}/ingest (Bearer token from POST /api/live), watch at /api/live/{run_id}?from_seq=N.',
    },
    components: { securitySchemes: { liveToken: { type: 'http', scheme: 'bearer', description: 'the token POST /api/live returned' } } },
    paths: {
      '/api/submissions': {
        post: {
          summary: 'Submit a capsulepack (.tgz body); verified in the background',
          requestBody: { required: true, content: { 'application/gzip': { schema: { type: 'string', format: 'binary' } }, 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } } },
          responses: {
            202: { description: 'queued for verification', content: json(S.SubmissionCreatedSchema) },
            409: err('the same capsule or run was already submitted (links to the first)'),
            411: err('no Content-Length and no chunked body'),
            413: err('the body is larger than the limit (refused at once when declared, cut when streamed)'),
            408: err('the sender was too slow'),
            415: err('not application/gzip or application/octet-stream'),
            422: { description: 'the archive cannot be opened safely: recorded as rejected', content: json(S.SubmissionSchema) },
            503: err('too many uploads at once, or too many waiting for a verifier (see Retry-After)'),
          },
        },
        get: { summary: 'The newest submissions, every verdict included (rejections too)', parameters: queryParams(S.SubmissionsQuerySchema),
          responses: { 200: formats('submissions', S.SubmissionsSchema), 400: err('a bad filter') } },
      },
      '/api/submissions/{id}': {
        get: { summary: 'A submission: status queued → verifying → accepted | rejected, and its verdict', parameters: [pathParam('id', 'submission id')],
          responses: { 200: { description: 'the submission', content: json(S.SubmissionSchema) }, 404: err('no such submission') } },
      },
      '/api/leaderboard': {
        get: { summary: 'Verified runs by workload, size, track and tier, ranked by median prove time', parameters: queryParams(S.LeaderboardQuerySchema),
          responses: { 200: formats('the board', S.LeaderboardSchema), 400: err('a bad filter') } },
      },
      '/api/runs/{id}': {
        get: { summary: 'A verified run: capsule summary, statement, anchors, manifests, measurements per run and stage, the verification report, the DA audit', parameters: [pathParam('id', 'run id')],
          responses: { 200: { description: 'the run', content: json(S.RunSchema) }, 404: err('no such verified run') } },
      },
      '/api/runs/{id}/pack': {
        get: { summary: "The run's capsulepack.tgz, as submitted", parameters: [pathParam('id', 'run id')],
          responses: { 200: { description: 'the pack', content: { 'application/gzip': { schema: { type: 'string', format: 'binary' } } } }, 404: err('no such verified run') } },
      },
      '/api/runs/{id}/events': {
        get: { summary: "The run's events.jsonl (bef_capsule_stream_v1), as verified", parameters: [pathParam('id', 'run id')],
          responses: { 200: { description: 'one event per line', content: { 'application/x-ndjson': { schema: { type: 'string' } } } }, 404: err('no such verified run') } },
      },
      '/api/compare': {
        get: { summary: 'Two runs side by side (hardware A vs B), with b ÷ a per metric', parameters: queryParams(S.CompareQuerySchema),
          responses: { 200: formats('both runs', S.CompareSchema), 400: err('a bad run id'), 404: err('no such verified run') } },
      },
      '/api/hardware': {
        get: { summary: 'Hardware seen on the board (by hardware manifest hash)', parameters: queryParams(S.FormatQuerySchema), responses: { 200: formats('hardware', S.HardwareSchema), 400: err('a bad query') } },
      },
      '/api/dump': {
        get: { summary: 'Every table but the pack bytes, one {"table","row"} object per line, for offline analysis',
          responses: { 200: { description: 'NDJSON', content: { 'application/x-ndjson': { schema: { type: 'string' } } } } } },
      },
      '/api/live': {
        post: { summary: 'Register a run to stream live; returns its one-time token', requestBody: { required: true, content: json(S.LiveRequestSchema) },
          responses: { 201: { description: 'the ticket', content: json(S.LiveTicketSchema) }, 400: err('not a run id'), 409: err('the run is already registered, claimed by a submission or on the board'),
            413: err('a body over 4 KiB'), 503: err('too many runs registered and waiting for their packs (see Retry-After)') } },
      },
      '/api/live/{run_id}': {
        get: { summary: 'WebSocket (watch): a state_snapshot, the stored events after from_seq, then live ones, then server_verified', parameters: [pathParam('run_id', 'run id'), { name: 'from_seq', in: 'query', required: false, schema: { type: 'string', pattern: '^[0-9]{1,9}$' } }],
          responses: { 101: { description: 'upgraded to a WebSocket' }, 400: err('a bad from_seq'), 404: err('no such live run'), 426: err('not a WebSocket request'), 503: err('too many viewers') } },
      },
      '/api/live/{run_id}/ingest': {
        get: { summary: "WebSocket (the runner's): resume_request {from_seq}, then event lines after it; server_received {last_seq} acknowledges", parameters: [pathParam('run_id', 'run id')],
          security: [{ liveToken: [] }],
          responses: { 101: { description: 'upgraded to a WebSocket' }, 401: err('no or a wrong Bearer token'), 404: err('no such live run'), 409: err('the run is on the board'), 426: err('not a WebSocket request') } },
      },
      '/api/health': { get: { summary: 'Version, verifier build, database, limits', responses: { 200: { description: 'health', content: json(S.HealthSchema) } } } },
      '/api/openapi.json': { get: { summary: 'This document', responses: { 200: { description: 'OpenAPI 3.1' } } } },
    },
  };
}
