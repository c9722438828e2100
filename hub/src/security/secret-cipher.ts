import { createCipheriv, createDecipheriv, createHmac, randomBytes } from "node:crypto";
import type { DataValue } from "@telehub/device-client/protocol";

/** Bytes of a secrets key (AES-256). */
export const SECRETS_KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const ENVELOPE = /^thsec:v1:([0-9a-f]{16}):([A-Za-z0-9_-]+)$/;

/** An encrypted value that cannot be read: its key is not the one in use, or it was altered. */
export class SecretUnreadableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SecretUnreadableError";
  }
}

/** The id of a secrets key as envelopes name it: 16 hex digits of an HMAC of a fixed label (reveals nothing of the key). */
export function secretsKeyId(key: Buffer): string {
  return createHmac("sha256", key).update("telehub secrets key id").digest("hex").slice(0, 16);
}

/**
 * Encrypts single JSON values for storage with AES-256-GCM: a random 96-bit IV per value, the
 * 128-bit tag checked on reading. An envelope is one string,
 * `thsec:v1:<key id>:<base64url(iv ‖ ciphertext ‖ tag)>`, so it takes the value's place in the
 * JSON it belongs to; the key id in it lets a later version hold several keys (rotation).
 */
export class SecretCipher {
  readonly keyId: string;

  constructor(private readonly key: Buffer) {
    if (key.length !== SECRETS_KEY_BYTES) throw new Error(`a secrets key is ${SECRETS_KEY_BYTES} bytes, not ${key.length}`);
    this.keyId = secretsKeyId(key);
  }

  /** Whether `value` has the shape of an envelope (it may still fail to open). */
  static isEnvelope(value: unknown): value is string {
    return typeof value === "string" && ENVELOPE.test(value);
  }

  seal(value: DataValue): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv("aes-256-gcm", this.key, iv);
    cipher.setAAD(Buffer.from(this.header(this.keyId)));
    const body = Buffer.concat([iv, cipher.update(JSON.stringify(value), "utf8"), cipher.final(), cipher.getAuthTag()]);
    return `${this.header(this.keyId)}${body.toString("base64url")}`;
  }

  /** The value an envelope holds; throws {@link SecretUnreadableError} when this key cannot open it. */
  open(envelope: string): DataValue {
    const match = ENVELOPE.exec(envelope);
    if (!match) throw new SecretUnreadableError("not an encrypted value");
    const [, keyId, encoded] = match as unknown as [string, string, string];
    if (keyId !== this.keyId)
      throw new SecretUnreadableError(
        `a value is encrypted with secrets key ${keyId}; the key in use is ${this.keyId} (security.secretsKey)`,
      );
    const body = Buffer.from(encoded, "base64url");
    if (body.length < IV_BYTES + TAG_BYTES) throw new SecretUnreadableError("an encrypted value is truncated");
    try {
      const decipher = createDecipheriv("aes-256-gcm", this.key, body.subarray(0, IV_BYTES));
      decipher.setAAD(Buffer.from(this.header(keyId)));
      decipher.setAuthTag(body.subarray(body.length - TAG_BYTES));
      const plain = Buffer.concat([decipher.update(body.subarray(IV_BYTES, body.length - TAG_BYTES)), decipher.final()]);
      return JSON.parse(plain.toString("utf8")) as DataValue;
    } catch {
      throw new SecretUnreadableError(`an encrypted value does not open with secrets key ${keyId}: it was altered`);
    }
  }

  private header(keyId: string): string {
    return `thsec:v1:${keyId}:`;
  }
}
