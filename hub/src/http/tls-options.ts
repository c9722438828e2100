import { readFileSync } from "node:fs";
import { DEFAULT_CIPHERS } from "node:tls";
import type { HubConfig } from "../config/hub-config.js";
import { ConfigError } from "../config/load-config.js";

/** What the HTTPS server is built with (a subset of `tls.SecureContextOptions`). */
export interface TlsServerOptions {
  cert: Buffer;
  key: Buffer;
  minVersion: "TLSv1.2" | "TLSv1.3";
  ciphers: string;
  honorCipherOrder: true;
  dhparam: "auto";
}

/** Node's default TLS 1.3 suites (`TLS_AES_256_GCM_SHA384:…`): named in the cipher string so that setting the 1.2 list keeps them. */
const TLS13_SUITES = DEFAULT_CIPHERS.split(":")
  .filter((suite) => suite.startsWith("TLS_"))
  .join(":");

/**
 * The HTTPS options of the hub's server, or undefined for plain HTTP (no certificate
 * configured): the certificate and key read from their files, `tls.minVersion`, the TLS 1.2
 * suites of `tls.ciphers` after Node's TLS 1.3 defaults, and the server's order of preference.
 */
export function tlsServerOptions(tls: HubConfig["tls"]): TlsServerOptions | undefined {
  if (!tls.certFile && !tls.keyFile) return undefined;
  if (!tls.certFile || !tls.keyFile)
    throw new ConfigError("tls.certFile and tls.keyFile (TELEHUB_TLS_CERT_FILE, TELEHUB_TLS_KEY_FILE) go together: set both, or neither");
  let files: { cert: Buffer; key: Buffer };
  try {
    files = { cert: readFileSync(tls.certFile), key: readFileSync(tls.keyFile) };
  } catch (error) {
    throw new ConfigError(`cannot read the TLS certificate or key: ${(error as Error).message}`);
  }
  const ciphers = [TLS13_SUITES, tls.ciphers].filter((list) => list !== "").join(":");
  // "auto": OpenSSL's built-in DH groups, so that DHE suites work if `tls.ciphers` names them
  // (Espruino's own mbedtls has no ECDHE); without it Node silently drops every DHE suite.
  return { ...files, minVersion: tls.minVersion, ciphers, honorCipherOrder: true, dhparam: "auto" };
}

/** The `Strict-Transport-Security` value for a hub serving HTTPS, or undefined (plain HTTP, or `tls.hstsMaxAgeS` 0). */
export function hstsHeader(tls: HubConfig["tls"]): string | undefined {
  if (!tls.certFile || tls.hstsMaxAgeS === 0) return undefined;
  return `max-age=${tls.hstsMaxAgeS}${tls.hstsIncludeSubDomains ? "; includeSubDomains" : ""}`;
}
