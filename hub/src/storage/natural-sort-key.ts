/** Digits of the length prefix of a number run: runs of up to 999 digits sort by value. */
const LENGTH_DIGITS = 3;

/**
 * A text's key for natural order under plain byte comparison (SQLite's BINARY collation, which
 * has no natural collation, and better-sqlite3 cannot add one): lower-cased, and each run of
 * digits, leading zeros dropped, preceded by its length in three digits, so that a longer
 * number sorts after a shorter one: `sim-2` < `sim-10` < `sim-100`, `a2b9` < `a2b10`.
 * Texts that differ only in leading zeros (`sim-02`, `sim-2`) get the same key; lists break
 * the tie by id.
 */
export function naturalSortKey(text: string): string {
  return text.toLowerCase().replace(/\d+/g, (run) => {
    const digits = run.replace(/^0+(?=\d)/, "");
    return `${String(digits.length).padStart(LENGTH_DIGITS, "0")}${digits}`;
  });
}
