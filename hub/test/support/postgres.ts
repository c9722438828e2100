import pg from "pg";
import { openPgDatabase, type PgDatabase } from "../../src/storage/postgres/pg-database.js";
import { migratePg } from "../../src/storage/postgres/pg-migrate.js";
import { POSTGRES, type PostgresServer, postgresAvailable, startPostgres } from "../../src/testing/postgres.js";
import { requireBinary } from "./require-binary.js";

export * from "../../src/testing/postgres.js";

/** `requireBinary` for PostgreSQL: skips loudly without it, fails under CI=true. */
export const requirePostgres = (): string | false => requireBinary(POSTGRES, "apt-get install -y postgresql", () => postgresAvailable());

/**
 * Fresh, migrated databases on one private server for a test file: each a copy of a template
 * migrated once with `migratePg` (CREATE DATABASE … TEMPLATE is far quicker than migrating each),
 * with the pools opened on them closed by `closeAll` (a suite's `dispose`) or `stop`. Their
 * default collation is ICU's `en-US` (`a` < `B` < `b`), not byte order: a query that sorts, compares
 * or folds case without `COLLATE "C"` answers differently from SQLite, and the contracts see it.
 */
export class MigratedDatabases {
  private server: PostgresServer | undefined;
  private readonly pools = new Set<PgDatabase>();
  private count = 0;

  constructor(private readonly prefix = "telehub") {}

  /** The server, for outage tests. */
  get postgres(): PostgresServer {
    if (!this.server) throw new Error("MigratedDatabases: start() first");
    return this.server;
  }

  async start(): Promise<void> {
    this.server = await startPostgres();
    await this.admin(`CREATE DATABASE ${this.prefix}_template LOCALE_PROVIDER icu ICU_LOCALE 'en-US' LOCALE 'C' TEMPLATE template0`);
    const template = openPgDatabase(this.server.url.replace(/\/postgres$/, `/${this.prefix}_template`), { poolSize: 1 });
    try {
      await migratePg(template);
    } finally {
      await template.close();
    }
  }

  /** A new migrated database and a pool on it. */
  async create(poolSize = 4): Promise<{ db: PgDatabase; url: string }> {
    const name = `${this.prefix}_${++this.count}`;
    await this.admin(`CREATE DATABASE ${name} TEMPLATE ${this.prefix}_template`);
    const url = this.postgres.url.replace(/\/postgres$/, `/${name}`);
    return { db: this.connect(url, poolSize), url };
  }

  /** Another pool on `url` (another instance's). */
  connect(url: string, poolSize = 4): PgDatabase {
    const db = openPgDatabase(url, { poolSize });
    this.pools.add(db);
    return db;
  }

  /** Close the pools opened since the last call. */
  async closeAll(): Promise<void> {
    const open = [...this.pools];
    this.pools.clear();
    await Promise.all(open.map((db) => db.close()));
  }

  private async admin(sql: string): Promise<void> {
    const admin = new pg.Client({ connectionString: this.postgres.url });
    await admin.connect();
    try {
      await admin.query(sql);
    } finally {
      await admin.end();
    }
  }

  async stop(): Promise<void> {
    await this.closeAll();
    await this.server?.stop();
  }
}
