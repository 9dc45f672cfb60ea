import { Readable } from 'node:stream';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { uploadFormat, uploadRecords } from '../../src/bulk/upload-records.ts';

/** The text as a stream cut at the given places, as a socket may cut it (inside strings, escapes and multi-byte characters). */
function cut(text: string, cuts: number[]): Readable {
  const bytes = Buffer.from(text);
  const at = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const pieces: Buffer[] = [];
  let from = 0;
  for (const c of [...at, bytes.length]) {
    if (c > from) pieces.push(bytes.subarray(from, c));
    from = Math.max(from, c);
  }
  return Readable.from(pieces);
}

/** A stream of the texts as bytes, as a multipart part gives them. */
const from = (texts: string[]) => Readable.from(texts.map((t) => Buffer.from(t)));

async function all(stream: Readable, format: 'csv' | 'json' | 'ndjson', max = 1 << 20, path?: string[]): Promise<unknown[]> {
  const out: unknown[] = [];
  for await (const r of uploadRecords(stream, format, max, path)) out.push(r);
  return out;
}

// Keys and strings with quotes, backslashes, brackets, commas, new lines and non-ASCII text.
const text = fc.string({ unit: fc.constantFrom('a', '"', '\\', '[', ']', '{', '}', ',', '\n', 'é', '😀', ' ') });
const record = fc.dictionary(text, fc.oneof(text, fc.integer(), fc.boolean(), fc.constant(null), fc.array(text, { maxLength: 3 })), { maxKeys: 4 });

