import { inflateRawSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { compressPage } from '../../src/bulk/bulk-repository.ts';

describe('compressPage', () => {
  it('compresses the slices written, in order, into one raw deflate stream', async () => {
    const slices = ['{"id":"1"}\n', '', '{"id":"2","text":"ünï 日本"}\n', 'x'.repeat(200_000)];
    const page = await compressPage(async (write) => {
      for (const slice of slices) await write(slice);
    });
    expect(inflateRawSync(page!).toString('utf8')).toBe(slices.join(''));
  });

  it('is undefined when nothing was written', async () => {
    expect(await compressPage(async (write) => write(''))).toBeUndefined();
  });

  it('passes on the failure of whatever fills it', async () => {
    await expect(
      compressPage(async (write) => {
        await write('{"id":"1"}\n');
        throw new Error('the transformation failed');
      }),
    ).rejects.toThrow('the transformation failed');
  });
});
