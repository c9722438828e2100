import type { AddressInfo } from "node:net";

const WILDCARDS = new Set(["0.0.0.0", "::"]);

/** The server listens on every interface (`0.0.0.0` or `::`): other machines can reach it. */
export function listensOnAllInterfaces(address: AddressInfo): boolean {
  return WILDCARDS.has(address.address);
}

/**
 * Where a server really listens, for people, after the URL to use from this machine (what
 * `Hub.listen()` answers, which names 127.0.0.1 for a wildcard): `http://127.0.0.1:8080 (this
 * machine only)`, `http://0.0.0.0:8080 (all interfaces; from this machine: http://127.0.0.1:8080)`,
 * or the URL alone for one interface's address. The first word is always a URL.
 */
export function listeningDescription(url: string, address: AddressInfo): string {
  if (listensOnAllInterfaces(address)) {
    const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
    return `${new URL(url).protocol}//${host}:${address.port} (all interfaces; from this machine: ${url})`;
  }
  const loopback = address.address.startsWith("127.") || address.address === "::1";
  return loopback ? `${url} (this machine only)` : url;
}
