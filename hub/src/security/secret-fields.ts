import type { DataValue } from "@telehub/device-client/protocol";
import { SecretCipher } from "./secret-cipher.js";
import { ERASED, type SecretMarking, UNREADABLE } from "./secret-marking.js";

/**
 * Secret values of stored JSON (command arguments and results, configuration documents) at rest:
 * sealed (encrypted one by one, the rest of the document stays plain and queryable) before a
 * store writes, opened after it reads, erased when no longer needed.
 */
export class SecretFields {
  constructor(
    readonly marking: SecretMarking,
    private readonly cipher: SecretCipher,
  ) {}

  /**
   * Every secret value encrypted; so is any other string that has an envelope's shape, so that
   * {@link open} gives back exactly what was sealed.
   */
  seal<T extends DataValue>(value: T): T {
    return this.marking.map(
      value,
      (secret) => this.sealOne(secret),
      (leaf) => (SecretCipher.isEnvelope(leaf) ? this.sealOne(leaf) : leaf),
    ) as T;
  }

  /**
   * For stored JSON that an earlier version wrote: every secret value that is not encrypted yet
   * is; an envelope stays as it is (sealing it again would hide it inside a second envelope).
   */
  sealPlain<T extends DataValue>(value: T): T {
    return this.marking.map(value, (secret) => (SecretCipher.isEnvelope(secret) ? secret : this.sealOne(secret))) as T;
  }

  /**
   * Every envelope decrypted. One the key cannot open reads as {@link UNREADABLE}: the start
   * refuses a key other than the one recorded in meta.db, so that only happens after an operator
   * gave up a lost key, or to an altered value.
   */
  open<T extends DataValue>(value: T): T {
    const openLeaf = (leaf: DataValue): DataValue => (SecretCipher.isEnvelope(leaf) ? this.openOne(leaf) : leaf);
    return this.marking.map(value, (secret) => (typeof secret === "string" ? openLeaf(secret) : this.open(secret)), openLeaf) as T;
  }

  /** Every secret value (sealed or not) replaced by {@link ERASED}; no decryption needed. */
  erase<T extends DataValue>(value: T): T {
    return this.marking.map(
      value,
      () => ERASED,
      (leaf) => (SecretCipher.isEnvelope(leaf) ? ERASED : leaf),
    ) as T;
  }

  /** One value encrypted whole, whatever key it sits under (a notification channel's secret setting). */
  sealValue(value: DataValue): string {
    return this.sealOne(value);
  }

  /** What {@link sealValue} encrypted ({@link UNREADABLE} when this key cannot open it); a value that is no envelope as it is. */
  openValue(value: DataValue): DataValue {
    return SecretCipher.isEnvelope(value) ? this.openOne(value) : value;
  }

  private sealOne(value: DataValue): string {
    return this.cipher.seal(value);
  }

  private openOne(envelope: string): DataValue {
    try {
      return this.cipher.open(envelope);
    } catch {
      return UNREADABLE;
    }
  }
}
