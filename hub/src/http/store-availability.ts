/** SQLite result codes that mean the database cannot serve now, not that the request was wrong. */
const UNAVAILABLE_SQLITE_CODES = /^SQLITE_(BUSY|LOCKED|IOERR|CANTOPEN|FULL|READONLY|NOMEM|CORRUPT|NOTADB)/;

/** True when an error thrown by a store means "the store is unavailable" (→ 503) rather than a bug (→ 500). */
export function isStoreUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  // Stores that are not SQLite (InfluxDB) mark their "cannot serve now" errors themselves.
  if ((error as { storeUnavailable?: unknown }).storeUnavailable === true) return true;
  const code = (error as { code?: unknown }).code;
  if (typeof code === "string" && UNAVAILABLE_SQLITE_CODES.test(code)) return true;
  // better-sqlite3 throws a plain TypeError once its connection is closed.
  return error.message === "The database connection is not open";
}

/** Reject with a timeout error if `promise` does not settle within `ms`. */
export async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
