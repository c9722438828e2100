const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** A value as UTF-8 JSON, for a NATS message or KV value. */
export function encodeJson(value: unknown): Uint8Array {
  return encoder.encode(JSON.stringify(value));
}

/** The JSON object in a NATS message or KV value; undefined when it holds no JSON object (another version's, or damaged). */
export function decodeJsonObject(bytes: Uint8Array): Record<string, unknown> | undefined {
  try {
    const parsed: unknown = JSON.parse(decoder.decode(bytes));
    return parsed !== null && typeof parsed === "object" && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
