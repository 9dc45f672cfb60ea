import { badRequest } from '../platform/errors.ts';
import { BACKSLASH, CLOSE_ARRAY, CLOSE_OBJECT, COLON, COMMA, isSpace, JsonStrings, OPEN_ARRAY, OPEN_OBJECT, QUOTE } from './json-text.ts';

/** The longest member name the locator compares; a longer one cannot be on a path and is skipped. */
const MAX_KEY_LENGTH = 1_000;

type State = 'root' | 'key' | 'inKey' | 'colon' | 'value' | 'skip';

/**
 * Finds where the records array at a path of member names (`metaData.path`, e.g. `data.issues`)
 * starts inside a JSON document that arrives in pieces, without keeping the document: members off
 * the path are skipped by tracking strings and nesting only (one pass over each character, no
 * backtracking), so a large member before the array costs no memory. `find` returns the offset
 * just after the array's `[` in the text given, or -1 while it has not come yet.
 */
export class JsonPathLocator {
  readonly #path: readonly string[];
  #state: State = 'root';
  /** How many names of the path the object being read lies under. */
  #matched = 0;
  #rawKey = '';
  #keyTooLong = false;
  #key = '';
  /** The escape state of the member name being read. */
  #escaped = false;
  /** Strings inside a skipped value. */
  readonly #skipped = new JsonStrings();
  #skipDepth = 0;

  constructor(path: readonly string[]) {
    this.#path = path;
  }

  find(text: string): number {
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      switch (this.#state) {
        case 'root':
          if (isSpace(c)) continue;
          if (c !== OPEN_OBJECT) throw badRequest(`With metaData.path the JSON file must be an object that holds the records at ${this.#name()}`);
          this.#state = 'key';
          continue;
        case 'key':
          if (isSpace(c) || c === COMMA) continue;
          if (c === CLOSE_OBJECT) throw this.#missing();
          if (c !== QUOTE) throw this.#malformed();
          this.#state = 'inKey';
          this.#rawKey = '';
          this.#keyTooLong = false;
          continue;
        case 'inKey':
          if (this.#escaped) this.#escaped = false;
          else if (c === BACKSLASH) this.#escaped = true;
          else if (c === QUOTE) {
            this.#key = this.#keyTooLong ? '' : this.#decodeKey();
            this.#state = 'colon';
            continue;
          }
          if (this.#rawKey.length < MAX_KEY_LENGTH) this.#rawKey += text[i];
          else this.#keyTooLong = true;
          continue;
        case 'colon':
          if (isSpace(c)) continue;
          if (c !== COLON) throw this.#malformed();
          this.#state = 'value';
          continue;
        case 'value': {
          if (isSpace(c)) continue;
          if (!this.#keyTooLong && this.#key === this.#path[this.#matched]) {
            const last = this.#matched === this.#path.length - 1;
            if (last && c === OPEN_ARRAY) return i + 1;
            if (!last && c === OPEN_OBJECT) {
              this.#matched++;
              this.#state = 'key';
              continue;
            }
            throw badRequest(`The JSON file holds no ${last ? 'array' : 'object'} at ${this.#name(this.#matched + 1)} (metaData.path)`);
          }
          this.#state = 'skip';
          this.#skipDepth = 0;
          i--; // The value's first character is read by the skipper.
          continue;
        }
        case 'skip':
          if (this.#skipped.claims(c)) continue;
          if (c === OPEN_OBJECT || c === OPEN_ARRAY) this.#skipDepth++;
          else if (c === CLOSE_OBJECT || c === CLOSE_ARRAY) {
            if (this.#skipDepth === 0) throw this.#missing();
            this.#skipDepth--;
          } else if (c === COMMA && this.#skipDepth === 0) this.#state = 'key';
          continue;
      }
    }
    return -1;
  }

  /** The document ended before the array. */
  end(): never {
    throw this.#state === 'root' ? badRequest('The JSON file is empty') : this.#missing();
  }

  #decodeKey(): string {
    try {
      return JSON.parse(`"${this.#rawKey}"`) as string;
    } catch {
      throw this.#malformed();
    }
  }

  #name(length = this.#path.length): string {
    return `"${this.#path.slice(0, length).join('.')}"`;
  }

  #missing() {
    return badRequest(`The JSON file has no records array at ${this.#name()} (metaData.path)`);
  }

  #malformed() {
    return badRequest(`The JSON file is not valid JSON before the records at ${this.#name()} (metaData.path)`);
  }
}

/** A records path as given in metaData: member names joined by dots. */
export function recordsPath(value: unknown): string[] {
  if (typeof value !== 'string' || value.length === 0 || value.length > 500)
    throw badRequest('metaData.path must be the member names that lead to the records array, joined by dots (data.issues)');
  const names = value.split('.');
  if (names.some((name) => name === '')) throw badRequest('metaData.path has an empty member name (two dots, or a dot at an end)');
  return names;
}
