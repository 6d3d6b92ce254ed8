// The page's client of the server's HTTP API (same origin). Errors come back as ApiError with the
// server's code and message (the API's error body), never as an unexplained failure.

export class ApiError extends Error {
  constructor(readonly status: number, readonly code: string, message: string) {
    super(message);
  }
}

async function failure(r: Response): Promise<ApiError> {
  try {
    const body = (await r.json()) as { error?: { code?: string; message?: string } };
    return new ApiError(r.status, body.error?.code ?? `http_${r.status}`, body.error?.message ?? r.statusText);
  } catch {
    return new ApiError(r.status, `http_${r.status}`, `${r.status} ${r.statusText}`);
  }
}

/** fetch, with a request that never reached the server as ApiError 'unreachable'. */
export async function send(path: string, init?: RequestInit): Promise<Response> {
  try {
    return await fetch(path, init);
  } catch (e) {
    throw new ApiError(0, 'unreachable', `the server cannot be reached (${e instanceof Error ? e.message : String(e)})`);
  }
}

export async function getJson<T>(path: string, init?: RequestInit): Promise<T> {
  const r = await send(path, { headers: { accept: 'application/json' }, ...init });
  if (!r.ok) throw await failure(r);
  return (await r.json()) as T;
}

export async function getBytes(path: string): Promise<Uint8Array> {
  const r = await send(path);
  if (!r.ok) throw await failure(r);
  return new Uint8Array(await r.arrayBuffer());
}

/** The WebSocket URL of a same-origin path. */
export const wsUrl = (path: string): string => `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}${path}`;
