/**
 * Node's side of the live stream's socket (src/capsulebench/live-stream.ts ConnectLive) on `ws`, which,
 * unlike a browser, tells the HTTP status of a refused upgrade (a refusal is final, not retried).
 *
 * @module
 */
import WebSocket from 'ws';
import type { ConnectLive } from '../capsulebench/live-stream.js';

export const connectLiveNode: ConnectLive = (url, protocols, on) => {
  const ws = new WebSocket(url, protocols);
  let refused: number | undefined;
  ws.on('open', () => on.open());
  ws.on('message', (data) => on.message(data.toString()));
  ws.on('error', () => {}); // 'close' follows and decides
  ws.on('unexpected-response', (_req, res) => {
    refused = res.statusCode;
    ws.terminate();
  });
  ws.on('close', (code, why) => on.close(code, why.toString(), refused));
  return {
    send: (text) => ws.send(text),
    close: (code, reason) => ws.close(code, reason),
    get open() {
      return ws.readyState === WebSocket.OPEN;
    },
  };
};
