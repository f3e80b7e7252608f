import assert from "node:assert/strict";

/** Waits until `check` holds (checked every 20 ms), or fails with `why` after `ms`. */
export async function eventually(check: () => boolean, ms: number, why: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) assert.fail(why);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
