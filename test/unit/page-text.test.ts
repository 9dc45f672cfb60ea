import { describe, expect, it } from 'vitest';
import { pageText, ReceivedResponse, withoutScriptsAndStyles } from '../../src/platform/vendor-http/vendor-request.ts';

const page = (html: string) => pageText(new ReceivedResponse(500, { 'content-type': 'text/html' }, Buffer.from(html)));

describe('the words of an error page', () => {
  it('drops tags, scripts and styles, closed or not, in any case', () => {
    expect(page('<html><head><style>p{}</style><SCRIPT>var x = "<b>";</SCRIPT></head><body><h1>Oops</h1>&nbsp;<p>Try later</p></body></html>')).toBe(
      'Oops Try later',
    );
    expect(withoutScriptsAndStyles('before<script>never closed <p>after')).toBe('before ');
    expect(withoutScriptsAndStyles('a<style>x</style>b<script>y</script>c')).toBe('a b c');
    expect(page('')).toBe('HTTP 500');
  });

  it('reads a page of unclosed script tags in one pass', () => {
    // The former expression rescanned the rest of the page from each of these 9,362 tags.
    const hostile = '<script'.repeat(9362);
    expect(withoutScriptsAndStyles(hostile)).toBe(' ');
    expect(withoutScriptsAndStyles(`${'<style'.repeat(5000)}</style>${'<script'.repeat(5000)}`)).toBe('  ');
  });
});
