/**
 * An HTTP refusal with a stable code: the API answers it as {"error":{status, code, message, …}},
 * and the WebSocket upgrade handler writes the same body on the raw socket.
 *
 * @module
 */

export class HttpError extends Error {
  constructor(readonly status: number, readonly code: string, message: string, readonly headers: Record<string, string> = {}, readonly extra: Record<string, unknown> = {}) {
    super(message);
  }
}

export const errorBody = (status: number, code: string, message: string, extra: Record<string, unknown> = {}): { error: Record<string, unknown> } =>
  ({ error: { status, code, message, ...extra } });
