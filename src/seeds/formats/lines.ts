import { createReadStream } from 'node:fs';

/**
 * The lines of a text file (without `\n` or `\r\n`), read as they are consumed. readline's async iterator
 * does not do that: its input keeps flowing while the consumer awaits (a bulk request), so a seed slower
 * than the disk queued the whole file in memory. Iterating the stream pulls one chunk at a time instead.
 */
export async function* readLines(path: string): AsyncGenerator<string> {
  let rest = '';
  for await (const chunk of createReadStream(path, { encoding: 'utf8' }) as AsyncIterable<string>) {
    const parts = (rest + chunk).split('\n');
    rest = parts.pop()!;
    for (const part of parts) yield part.endsWith('\r') ? part.slice(0, -1) : part;
  }
  if (rest !== '') yield rest.endsWith('\r') ? rest.slice(0, -1) : rest;
}
