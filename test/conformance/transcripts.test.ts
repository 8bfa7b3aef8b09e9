/**
 * Conformance: every recorded CrateDB answer in ../shared/cratedb/transcripts/ (6.4.3) and
 * transcripts-5.10/ (5.10.16) replayed against the test server of that version, one test per step.
 * Each file runs on a fresh server (new HTTP server, engine reset); one engine per version is shared.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CrateVersion, Engine } from '../server/contract.js';
import { createEngine } from '../server/engine/index.js';
import { startTestServer, type TestServer } from '../server/index.js';
import { comparable, Connections, loadTranscripts, type TranscriptRequest } from './replay.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const shared = path.resolve(root, '..', 'shared', 'cratedb');
const sets: Array<{ version: CrateVersion; dir: string }> = [
  { version: '6.4', dir: path.join(shared, 'transcripts') },
  { version: '5.10', dir: path.join(shared, 'transcripts-5.10') },
];
const available = sets.every((set) => existsSync(set.dir));
if (!available) {
  console.warn(
    `conformance replay skipped: the recorded CrateDB transcripts are not at ${shared} ` +
      '(they live next to the project in its development workspace, not in a clone)',
  );
}

function describeRequest(request: TranscriptRequest): string {
  const body = request.body as { stmt?: unknown } | undefined;
  const what = request.raw !== undefined ? `raw ${JSON.stringify(request.raw)}` : body?.stmt ?? '';
  return `${request.method} ${request.path}${request.query ? `?${request.query}` : ''}` +
    `${request.conn ? ` [conn ${request.conn}]` : ''} ${String(what)}`;
}

describe.skipIf(!available)('conformance: recorded CrateDB answers', () => {
  if (!available) {
    it('needs ../shared/cratedb/transcripts*', () => {});
    return;
  }
  for (const { version, dir } of sets) {
    describe(`CrateDB ${version}`, () => {
      let engine: Engine;
      beforeAll(async () => {
        engine = await createEngine({ version });
      });
      afterAll(async () => {
        await engine?.close();
      });

      for (const transcript of loadTranscripts(dir)) {
        describe(transcript.file, () => {
          let server: TestServer;
          let connections: Connections;
          beforeAll(async () => {
            server = await startTestServer({ version, engine, name: 'n1', clusterName: 'single' });
            await engine.reset();
            connections = new Connections(server.url);
          });
          afterAll(async () => {
            await connections?.close();
            await server?.close();
          });

          for (const step of transcript.steps) {
            it(`${transcript.file} › ${step.name}`, async () => {
              const answer = await connections.send(step.request);
              const { expected, actual } = comparable(step, answer);
              expect(actual, describeRequest(step.request)).toEqual(expected);
              if (expected.bodyKind === 'json' && Object.hasOwn(step.response.body as object, 'duration')) {
                expect(typeof (answer.body as { duration?: unknown }).duration, 'duration is a number').toBe('number');
              }
            });
          }
        });
      }
    });
  }
});
