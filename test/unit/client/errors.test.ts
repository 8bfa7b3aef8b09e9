import { afterEach, describe, expect, it } from 'vitest';
import { createClient } from '../../../src/client/client.js';
import { defaultConfig } from '../../../src/config/defaults.js';
import type { Auth } from '../../../src/config/types.js';
import { CrateDbError } from '../../../src/errors.js';
import { HAS_TRANSCRIPTS, json, replay, startNode, transcriptStep, transcriptSteps, type FakeNode, type TranscriptStep, rejection } from './fake-crate.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

/** A node answering every request with `answer`, and a client on it. */
async function setup(answer: Parameters<typeof startNode>[0], auth?: Auth) {
  const node: FakeNode = await startNode(answer);
  const client = createClient({ ...defaultConfig([node.url], '/tmp'), ...(auth === undefined ? {} : { auth }) });
  cleanups.push(() => node.close(), () => client.close());
  return { node, client };
}

/** Every recorded /_sql answer that is an error, from both CrateDB versions. */
function errorSteps(): Array<[string, TranscriptStep]> {
  const files = ['01-protocol.json', '02-ddl.json', '03-dml.json', '04-visibility.json', '05-auth.json', '08-constraints.json', '10-types.json'];
  const out: Array<[string, TranscriptStep]> = [];
  for (const dir of ['transcripts', 'transcripts-5.10']) {
    for (const file of files) {
      for (const step of transcriptSteps(dir, file)) {
        if (step.request.path === '/_sql' && step.response.status >= 400 && typeof step.request.body?.stmt === 'string') {
          out.push([`${dir}/${file}: ${step.name}`, step]);
        }
      }
    }
  }
  return out;
}

if (!HAS_TRANSCRIPTS) {
  console.warn('skipped: the replay of every recorded CrateDB error answer needs ../shared/cratedb beside the project (absent here)');
}

