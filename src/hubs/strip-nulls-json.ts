const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COLON = 0x3a;
const COMMA = 0x2c;
const OPEN_BRACE = 0x7b;
const OPEN_BRACKET = 0x5b;
const N = 0x6e;

/**
 * `stripNulls` on JSON as it came over the wire instead of on a parsed value: removes every object
 * member whose value is `null`, at any depth, and keeps nulls inside arrays (D19). The input must
 * be valid JSON; the output is valid JSON with the same members in the same order, whitespace
 * aside.
 *
 * The JSON is UTF-8 bytes held as latin1 text (`buffer.toString('latin1')`): one character per byte,
 * so nothing is decoded, and the result goes out as it is (`res.end(text, 'latin1')`) or back
 * into bytes. Scanning bytes is safe because every byte of a multi-byte UTF-8 character is 0x80
 * or above, so none can be mistaken for a quote, backslash, colon or comma. Text rather than a
 * Buffer: V8 searches text without a call into C++ per search, and the kept ranges become one
 * text without allocating a buffer: on a 4.5 KB issue with a dozen nulls this takes less than half
 * the CPU of a walk over a Buffer.
 */
export function stripNullsFromJsonText(json: string): string {
  const members = memberNullsBySearch(json) ?? memberNullsByWalk(json);
  if (members.length === 0) return json;
  let out = '';
  let keptFrom = 0;
  for (let m = 0; m < members.length; m += 2) {
    const keyStart = members[m]!;
    const end = members[m + 1]! + 4;
    const comma = previousNonSpace(json, keyStart - 1);
    if (json.charCodeAt(comma) === COMMA && comma >= keptFrom) {
      out += json.slice(keptFrom, comma);
      keptFrom = end;
    } else {
      // The first member left in its object: take the comma after it instead, if any.
      const after = nextNonSpace(json, end);
      out += json.slice(keptFrom, keyStart);
      keptFrom = json.charCodeAt(after) === COMMA ? after + 1 : end;
    }
  }
  return out + json.slice(keptFrom);
}

/**
 * The members whose value is `null`, as pairs of offsets (the key's opening quote, the `null`),
 * found from each `null` and the few characters before it, without reading the strings between:
 * a vendor object has a dozen nulls and hundreds of strings.
 *
 * A `null` is a member's value when a colon precedes it and an unescaped quote precedes the
 * colon: an escaped quote, or anything else, is text inside a string. That quote closes the key
 * unless it opens a string whose text starts with the colon (`[":null,"]`). An opening quote
 * follows `{`, `[`, `,` or `:`, while a closing quote follows the key's last character, which
 * is rarely one of those. When it is one, these characters alone cannot tell, and `undefined`
 * asks for the walk.
 */
export function memberNullsBySearch(json: string): number[] | undefined {
  const found: number[] = [];
  for (let n = json.indexOf('null'); n >= 0; n = json.indexOf('null', n + 4)) {
    const colon = previousNonSpace(json, n - 1);
    if (json.charCodeAt(colon) !== COLON) continue;
    const close = previousNonSpace(json, colon - 1);
    if (json.charCodeAt(close) !== QUOTE || isEscaped(json, close)) continue;
    const before = previousNonSpace(json, close - 1);
    const c = json.charCodeAt(before);
    if (before < 0 || c === COLON || c === COMMA || c === OPEN_BRACE || c === OPEN_BRACKET) return undefined;
    // The key's opening quote: the nearest unescaped quote before its closing one.
    let open = close;
    do open = json.lastIndexOf('"', open - 1);
    while (open > 0 && isEscaped(json, open));
    if (open < 0) return undefined;
    found.push(open, n);
  }
  return found;
}

/**
 * The same pairs as `memberNullsBySearch`, from a walk over every string up to the last `null`:
 * it knows at each character whether it is inside a string, so it answers for any valid JSON.
 */
export function memberNullsByWalk(json: string): number[] {
  const found: number[] = [];
  const last = json.lastIndexOf('null');
  let stringStart = -1;
  for (let i = 0; i <= last; i++) {
    const c = json.charCodeAt(i);
    if (c === QUOTE) {
      stringStart = i;
      i = closingQuote(json, i);
    } else if (c === N) {
      // Outside strings an `n` can only start `null` (no other JSON token contains one). A
      // member `"key": null`: the colon before it, and its key is the last string opened.
      if (json.charCodeAt(previousNonSpace(json, i - 1)) === COLON) found.push(stringStart, i);
      i += 3;
    }
  }
  return found;
}

/** Where the string opened at `open` ends: the next unescaped quote, or the end. */
function closingQuote(json: string, open: number): number {
  let quote = open;
  do quote = json.indexOf('"', quote + 1);
  while (quote >= 0 && isEscaped(json, quote));
  return quote < 0 ? json.length : quote;
}

/** Whether an odd number of backslashes precedes the quote at `quote`. */
function isEscaped(json: string, quote: number): boolean {
  let backslashes = 0;
  while (json.charCodeAt(quote - 1 - backslashes) === BACKSLASH) backslashes++;
  return backslashes % 2 === 1;
}

const isSpace = (c: number) => c === 32 || c === 10 || c === 13 || c === 9;

function previousNonSpace(json: string, i: number): number {
  while (i >= 0 && isSpace(json.charCodeAt(i))) i--;
  return i;
}

function nextNonSpace(json: string, i: number): number {
  while (i < json.length && isSpace(json.charCodeAt(i))) i++;
  return i;
}
