/**
 * Replaying one recorded CrateDB transcript step (format: ../shared/cratedb/transcripts/README.md)
 * against a server, and the view of both answers that the conformance test compares.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Client } from 'undici';
import { parseJson } from '../server/json.js';

export interface TranscriptRequest {
  method: string;
  path: string;
  query?: string;
  headers?: Record<string, string>;
  auth?: [string, string];
  body?: unknown;
  raw?: string;
  conn?: string;
}

export interface TranscriptStep {
  name: string;
  request: TranscriptRequest;
  response: { status: number; content_type: string | null; body_kind: 'json' | 'text'; body: unknown };
  ignore: string[];
}

export interface Transcript {
  file: string;
  title: string;
  steps: TranscriptStep[];
}

/** What the comparison looks at, for the recorded and the replayed answer alike. */
export interface AnswerView {
  status: number;
  contentType: string | null;
  bodyKind: 'json' | 'text';
  body: unknown;
}

/** Every `*.json` transcript of `dir`, in file-name order; integers beyond 2^53 stay exact. */
export function loadTranscripts(dir: string): Transcript[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((file) => {
      const data = parseJson(readFileSync(path.join(dir, file), 'utf8')) as Omit<Transcript, 'file'>;
      return { file, title: data.title, steps: data.steps };
    });
}

/**
 * The transcripts were recorded with Python's `json.dumps` (`", "` and `": "` separators, non-ASCII
 * escaped), and CrateDB 5.10 echoes the body it got in some errors (`Failed to parse source [...]`):
 * the replay sends the very same bytes.
 */
export function pythonJson(value: unknown): string {
  if (value === null || typeof value === 'boolean' || typeof value === 'number') return JSON.stringify(value);
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'string') return JSON.stringify(value).replace(/[\u007f-\uffff]/g, (c) => asciiEscape(c));
  if (Array.isArray(value)) return `[${value.map(pythonJson).join(', ')}]`;
  const entries = Object.entries(value as Record<string, unknown>);
  return `{${entries.map(([k, v]) => `${pythonJson(k)}: ${pythonJson(v)}`).join(', ')}}`;
}

function asciiEscape(c: string): string {
  return c === '\u007f' ? c : `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
}

/** Keep-alive connections of one transcript file, by `request.conn` label. */
export class Connections {
  readonly #clients = new Map<string, Client>();
  constructor(private readonly origin: string) {}

  /** Sends a step: over its labelled connection, or over a connection of its own. */
  async send(request: TranscriptRequest): Promise<AnswerView> {
    const own = request.conn === undefined;
    const client = own ? new Client(this.origin) : this.#labelled(request.conn!);
    try {
      const headers: Record<string, string> = { ...request.headers };
      if (request.auth) {
        const [user, password] = request.auth;
        headers.Authorization = `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
      }
      let body: string | undefined;
      if (request.raw !== undefined) body = request.raw;
      else if (request.body !== undefined) body = pythonJson(request.body);
      if (body !== undefined && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) {
        headers['Content-Type'] = 'application/json';
      }
      const res = await client.request({
        method: request.method as 'GET',
        path: request.path + (request.query ? `?${request.query}` : ''),
        headers,
        body,
        headersTimeout: 20_000,
        bodyTimeout: 20_000,
      });
      const text = await res.body.text();
      const contentType = res.headers['content-type'];
      let parsed: unknown = text;
      let bodyKind: AnswerView['bodyKind'] = 'text';
      try {
        parsed = parseJson(text);
        bodyKind = 'json';
      } catch {
        // Plain text (401/403 answers): compared as text.
      }
      return {
        status: res.statusCode,
        contentType: typeof contentType === 'string' ? contentType : null,
        bodyKind,
        body: parsed,
      };
    } finally {
      if (own) await client.close();
    }
  }

  async close(): Promise<void> {
    await Promise.all([...this.#clients.values()].map((c) => c.destroy()));
    this.#clients.clear();
  }

  #labelled(label: string): Client {
    let client = this.#clients.get(label);
    if (client === undefined) {
      client = new Client(this.origin, { pipelining: 1, keepAliveTimeout: 60_000 });
      this.#clients.set(label, client);
    }
    return client;
  }
}

const IGNORED = '<ignored by the transcript>';
const EXPECTING = 'expecting';

/**
 * The recorded and the replayed answer as compared: values at the step's `ignore` paths are blanked
 * on both sides (but must exist in the replay), and a message containing `expecting` is compared up
 * to `expecting` (the parser's list of expected tokens is not part of the contract).
 */
export function comparable(step: TranscriptStep, actual: AnswerView): { expected: AnswerView; actual: AnswerView } {
  const expected: AnswerView = {
    status: step.response.status,
    contentType: step.response.content_type,
    bodyKind: step.response.body_kind,
    body: structuredClone(step.response.body),
  };
  const got: AnswerView = { ...actual, body: structuredClone(actual.body) };
  for (const ignore of step.ignore) {
    const keys = ignore.split('.');
    if (hasPath(expected, keys)) setPath(expected, keys, IGNORED);
    if (hasPath(got, keys)) setPath(got, keys, IGNORED);
  }
  for (const keys of stringPaths(expected.body, ['body'])) {
    const text = getPath(expected, keys) as string;
    if (!text.includes(EXPECTING)) continue;
    setPath(expected, keys, upToExpecting(text));
    const other = hasPath(got, keys) ? getPath(got, keys) : undefined;
    if (typeof other === 'string' && other.includes(EXPECTING)) setPath(got, keys, upToExpecting(other));
  }
  return { expected, actual: got };
}

function upToExpecting(text: string): string {
  return text.slice(0, text.indexOf(EXPECTING) + EXPECTING.length);
}

function stringPaths(node: unknown, keys: string[]): string[][] {
  if (typeof node === 'string') return [keys];
  if (node === null || typeof node !== 'object') return [];
  return Object.entries(node).flatMap(([k, v]) => stringPaths(v, [...keys, k]));
}

function hasPath(root: unknown, keys: string[]): boolean {
  let node = root;
  for (const key of keys) {
    if (node === null || typeof node !== 'object' || !Object.hasOwn(node, key)) return false;
    node = (node as Record<string, unknown>)[key];
  }
  return true;
}

function getPath(root: unknown, keys: string[]): unknown {
  return keys.reduce<unknown>((node, key) => (node as Record<string, unknown>)[key], root);
}

function setPath(root: unknown, keys: string[], value: unknown): void {
  const parent = getPath(root, keys.slice(0, -1)) as Record<string, unknown>;
  parent[keys[keys.length - 1]!] = value;
}
