import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, expect, test } from 'vitest';
import { readLines } from '../../../src/seeds/formats/lines.js';

let dir: string | undefined;
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
  dir = undefined;
});

async function linesOf(text: string): Promise<string[]> {
  dir = await mkdtemp(path.join(tmpdir(), 'cm-lines-'));
  const file = path.join(dir, 'f.ndjson');
  await writeFile(file, text);
  const out: string[] = [];
  for await (const lines of readLines(file)) out.push(...lines);
  return out;
}

test('lines split on LF and CRLF, a last line without a newline kept, blank lines kept for numbering', async () => {
  expect(await linesOf('a\r\nb\n\nc')).toEqual(['a', 'b', '', 'c']);
  expect(await linesOf('x\n')).toEqual(['x']);
  expect(await linesOf('')).toEqual([]);
});

test('lines come a read chunk at a time, in order', async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'cm-lines-'));
  const file = path.join(dir, 'f.ndjson');
  const all = Array.from({ length: 20_000 }, (_, i) => `{"n":${i}}`);
  await writeFile(file, `${all.join('\n')}\n`);
  const chunks: string[][] = [];
  for await (const lines of readLines(file)) chunks.push(lines);
  expect(chunks.length).toBeGreaterThan(1);
  expect(chunks.length).toBeLessThan(all.length / 100);
  expect(chunks.flat()).toEqual(all);
});

test('lines longer than a read chunk and multi-byte characters across chunks come out whole', async () => {
  const long = 'é'.repeat(100_000);
  expect(await linesOf(`${long}\nshort\n${long}`)).toEqual([long, 'short', long]);
});
