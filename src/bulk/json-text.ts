/** Character codes of JSON's structure, for scanners that read JSON text one character at a time. */
export const QUOTE = 0x22;
export const BACKSLASH = 0x5c;
export const COMMA = 0x2c;
export const COLON = 0x3a;
export const OPEN_OBJECT = 0x7b;
export const CLOSE_OBJECT = 0x7d;
export const OPEN_ARRAY = 0x5b;
export const CLOSE_ARRAY = 0x5d;

export const isSpace = (c: number) => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;

/**
 * Which characters of JSON text lie inside strings, read one at a time across the pieces of a
 * stream: a scanner reads structure (brackets, commas, colons) only from the characters this does
 * not claim, so a bracket or quote inside a string value never counts.
 */
export class JsonStrings {
  #inString = false;
  #escaped = false;

  /** Reads `c`; true when it belongs to a string, its quotes included. */
  claims(c: number): boolean {
    if (this.#inString) {
      if (this.#escaped) this.#escaped = false;
      else if (c === BACKSLASH) this.#escaped = true;
      else if (c === QUOTE) this.#inString = false;
      return true;
    }
    if (c === QUOTE) {
      this.#inString = true;
      return true;
    }
    return false;
  }
}
