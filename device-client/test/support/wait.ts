import { setTimeout as sleep } from "node:timers/promises";

/** Poll `condition` every 5 ms until it holds; throws after `timeoutMs`. */
export async function waitFor(condition: () => boolean, timeoutMs = 3_000, what = "condition"): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(5);
  }
}

/** The next `event` from an emitter, or a timeout error. */
export function nextEvent<T>(
  emitter: { once(event: string, listener: (value: T) => void): unknown; off(event: string, listener: (value: T) => void): unknown },
  event: string,
  timeoutMs = 3_000,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      emitter.off(event, listener);
      reject(new Error(`timed out after ${timeoutMs} ms waiting for "${event}"`));
    }, timeoutMs);
    const listener = (value: T): void => {
      clearTimeout(timer);
      resolve(value);
    };
    emitter.once(event, listener);
  });
}
