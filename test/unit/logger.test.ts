import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.js';
import { defaultConfig } from '../../src/config/defaults.js';

function sink(): { stream: Writable; text: () => string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      chunks.push(String(chunk));
      done();
    },
  });
  return { stream, text: () => chunks.join('') };
}

describe('createLogger', () => {
  it('writes JSON lines with the event fields', () => {
    const out = sink();
    const log = createLogger({ destination: out.stream, pretty: false });
    log.info({ event: 'sql', server: 'http://a:4200', durationMs: 3 }, 'done');
    const line = JSON.parse(out.text().trim());
    expect(line).toMatchObject({ event: 'sql', server: 'http://a:4200', durationMs: 3, msg: 'done', level: 30 });
  });

  it('never shows the password of a logged config or auth object', () => {
    const out = sink();
    const log = createLogger({ destination: out.stream, pretty: false, level: 'debug' });
    const config = { ...defaultConfig(), auth: { user: 'migrator', password: 'hunter2-secret' } };
    log.info({ config }, 'config');
    log.info({ auth: { user: 'migrator', password: 'hunter2-secret' } });
    log.debug({ password: 'hunter2-secret', jwt: 'eyJ.jwt.value', token: 'tok-value' });
    log.info({ request: { headers: { authorization: 'Basic bWlncmF0b3I6aHVudGVyMg==' } } });
    log.info({ a: { b: { c: { d: { password: 'hunter2-secret' } } } } });
    log.child({ config }).warn({ event: 'child' });
    const text = out.text();
    for (const secret of ['hunter2-secret', 'eyJ.jwt.value', 'tok-value', 'bWlncmF0b3I6aHVudGVyMg==']) {
      expect(text).not.toContain(secret);
    }
    const lines = text.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines).toHaveLength(6);
    expect(lines[0].config.auth).toEqual({ user: 'migrator', password: '[redacted]' });
    expect(lines[2]).toMatchObject({ password: '[redacted]', jwt: '[redacted]', token: '[redacted]' });
    expect(lines[3].request.headers.authorization).toBe('[redacted]');
    expect(lines[4].a.b.c.d.password).toBe('[redacted]');
    expect(lines[5].config.auth.password).toBe('[redacted]');
    // Redaction works on a copy: the caller's object keeps its value.
    expect(config.auth.password).toBe('hunter2-secret');
  });

  it('redacts in pretty output too', () => {
    const out = sink();
    const log = createLogger({ destination: out.stream, pretty: true });
    log.info({ auth: { user: 'migrator', password: 'hunter2-secret' } }, 'pretty line');
    const text = out.text();
    expect(text).toContain('pretty line');
    expect(text).toContain('[redacted]');
    expect(text).not.toContain('hunter2-secret');
    // Pretty is not JSON.
    expect(() => JSON.parse(text)).toThrow();
  });

  it('honours the level', () => {
    const out = sink();
    const log = createLogger({ destination: out.stream, pretty: false, level: 'warn' });
    log.info('hidden');
    log.warn('shown');
    const lines = out.text().trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!).msg).toBe('shown');
  });

  it('rejects an unknown level with a usage error', () => {
    expect(() => createLogger({ level: 'loud' })).toThrow(expect.objectContaining({ code: 'CM_USAGE' }));
  });

  it('is JSON when the destination is not a TTY and pretty is not given', () => {
    const out = sink();
    createLogger({ destination: out.stream }).info('plain');
    expect(JSON.parse(out.text().trim()).msg).toBe('plain');
  });
});
