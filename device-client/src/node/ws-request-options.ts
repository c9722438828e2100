import type { RequestOptions } from "node:https";
import type { ClientOptions } from "ws";

/** The `wsOptions` that also apply to plain HTTPS requests: trust, client certificate, address, agent. */
const SHARED_KEYS = [
  "agent",
  "ca",
  "cert",
  "key",
  "pfx",
  "passphrase",
  "rejectUnauthorized",
  "servername",
  "checkServerIdentity",
  "family",
  "localAddress",
  "lookup",
] as const;

/**
 * The request options of the HTTP transport, taken from `wsOptions` so one setting (a private CA,
 * a client certificate) serves both transports. WebSocket-only options (`createConnection`,
 * `handshakeTimeout`, …) are left out.
 */
export function requestOptionsOf(wsOptions: ClientOptions): RequestOptions {
  const options: Record<string, unknown> = {};
  for (const key of SHARED_KEYS)
    if (wsOptions[key as keyof ClientOptions] !== undefined) options[key] = wsOptions[key as keyof ClientOptions];
  return options as RequestOptions;
}
