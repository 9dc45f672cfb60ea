import { finished, type Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { parse as parseCsv } from 'csv-parse';
import { badRequest } from '../platform/errors.ts';
import { jsonDepthExceeds, MAX_JSON_DEPTH } from '../platform/http/json-parser.ts';
import { isPlacePath, parsePath, setPath } from '../transformations/mapping.ts';
import { JsonPathLocator } from './json-path-locator.ts';
import { CLOSE_ARRAY, CLOSE_OBJECT, COMMA, isSpace, JsonStrings, OPEN_ARRAY, OPEN_OBJECT } from './json-text.ts';

export type UploadFormat = 'csv' | 'json' | 'ndjson';

/** The format of an uploaded file: its part's content type, else its name's extension. */
export function uploadFormat(mimeType: string, filename: string): UploadFormat | undefined {
  const type = mimeType.split(';')[0]!.trim().toLowerCase();
  if (type === 'text/csv') return 'csv';
  if (type === 'application/x-ndjson' || type === 'application/jsonl') return 'ndjson';
  if (type === 'application/json') return 'json';
  const ext = filename.toLowerCase().split('.').at(-1);
  if (ext === 'csv') return 'csv';
  if (ext === 'ndjson' || ext === 'jsonl') return 'ndjson';
  if (ext === 'json') return 'json';
  return undefined;
}

/** A record as JSON text, checked: the row's JSON must parse and stay within the size and nesting limits. */
function parseRecord(text: string, row: number, maxLength: number): unknown {
  if (text.length > maxLength) throw tooLong(row, maxLength);
  if (jsonDepthExceeds(text, MAX_JSON_DEPTH)) throw badRequest(`Row ${row} nests objects and arrays more than ${MAX_JSON_DEPTH} levels deep`);
  try {
    return JSON.parse(text);
  } catch (err) {
    throw badRequest(`Row ${row} is not valid JSON: ${(err as Error).message}`);
  }
}

/**
 * The records of an uploaded file, one at a time as the file arrives, so that neither the file
 * nor its records are held whole: NDJSON by lines, a JSON array by its elements, CSV by rows
 * (a header row of dotted paths, each non-empty cell set at its path; a cell holding a JSON
 * array or object, as an export writes them, is that value). With `recordsPath` (member names;
 * for a JSON file only) the file is one JSON object and the records are the array at that path;
 * the members around it are skipped unread. A record longer than `maxRecordLength` characters is
 * a 400.
 */
export function uploadRecords(file: Readable, format: UploadFormat, maxRecordLength: number, recordsPath?: string[]): AsyncGenerator<unknown> {
  if (format === 'csv') return csvRecords(file, maxRecordLength);
  return jsonRecords(file, format, maxRecordLength, recordsPath);
}

const tooLong = (row: number, maxLength: number) => badRequest(`Row ${row} is longer than ${maxLength} characters`);

async function* csvRecords(file: Readable, maxRecordLength: number): AsyncGenerator<unknown> {
  const parser = file.pipe(parseCsv({ bom: true, max_record_size: maxRecordLength, skip_empty_lines: true, relax_quotes: true }));
  // `pipe` does not pass an error on: a file cut short (its client gone) would leave the parser,
  // and this job, waiting for ever. `finished` also tells of a file that failed before this
  // began (its client went while the job was being made), whose error was emitted already.
  const stopWatching = finished(file, { writable: false }, (err) => {
    if (err) parser.destroy(err);
  });
  let columns: ReturnType<typeof parsePath>[] | undefined;
  let row = 0;
  try {
    for await (const cells of parser as AsyncIterable<string[]>) {
      if (!columns) {
        const bad = cells.find((c) => !isPlacePath(c));
        if (bad !== undefined) throw badRequest(`CSV column "${bad.slice(0, 100)}" is not a dotted path (fields.summary, fields.project.key)`);
        columns = cells.map(parsePath);
        continue;
      }
      row++;
      if (cells.length !== columns.length) throw badRequest(`CSV row ${row} has ${cells.length} cells; the header has ${columns.length}`);
      const record: Record<string, unknown> = {};
      cells.forEach((cell, i) => {
        if (cell === '') return;
        const structured = (cell.startsWith('[') && cell.endsWith(']')) || (cell.startsWith('{') && cell.endsWith('}'));
        setPath(record, columns![i]!, structured ? parseRecord(cell, row, maxRecordLength) : cell);
      });
      yield record;
    }
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (typeof code === 'string' && code.startsWith('CSV_')) throw badRequest(`The CSV file cannot be read near row ${row + 1}: ${(err as Error).message}`);
    throw err;
  } finally {
    stopWatching();
    file.unpipe(parser);
    parser.destroy();
  }
}

/**
 * NDJSON lines, or the elements of one JSON array (the whole file's, or the one at `recordsPath`),
 * cut out of the text as it streams by a scan that tracks strings and nesting (one pass, no
 * backtracking), then each parsed with `JSON.parse`. A JSON file whose text does not start with
 * `[` is read as NDJSON, unless a records path is given.
 */
async function* jsonRecords(file: Readable, format: UploadFormat, maxRecordLength: number, recordsPath?: string[]): AsyncGenerator<unknown> {
  const decoder = new StringDecoder('utf8');
  const locator = recordsPath && new JsonPathLocator(recordsPath);
  let mode: 'undecided' | 'locating' | 'lines' | 'array' | 'after' = format === 'ndjson' ? 'lines' : locator ? 'locating' : 'undecided';
  // The objects around the records array (metaData.path) still open after it.
  let enclosing = recordsPath?.length ?? 0;
  let pending = '';
  let row = 0;
  // The array scanner's state, kept across chunks.
  let depth = 0;
  const strings = new JsonStrings();
  let start = -1;
  const record = (text: string) => parseRecord(text, ++row, maxRecordLength);

  function* lines(text: string, end: boolean): Generator<unknown> {
    pending += text;
    let from = 0;
    for (let nl = pending.indexOf('\n'); nl >= 0; nl = pending.indexOf('\n', from)) {
      const line = pending.slice(from, nl).trim();
      from = nl + 1;
      if (line !== '') yield record(line);
    }
    pending = pending.slice(from);
    if (end && pending.trim() !== '') yield record(pending.trim());
    if (pending.length > maxRecordLength) throw tooLong(row + 1, maxRecordLength);
  }

  function* elements(text: string): Generator<unknown> {
    // `pending` holds the unfinished element (from `start`) of earlier chunks.
    const base = pending.length;
    pending += text;
    let i = base;
    for (; i < pending.length; i++) {
      const c = pending.charCodeAt(i);
      if (mode === 'after') {
        if (enclosing === 0) {
          if (!isSpace(c)) throw badRequest('The JSON file has more after its array');
        } else if (!strings.claims(c)) {
          // The members after the records array (metaData.path) are skipped unread.
          if (c === OPEN_OBJECT || c === OPEN_ARRAY) enclosing++;
          else if (c === CLOSE_OBJECT || c === CLOSE_ARRAY) enclosing--;
        }
        continue;
      }
      if (depth === 0) {
        if (c === OPEN_ARRAY) depth = 1;
        else if (!isSpace(c)) throw badRequest('A JSON file must hold one array of records');
        continue;
      }
      if (depth === 1 && start < 0) {
        if (isSpace(c) || c === COMMA) continue;
        if (c === CLOSE_ARRAY) {
          mode = 'after';
          continue;
        }
        start = i;
      }
      if (strings.claims(c)) continue;
      if (c === OPEN_OBJECT || c === OPEN_ARRAY) depth++;
      else if (c === CLOSE_OBJECT || c === CLOSE_ARRAY) {
        if (depth === 1) {
          // A scalar element ends at the array's end.
          yield record(pending.slice(start, i));
          start = -1;
          mode = 'after';
          continue;
        }
        depth--;
        if (depth === 1) {
          yield record(pending.slice(start, i + 1));
          start = -1;
        }
      } else if (c === COMMA && depth === 1) {
        yield record(pending.slice(start, i));
        start = -1;
      }
    }
    // Keep only the unfinished element.
    if (start >= 0) {
      pending = pending.slice(start);
      start = 0;
    } else pending = '';
    if (pending.length > maxRecordLength) throw tooLong(row + 1, maxRecordLength);
  }

  for await (const chunk of file) {
    let text = decoder.write(chunk as Buffer);
    if (mode === 'locating') {
      const at = locator!.find(text);
      if (at < 0) continue;
      // The array's `[` is read: its elements follow.
      mode = 'array';
      depth = 1;
      text = text.slice(at);
    }
    if (mode === 'undecided') {
      const first = text.search(/\S/);
      if (first < 0) continue;
      mode = text[first] === '[' ? 'array' : 'lines';
      text = text.slice(first);
    }
    if (mode === 'lines') yield* lines(text, false);
    else yield* elements(text);
  }
  // `mode` changes inside the scanners, where the compiler's narrowing does not look.
  const modeNow = (): typeof mode => mode;
  const rest = decoder.end();
  // A file that ends while the array is looked for has none (the decoder's rest is at most an
  // incomplete character).
  if (modeNow() === 'locating') locator!.end();
  if (modeNow() === 'lines') yield* lines(rest, true);
  else if (modeNow() !== 'undecided') {
    yield* elements(rest);
    if (modeNow() !== 'after') throw badRequest('The JSON array is not closed');
    if (enclosing !== 0) throw badRequest('The JSON file is not closed after its records array');
  }
}
