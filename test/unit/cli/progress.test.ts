import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { terminalProgress } from '../../../src/cli/progress.js';

/** A stream that says it is a terminal, keeping what is drawn on it. */
function fakeTerminal(isTTY: boolean): NodeJS.WriteStream & { text: () => string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk.toString());
      done();
    },
  }) as unknown as NodeJS.WriteStream & { text: () => string };
  Object.assign(stream, { isTTY, columns: 120, text: () => chunks.join('') });
  return stream;
}

describe('terminalProgress', () => {
  it('draws nothing off a terminal: the seeder logs lines instead', () => {
    expect(terminalProgress(fakeTerminal(false))).toBeUndefined();
  });

  it('draws a bar with rows, total and rate on a terminal', () => {
    const stream = fakeTerminal(true);
    const progress = terminalProgress(stream)!;
    progress.start({ name: 'books', table: 'doc.books', mode: 'upsert' }, 3);
    progress.batch(3);
    progress.end({} as never);
    expect(stream.text()).toMatch(/books \[.*\] 3\/3 rows \| \d+ rows\/s/);
  });
});