describe('uploaded records', () => {
  it('reads a JSON array, pretty or not, however the stream is cut', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(record, { maxLength: 8 }), fc.boolean(), fc.array(fc.nat(), { maxLength: 6 }), async (records, pretty, cuts) => {
        const body = JSON.stringify(records, null, pretty ? 2 : undefined);
        expect(await all(cut(body, cuts), 'json')).toEqual(records);
      }),
    );
  });

  it('reads NDJSON, with or without a final new line, however the stream is cut', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(record, { maxLength: 8 }), fc.boolean(), fc.array(fc.nat(), { maxLength: 6 }), async (records, final, cuts) => {
        const body = records.map((r) => JSON.stringify(r)).join('\r\n') + (final ? '\n' : '');
        expect(await all(cut(body, cuts), 'ndjson')).toEqual(records);
      }),
    );
  });

  it('reads scalars and nested arrays as array elements, and refuses what is not one array', async () => {
    expect(await all(from(['[1, "a,]", [2, [3]], {"b": "}"}, null]']), 'json')).toEqual([1, 'a,]', [2, [3]], { b: '}' }, null]);
    expect(await all(from(['  []  ']), 'json')).toEqual([]);
    await expect(all(from(['[{"a": 1}] [']), 'json')).rejects.toThrow(/more after its array/);
    await expect(all(from(['[{"a": 1}']), 'json')).rejects.toThrow(/not closed/);
    await expect(all(from(['[{"a": }]']), 'json')).rejects.toThrow(/Row 1 is not valid JSON/);
  });

  it('refuses a record longer than the limit, in either JSON form, without waiting for its end', async () => {
    const long = `{"a": "${'x'.repeat(2000)}"}`;
    await expect(all(from([`[${long}`]), 'json', 1000)).rejects.toThrow(/Row 1 is longer than 1000 characters/);
    await expect(all(from([`{"a": 1}\n${long}`]), 'ndjson', 1000)).rejects.toThrow(/Row 2 is longer than 1000 characters/);
    await expect(all(from([`[${'['.repeat(200)}${']'.repeat(200)}]`]), 'json')).rejects.toThrow(/nests/);
  });

  it('reads CSV: dotted header paths, empty cells left out, JSON arrays and objects as values, quoted fields', async () => {
    // A JSON cell as an export writes it (quoted), and as a person types it (not).
    const csv = 'fields.project.key,fields.summary,fields.labels,fields.description\r\nCE,"a, ""b""","[""x""]",\r\nCE,plain,["y"],"two\nlines"\r\n';
    expect(await all(from([csv]), 'csv')).toEqual([
      { fields: { project: { key: 'CE' }, summary: 'a, "b"', labels: ['x'] } },
      { fields: { project: { key: 'CE' }, summary: 'plain', labels: ['y'], description: 'two\nlines' } },
    ]);
    await expect(all(from(['a,b\r\n1\r\n']), 'csv')).rejects.toThrow(/row 1|near row/i);
    await expect(all(from(['a,"unclosed\r\n']), 'csv')).rejects.toThrow(/cannot be read/);
  });

  it('reads the array at metaData.path inside a JSON object, skipping every member around it, however the stream is cut', async () => {
    // Names that start like the path's, and values that hold quotes, brackets and the path's own names.
    const name = fc.constantFrom('data', 'issues', 'dat', 'data ', 'd"ata', 'x\\', 'é');
    const noise = fc.dictionary(name, fc.oneof(text, fc.integer(), fc.constant(null), record, fc.array(record, { maxLength: 2 })), { maxKeys: 3 });
    await fc.assert(
      fc.asyncProperty(
        fc.array(record, { maxLength: 6 }),
        noise,
        noise,
        noise,
        fc.boolean(),
        fc.array(fc.nat(), { maxLength: 6 }),
        async (records, before, inner, after, pretty, cuts) => {
          // The records' members come after the noise's, and a noise member of the same name comes first (a duplicate is not read).
          const { data: _d, ...outerBefore } = before;
          const { issues: _i, ...innerBefore } = inner;
          const doc = `{${members(outerBefore)}"data": {${members(innerBefore)}"issues": ${JSON.stringify(records, null, pretty ? 2 : undefined)}, "after": ${JSON.stringify(after)}}, "tail": ${JSON.stringify(after)}}`;
          expect(JSON.parse(doc).data.issues).toEqual(records);
          expect(await all(cut(doc, cuts), 'json', 1 << 20, ['data', 'issues'])).toEqual(records);
        },
      ),
    );
  });

  it('refuses a JSON file without an array at metaData.path, and one that does not close after it', async () => {
    const read = (doc: string, path = ['data', 'issues']) => all(from([doc]), 'json', 1 << 20, path);
    await expect(read('[{"a": 1}]')).rejects.toThrow(/must be an object that holds the records at "data.issues"/);
    await expect(read('{"data": {"other": [1]}}')).rejects.toThrow(/no records array at "data.issues"/);
    await expect(read('{"datum": {"issues": [1]}}')).rejects.toThrow(/no records array at "data.issues"/);
    await expect(read('{"data": [{"issues": [1]}]}')).rejects.toThrow(/no object at "data"/);
    await expect(read('{"data": {"issues": {"a": 1}}}')).rejects.toThrow(/no array at "data.issues"/);
    await expect(read('{"data": {"issues": [1, 2]')).rejects.toThrow(/not closed after its records/);
    await expect(read('{"data": {"issues": [1]}} {')).rejects.toThrow(/not closed after its records|more after/);
    await expect(read('{"data": {"iss')).rejects.toThrow(/no records array/);
    await expect(read('')).rejects.toThrow(/empty/);
    await expect(read('{"data" {"issues": []}}')).rejects.toThrow(/not valid JSON/);
    expect(await read('{"a\\"b": 1, "data": {"issues": []}}')).toEqual([]);
    expect(await read('{"total": 2, "issues": [{"key": "CE-1"}, {"key": "CE-2"}]}', ['issues'])).toEqual([{ key: 'CE-1' }, { key: 'CE-2' }]);
  });

  it('fails, never waits, for a file whose client went away, before or while it is read, in every format', async () => {
    const gone = () => new Error('the client went away');
    for (const format of ['csv', 'json', 'ndjson'] as const) {
      // Gone before reading began: the upload's job was being created meanwhile.
      const before = new Readable({ read() {} });
      before.on('error', () => undefined); // as the multipart parser listens
      before.destroy(gone());
      await new Promise((r) => setImmediate(r));
      await expect(all(before, format), format).rejects.toThrow(/went away/);
      // Gone after the first bytes.
      const during = new Readable({ read() {} });
      during.on('error', () => undefined);
      during.push(Buffer.from(format === 'csv' ? 'fields.summary\r\none\r\n' : '[{"a": 1},'));
      setImmediate(() => during.destroy(gone()));
      await expect(all(during, format), format).rejects.toThrow(/went away/);
    }
  });

  it('tells the format by the content type, then by the name', () => {
    expect(uploadFormat('text/csv; charset=utf-8', 'x.bin')).toBe('csv');
    expect(uploadFormat('application/octet-stream', 'rows.JSONL')).toBe('ndjson');
    expect(uploadFormat('application/json', 'rows.csv')).toBe('json');
    expect(uploadFormat('application/octet-stream', 'rows.xlsx')).toBeUndefined();
  });
});

/** Members as JSON text, each followed by a comma. */
const members = (obj: Record<string, unknown>) =>
  Object.entries(obj)
    .map(([k, v]) => `${JSON.stringify(k)}: ${JSON.stringify(v)}, `)
    .join('');
