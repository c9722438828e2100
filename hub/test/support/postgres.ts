import { POSTGRES, postgresAvailable } from "../../src/testing/postgres.js";
import { requireBinary } from "./require-binary.js";

export * from "../../src/testing/postgres.js";

/** `requireBinary` for PostgreSQL: skips loudly without it, fails under CI=true. */
export const requirePostgres = (): string | false => requireBinary(POSTGRES, "apt-get install -y postgresql", () => postgresAvailable());
