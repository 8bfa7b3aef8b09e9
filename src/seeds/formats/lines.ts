import { open } from 'node:fs/promises';
import { StringDecoder } from 'node:string_decoder';

/** Bytes read at a time: a stream's default chunk. */
const CHUNK = 64 * 1024;

/**
 * The lines of a text file (without `\n` or `\r\n`), a chunk's worth at a time, read as they are consumed.
 * readline's async iterator does not do that: its input keeps flowing while the consumer awaits (a bulk
 * request), so a seed slower than the disk queued the whole file in memory. A read stream does not either
 * for memory's sake: it allocates a buffer per chunk, whose memory outside the heap is given back only when a
 * GC collects it, and over a file of a million rows that held ~30 MB. One buffer is read into again and
 * again instead. The lines come as one array per chunk (~500 rows of a seed), not one by one: each step of
 * an async generator allocates promises, and a line each cost more garbage than the line itself.
 */
export async function* readLines(path: string): AsyncGenerator<string[]> {
  const file = await open(path, 'r');
  const buffer = Buffer.allocUnsafe(CHUNK);
  const decoder = new StringDecoder('utf8');
  let rest = '';
  try {
    for (;;) {
      const { bytesRead } = await file.read(buffer, 0, CHUNK, null);
      if (bytesRead === 0) break;
      const parts = (rest + decoder.write(buffer.subarray(0, bytesRead))).split('\n');
      rest = parts.pop()!;
      if (parts.length > 0) yield parts.map(withoutCr);
    }
    rest += decoder.end();
    if (rest !== '') yield [withoutCr(rest)];
  } finally {
    await file.close();
  }
}

function withoutCr(line: string): string {
  return line.endsWith('\r') ? line.slice(0, -1) : line;
}
