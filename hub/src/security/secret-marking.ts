import type { DataValue } from "@telehub/device-client/protocol";

/**
 * Default of `security.secretKeyPattern`: an object key whose name ends with one of these words,
 * in any case, holds a secret (`wifiPassword`, `mqtt_token`, `apiKey`, `credentials`).
 */
export const DEFAULT_SECRET_KEY_PATTERN = "(password|passwd|passphrase|secret|token|api_?key|private_?key|psk|credentials?)$";

/** What a viewer, the audit log, a webhook, the live channel and the logs see instead of a secret value. */
export const REDACTED = "[redacted]";

/** What a finished command keeps instead of a secret argument (the hub no longer has the value). */
export const ERASED = "[erased]";

/** What a read gives instead of an encrypted value that the key in use cannot open (see docs/operations.md, "Secrets"). */
export const UNREADABLE = "[unreadable]";

/**
 * Which values of command arguments, command results and configuration documents are secret:
 * every value, at any depth, under an object key whose name the pattern matches (case-insensitive).
 * The one place that decides it, so a per-command schema (issue #18) can feed it later.
 */
export class SecretMarking {
  private readonly pattern: RegExp;

  /** Throws when `source` is empty or not a valid regular expression. */
  constructor(source: string = DEFAULT_SECRET_KEY_PATTERN) {
    if (source.trim() === "") throw new Error("security.secretKeyPattern must not be empty (its default marks password, token, apiKey, …)");
    try {
      this.pattern = new RegExp(source, "i");
    } catch (error) {
      throw new Error(`security.secretKeyPattern is not a regular expression: ${(error as Error).message}`);
    }
  }

  /** Whether the value under this object key is secret. */
  isSecretKey(name: string): boolean {
    return this.pattern.test(name);
  }

  /**
   * A copy of `value` with `atSecret` applied to each secret value (whole, even an object or an
   * array) and `atLeaf` to every other leaf (string, number, boolean, null); keys stay as they are.
   */
  map(value: DataValue, atSecret: (secret: DataValue) => DataValue, atLeaf: (leaf: DataValue) => DataValue = (leaf) => leaf): DataValue {
    if (Array.isArray(value)) return value.map((item) => this.map(item, atSecret, atLeaf));
    if (value === null || typeof value !== "object") return atLeaf(value);
    const copy: { [key: string]: DataValue } = {};
    for (const [key, item] of Object.entries(value)) {
      const copied = this.isSecretKey(key) ? atSecret(item) : this.map(item, atSecret, atLeaf);
      // defineProperty, so that a key named `__proto__` stays a key (an assignment would set the prototype).
      Object.defineProperty(copy, key, { value: copied, enumerable: true, writable: true, configurable: true });
    }
    return copy;
  }

  /** Whether any key of `value`, at any depth, holds a secret. */
  holdsSecrets(value: DataValue): boolean {
    if (Array.isArray(value)) return value.some((item) => this.holdsSecrets(item));
    if (value === null || typeof value !== "object") return false;
    return Object.entries(value).some(([key, item]) => this.isSecretKey(key) || this.holdsSecrets(item));
  }

  /** `value` with every secret replaced by {@link REDACTED}. */
  redact<T extends DataValue>(value: T): T {
    return this.map(value, () => REDACTED) as T;
  }
}
