/**
 * Polls `check` every 50 ms until it returns a truthy value, and returns that value; throws
 * `timed out waiting for <what>` after `timeoutMs` (default 20 s). For conditions, never
 * for a fixed time: the machine's speed must not decide an outcome.
 */
export async function waitFor<T>(what: string, check: () => T | Promise<T>, timeoutMs = 20_000): Promise<NonNullable<T>> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v) return v as NonNullable<T>;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
