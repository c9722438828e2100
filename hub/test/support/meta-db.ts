import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type Database from "better-sqlite3";
import { SecretCipher } from "../../src/security/secret-cipher.js";
import { SecretFields } from "../../src/security/secret-fields.js";
import { SecretMarking } from "../../src/security/secret-marking.js";
import { META_MIGRATIONS } from "../../src/storage/sqlite/meta-migrations.js";
import { openDatabase } from "../../src/storage/sqlite/open-database.js";

/** Fresh meta.db files in temp folders, each with its own secrets key, for repository tests. */
export class MetaDbs {
  private readonly dirs: string[] = [];
  private readonly open = new Set<Database.Database>();

  /** A new, empty meta.db (every migration applied) and the secret fields of a new key. */
  create(marking = new SecretMarking()): { db: Database.Database; path: string; dir: string; secrets: SecretFields } {
    const dir = mkdtempSync(join(tmpdir(), "telehub-meta-"));
    this.dirs.push(dir);
    const path = join(dir, "meta.db");
    return { db: this.connect(path), path, dir, secrets: new SecretFields(marking, new SecretCipher(randomBytes(32))) };
  }

  /** Another connection to `path` (the old one closed first: a restart). */
  reopen(db: Database.Database, path: string): Database.Database {
    this.close(db);
    return this.connect(path);
  }

  close(db: Database.Database): void {
    if (this.open.delete(db)) db.close();
  }

  /** Close every connection and delete every folder. */
  dispose(): void {
    for (const db of this.open) db.close();
    this.open.clear();
    for (const dir of this.dirs) rmSync(dir, { recursive: true, force: true });
  }

  private connect(path: string): Database.Database {
    const db = openDatabase(path, META_MIGRATIONS);
    this.open.add(db);
    return db;
  }
}
