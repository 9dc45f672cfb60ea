/**
 * Waits until `check` holds, looking every 10 ms. This is for positive markers only: a test that
 * must show something did *not* happen waits for a marker that can only come after it.
 */
export async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${check.toString().slice(0, 200)}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
