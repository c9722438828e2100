import pg from "pg";
import { markUnavailable } from "./pg-availability.js";
import { isStalePlan, StatementNames } from "./pg-statement-names.js";

/** What runs SQL: the pool, or one transaction's connection. */
export interface PgQueryable {
  query<R extends object = Record<string, unknown>>(text: string, values?: readonly unknown[]): Promise<{ rows: R[]; rowCount: number }>;
}

/** A PostgreSQL connection pool with transactions; BIGINT columns come back as numbers. */
export interface PgDatabase extends PgQueryable {
  /** Run `work` in one transaction on one connection: COMMIT when it resolves, ROLLBACK when it throws. */
  transaction<T>(work: (tx: PgQueryable) => Promise<T>): Promise<T>;
  /**
   * Run `work` on one connection outside any transaction, for what belongs to a session (an
   * advisory lock). A connection whose `work` threw is destroyed, not reused: its session state is unknown.
   */
  withConnection<T>(work: (connection: PgQueryable) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** Options of {@link openPgDatabase}. */
export interface PgDatabaseOptions {
  /** Connections at most. */
  poolSize: number;
  /** Called with an error of an idle connection (the server restarted); the pool replaces it. */
  onIdleError?: (error: Error) => void;
  /** Give up connecting after this long. Default 10,000 ms. */
  connectTimeoutMs?: number;
}

// Every BIGINT of the schema is a millisecond time or a count far below 2^53.
const types = {
  getTypeParser: ((oid: number, format?: "text" | "binary") =>
    oid === pg.types.builtins.INT8
      ? (value: string) => Number(value)
      : pg.types.getTypeParser(oid, format as "text")) as typeof pg.types.getTypeParser,
};

/**
 * Listen for the loss of a checked-out connection (the server restarted or was killed) until
 * `end()`, which says the error if there was one. The pool listens only while a connection is
 * idle: a checked-out client's `error` event without a listener would throw and stop the hub.
 * The query in progress fails with the same error, so it is only noted here.
 */
function watchLoss(client: pg.PoolClient): { end(): Error | undefined } {
  let lost: Error | undefined;
  const note = (error: Error): void => {
    lost = error;
  };
  client.on("error", note);
  return {
    end() {
      client.removeListener("error", note);
      return lost;
    },
  };
}

/** Open a pool on `url` (nothing connects until the first query). */
export function openPgDatabase(url: string, options: PgDatabaseOptions): PgDatabase {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.poolSize,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 10_000,
    types,
  });
  pool.on("error", (error) => options.onIdleError?.(error));
  const names = new StatementNames();
  const run = <R extends object>(on: pg.Pool | pg.PoolClient, text: string, values: unknown[] | undefined, name: string | undefined) =>
    name === undefined ? on.query<R>(text, values) : on.query<R>({ name, text, values });
  const query = async <R extends object>(on: pg.Pool | pg.PoolClient, text: string, values?: readonly unknown[]) => {
    // Only statements with parameters are named: a text without them may hold several statements (a migration).
    const params = values && values.length > 0 ? [...values] : undefined;
    const name = params ? names.nameOf(text) : undefined;
    try {
      const result = await run<R>(on, text, params, name).catch((error: unknown) => {
        if (name === undefined || !isStalePlan(error)) throw error;
        return run<R>(on, text, params, names.renew(text));
      });
      return { rows: result.rows, rowCount: result.rowCount ?? 0 };
    } catch (error) {
      throw markUnavailable(error);
    }
  };
  const checkOut = (): Promise<pg.PoolClient> =>
    pool.connect().catch((error: unknown) => {
      throw markUnavailable(error);
    });
  return {
    query: (text, values) => query(pool, text, values),
    async transaction(work) {
      const client = await checkOut();
      const lost = watchLoss(client);
      let broken: Error | undefined;
      try {
        await client.query("BEGIN");
        const result = await work({ query: (text, values) => query(client, text, values) });
        await client.query("COMMIT");
        return result;
      } catch (error) {
        try {
          await client.query("ROLLBACK");
        } catch (rollbackError) {
          broken = rollbackError as Error;
        }
        throw error;
      } finally {
        // A connection whose ROLLBACK failed is in an unknown state: destroyed, not reused.
        client.release(lost.end() ?? broken);
      }
    },
    async withConnection(work) {
      const client = await checkOut();
      const lost = watchLoss(client);
      let failed: Error | undefined;
      try {
        return await work({ query: (text, values) => query(client, text, values) });
      } catch (error) {
        failed = error as Error;
        throw error;
      } finally {
        client.release(lost.end() ?? failed);
      }
    },
    close: () => pool.end(),
  };
}
