import { createRequire } from 'node:module';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { deferredLogger } from '../../src/logger.js';

/** Whether pino's own files are in node's module cache: this file imports nothing that loads pino, and
 * vitest runs each test file in a fresh process, so it starts false. */
const pinoLoaded = () => Object.keys(createRequire(import.meta.url).cache).some((file) => /node_modules[\\/]pino[\\/]/.test(file));

function sink(): { stream: Writable; lines: () => Array<Record<string, unknown>> } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      chunks.push(String(chunk));
      done();
    },
  });
  return { stream, lines: () => chunks.join('').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>) };
}

describe('deferredLogger', () => {
  it('loads pino at the first line at its level, not for lines below it, children or the level', () => {
    expect(pinoLoaded()).toBe(false);
    const out = sink();
    const log = deferredLogger({ level: 'warn', destination: out.stream, pretty: false });
    log.info({ event: 'below' }, 'not written');
    const child = log.child({ seed: 'books' });
    child.debug('not written either');
    expect(log.level).toBe('warn');
    expect(log.isLevelEnabled('info')).toBe(false);
    expect(log.isLevelEnabled('error')).toBe(true);
    expect(pinoLoaded()).toBe(false);

    child.warn({ event: 'seed.replace', password: 'hunter2' }, 'written');
    expect(pinoLoaded()).toBe(true);
    log.error('also written');
    log.info('still below');
    expect(out.lines()).toEqual([
      expect.objectContaining({ level: 40, seed: 'books', event: 'seed.replace', password: '[redacted]', msg: 'written' }),
      expect.objectContaining({ level: 50, msg: 'also written' }),
    ]);
  });

  it('refuses an unknown level at once, as createLogger does', () => {
    expect(() => deferredLogger({ level: 'loud' })).toThrow("Unknown log level 'loud'");
  });

  it("keeps a child's options, and a child with its own level", () => {
    const out = sink();
    const log = deferredLogger({ level: 'info', destination: out.stream, pretty: false });
    log.child({ seed: 'books' }, { msgPrefix: '[books] ' }).info('seeding');
    log.child({ seed: 'notes' }, { level: 'warn' }).info('below the child level');
    expect(out.lines()).toEqual([expect.objectContaining({ seed: 'books', msg: '[books] seeding' })]);
  });

  it('follows a level set later', () => {
    const out = sink();
    const log = deferredLogger({ level: 'warn', destination: out.stream, pretty: false });
    log.level = 'debug';
    log.debug('now written');
    expect(out.lines()).toEqual([expect.objectContaining({ level: 20, msg: 'now written' })]);
  });
});
