/** PostgreSQL's SQLSTATE for a row that breaks a unique index or primary key. */
const UNIQUE_VIOLATION = "23505";

/** Whether `error` is PostgreSQL refusing a row that breaks the unique index or primary key named `constraint`. */
export function isUniqueViolation(error: unknown, constraint: string): boolean {
  const { code, constraint: broken } = error as { code?: unknown; constraint?: unknown };
  return code === UNIQUE_VIOLATION && broken === constraint;
}
