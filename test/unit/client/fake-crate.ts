/**
 * Small node:http servers on 127.0.0.1 that stand in for CrateDB nodes in the client's unit tests: each
 * records what it received and answers through a handler the test gives it.
 */
import http from 'node:http';
import net from 'node:net';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { AddressInfo } from 'node:net';

export interface ReceivedRequest {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  /** Parsed JSON body, or undefined for a bodiless request. */
  body: any;
}

export type Handler = (req: ReceivedRequest, res: http.ServerResponse) => void;

export interface FakeNode {
  url: string;
  received: ReceivedRequest[];
  close(): Promise<void>;
}

/** Answers with `status` and a JSON body. */
export function json(res: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=UTF-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/** A node that answers every request through `handler` (default: a one-row result). */
export async function startNode(handler?: Handler): Promise<FakeNode> {
  const received: ReceivedRequest[] = [];
  const answer: Handler =
    handler ?? ((_req, res) => json(res, 200, { cols: ['1'], rows: [[1]], rowcount: 1, duration: 0.5 }));
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const entry: ReceivedRequest = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: text === '' ? undefined : JSON.parse(text),
      };
      received.push(entry);
      answer(entry, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A URL on which nothing listens: a port bound and released, so a connect is refused. */
export async function refusedUrl(): Promise<string> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

/** A TCP listener that accepts and never speaks: an `https://` URL to it never finishes connecting
 * (the TLS handshake gets no answer), which is how a connect timeout looks. */
export async function silentTcp(): Promise<{ url: string; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `https://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

export interface TranscriptStep {
  name: string;
  request: { method: string; path: string; body?: { stmt?: string; args?: unknown[]; bulk_args?: unknown[][] } };
  response: { status: number; content_type: string | null; body_kind: 'json' | 'text'; body: unknown };
}

// The full recordings live next to the project (<repo>/../shared/cratedb), absent in a user's clone; the
// steps single tests need are copied into test/fixtures/crate-answers.json.
const TRANSCRIPTS = fileURLToPath(new URL('../../../../shared/cratedb', import.meta.url));
const FIXTURES = fileURLToPath(new URL('../../fixtures/crate-answers.json', import.meta.url));

/** Whether the full recordings are beside the project. */
export const HAS_TRANSCRIPTS = existsSync(TRANSCRIPTS);

/** Every step of the real CrateDB recordings in `dir` (`transcripts` or `transcripts-5.10`) and `file`. */
export function transcriptSteps(dir: string, file: string): TranscriptStep[] {
  return JSON.parse(readFileSync(`${TRANSCRIPTS}/${dir}/${file}`, 'utf8')).steps as TranscriptStep[];
}

/** One recorded 6.4.3 step, by name, from the copied fixtures. */
export function transcriptStep(dir: 'transcripts', file: string, name: string): TranscriptStep {
  const fixtures = JSON.parse(readFileSync(FIXTURES, 'utf8')) as { files: Record<string, TranscriptStep[]> };
  const step = fixtures.files[file]?.find((s) => s.name === name);
  if (step === undefined) throw new Error(`no step '${name}' of ${dir}/${file} in test/fixtures/crate-answers.json`);
  return step;
}

/** Answers exactly as CrateDB did in the recording. */
export function replay(res: http.ServerResponse, step: TranscriptStep): void {
  const { response } = step;
  const text = response.body_kind === 'json' ? JSON.stringify(response.body) : String(response.body);
  const headers: http.OutgoingHttpHeaders = { 'content-length': Buffer.byteLength(text) };
  if (response.content_type !== null) headers['content-type'] = response.content_type;
  res.writeHead(response.status, headers);
  res.end(text);
}

/** The error a promise rejects with; fails the test when it resolves. */
export async function rejection(promise: Promise<unknown>): Promise<any> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  throw new Error('expected a rejection');
}