describe.skipIf(!HAS_TRANSCRIPTS)('CrateDB answers that are errors', () => {
  const steps = HAS_TRANSCRIPTS ? errorSteps() : [];

  it('has recorded error answers to check against', () => {
    expect(steps.length).toBeGreaterThan(50);
  });

  it.each(steps)('%s becomes a CrateDbError with its code and status', async (_name, step) => {
    const { node, client } = await setup((_req, res) => replay(res, step));
    const stmt = step.request.body!.stmt!;
    const err = await rejection(client.sql(stmt, step.request.body!.args));
    expect(err).toBeInstanceOf(CrateDbError);
    const recorded = step.response.body as { error?: { code: number; message: string } } | string;
    expect(err).toMatchObject({
      code: 'CM_CRATEDB',
      httpStatus: step.response.status,
      crateCode: typeof recorded === 'string' ? 0 : recorded.error!.code,
      server: node.url,
      statement: stmt,
    });
    if (typeof recorded !== 'string') {
      expect(err.message).toContain(recorded.error!.message);
      expect(err.message).toContain(String(recorded.error!.code));
      expect(err.message).toContain(node.url);
    }
  });

  it('puts file:line first when the statement has an origin', async () => {
    const step = transcriptStep('transcripts', '03-dml.json', 'insert the same primary key');
    const { client } = await setup((_req, res) => replay(res, step));
    const origin = { file: 'migrations/002_books.sql', line: 14 };
    const err = await rejection(client.sql(step.request.body!.stmt!, step.request.body!.args, { origin }));
    expect(err).toMatchObject({ crateCode: 4091, httpStatus: 409, origin });
    expect(err.message.startsWith('migrations/002_books.sql:14: DuplicateKeyException')).toBe(true);
  });

  it('maps a 5xx JSON answer (a shard without a live copy)', async () => {
    const body = { error: { message: 'UnavailableShardsException[[doc.fragile] shard 4 is not available]', code: 5002 } };
    const { client } = await setup((_req, res) => json(res, 500, body));
    const err = await rejection(client.sql('SELECT count(*) FROM fragile'));
    expect(err).toMatchObject({ code: 'CM_CRATEDB', crateCode: 5002, httpStatus: 500 });
    expect(err.message).toContain('sys.health');
  });

  it('says what to check for a plain-text 401, naming the user and never the password', async () => {
    const step = transcriptStep('transcripts', '05-auth.json', 'wrong password');
    const { client } = await setup((_req, res) => replay(res, step), { user: 'migrator', password: 'wrong-pw-1234' });
    const err = await rejection(client.sql('SELECT 1'));
    expect(err).toBeInstanceOf(CrateDbError);
    expect(err).toMatchObject({ crateCode: 0, httpStatus: 401 });
    expect(err.message).toContain('Authentication failed for user "migrator"');
    expect(err.message).toContain('password');
    expect(err.message).not.toContain('wrong-pw-1234');
    expect(JSON.stringify(err)).not.toContain('wrong-pw-1234');
  });

  it('points at the JWT when Bearer auth fails', async () => {
    const { client } = await setup((_req, res) => {
      res.writeHead(401);
      res.end('jwt token verification failed\n');
    }, { jwt: 'eyJ.some.jwt' });
    const err = await rejection(client.sql('SELECT 1'));
    expect(err).toMatchObject({ crateCode: 0, httpStatus: 401 });
    expect(err.message).toContain('JWT');
    expect(err.message).not.toContain('eyJ.some.jwt');
  });

  it('explains a hidden schema (4045) for a non-superuser', async () => {
    const step = transcriptStep('transcripts', '05-auth.json', 'right password, no privileges');
    const { client } = await setup((_req, res) => replay(res, step), { user: 'migrator', password: 'secret' });
    const err = await rejection(client.sql(step.request.body!.stmt!));
    expect(err).toMatchObject({ crateCode: 4045, httpStatus: 404 });
    expect(err.message).toContain('GRANT');
  });

  it('reports a non-CrateDB answer (plain text, HTML) with status 0 code', async () => {
    const { client } = await setup((_req, res) => {
      res.writeHead(502, { 'content-type': 'text/html' });
      res.end('<html><body>Bad Gateway</body></html>');
    });
    const err = await rejection(client.sql('SELECT 1'));
    expect(err).toMatchObject({ code: 'CM_CRATEDB', crateCode: 0, httpStatus: 502 });
    expect(err.message).toContain('Bad Gateway');
    expect(err.message).toMatch(/proxy or load balancer/);
  });

  it('points at the port when a non-gateway status is not CrateDB answering', async () => {
    const { client } = await setup((_req, res) => {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('not here');
    });
    const err = await rejection(client.sql('SELECT 1'));
    expect(err).toMatchObject({ crateCode: 0, httpStatus: 404 });
    expect(err.message).toMatch(/HTTP port/);
  });

  it('keeps a very long statement on the error, truncated', async () => {
    const step = transcriptStep('transcripts', '01-protocol.json', 'syntax error');
    const { client } = await setup((_req, res) => replay(res, step));
    const stmt = `INSERT INTO t (v) VALUES ('${'x'.repeat(50_000)}')`;
    const err = await rejection(client.sql(stmt));
    expect(err.statement.length).toBeLessThan(5_000);
    expect(err.statement.startsWith("INSERT INTO t (v) VALUES ('xxx")).toBe(true);
    expect(err.statement).toContain('more characters');
    expect(err.message.length).toBeLessThan(1_000);
  });
});

describe('secrets in statements', () => {
  it('masks password literals in the message and on the error', async () => {
    const { client } = await setup((_req, res) =>
      json(res, 409, { error: { message: "RoleAlreadyExistsException[Role 'migrator' already exists]", code: 4099 } }),
    );
    const err = await rejection(client.sql("CREATE USER migrator WITH (password = 'Sup3r''secret')"));
    expect(err).toMatchObject({ crateCode: 4099, httpStatus: 409 });
    expect(err.statement).toBe("CREATE USER migrator WITH (password = '[redacted]')");
    expect(err.message).not.toContain('Sup3r');
    expect(err.message).not.toContain('secret');
  });
});
