import { JetStreamApiError } from "@nats-io/jetstream";
import type { KV } from "@nats-io/kv";

/** A KV entry's JSON value and the revision it was read at (0: no entry). */
export interface Revised<T> {
  value: T | undefined;
  revision: number;
}

const WRONG_LAST_SEQUENCE = 10071;
/** Tries of a compare-and-set before giving up (each one lost to another instance's write). */
const MAX_TRIES = 10;

/** Read a key's JSON value; a deleted or purged key reads as absent. */
export async function readJson<T>(kv: KV, key: string): Promise<Revised<T>> {
  const entry = await kv.get(key);
  if (entry === null) return { value: undefined, revision: 0 };
  if (entry.operation !== "PUT" || entry.length === 0) return { value: undefined, revision: entry.revision };
  return { value: entry.json<T>(), revision: entry.revision };
}

/**
 * Compare-and-set: `change` gets the current value and returns the new one, or undefined to
 * leave it; the write succeeds only if nobody wrote the key since it was read (JetStream's
 * expected last subject sequence), else it is read again and `change` asked again.
 * `known` is a value already read, to save the first read.
 */
export async function updateJson<T>(
  kv: KV,
  key: string,
  change: (current: T | undefined) => T | undefined,
  known?: Revised<T>,
): Promise<Revised<T>> {
  let current = known ?? (await readJson<T>(kv, key));
  for (let tries = 1; ; tries++) {
    const next = change(current.value);
    if (next === undefined) return current;
    try {
      const data = JSON.stringify(next);
      const revision = current.revision === 0 ? await kv.create(key, data) : await kv.update(key, data, current.revision);
      return { value: next, revision };
    } catch (error) {
      if (!(error instanceof JetStreamApiError && error.code === WRONG_LAST_SEQUENCE) || tries >= MAX_TRIES) throw error;
      current = await readJson<T>(kv, key);
    }
  }
}
