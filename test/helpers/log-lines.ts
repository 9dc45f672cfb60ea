import { Writable } from 'node:stream';

/** A pino destination that keeps each line written to it, parsed. */
export function logLines<T = Record<string, unknown>>(): { lines: T[]; sink: Writable } {
  const lines: T[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().trim().split('\n')) lines.push(JSON.parse(line) as T);
      done();
    },
  });
  return { lines, sink };
}
