/**
 * SQLSTATEs of a server that cannot serve now: connection exceptions (class 08), insufficient
 * resources (class 53: too many connections, disk full, out of memory), and the server shutting
 * down, crashed or starting (57P01–57P05).
 */
const UNAVAILABLE_SQLSTATE = /^(08|53|57P0[1-5])/;

/** Socket errors of a server that is down, unreachable or gone mid-query. */
const UNAVAILABLE_ERRNO = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EPIPE",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENOTFOUND",
  "EAI_AGAIN",
]);

/** What `pg` says of a connection it lost, or could not open in `connectionTimeoutMillis`. */
const UNAVAILABLE_MESSAGE = /^(Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error)/;

/**
 * Mark an error of PostgreSQL's that means "the database cannot serve now" (it is down,
 * restarting, unreachable or out of connections) with `storeUnavailable`, so the API answers it
 * 503 `TH_API_STORE_UNAVAILABLE` (hub/src/http/store-availability.ts) as it answers a busy
 * meta.db, not 500. Any other error is returned as it is.
 */
export function markUnavailable(error: unknown): unknown {
  if (!(error instanceof Error)) return error;
  const code = (error as { code?: unknown }).code;
  const unavailable =
    (typeof code === "string" && (UNAVAILABLE_SQLSTATE.test(code) || UNAVAILABLE_ERRNO.has(code))) ||
    UNAVAILABLE_MESSAGE.test(error.message);
  if (unavailable) Object.assign(error, { storeUnavailable: true });
  return error;
}
