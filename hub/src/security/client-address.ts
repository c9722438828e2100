import type { IncomingMessage } from "node:http";
import { BlockList, isIP } from "node:net";
import type { TLSSocket } from "node:tls";

/**
 * Who a request really comes from. Behind a reverse proxy every TCP peer is the proxy; the
 * client's address is in the `Forwarded` (RFC 7239) or `X-Forwarded-For` header the proxy
 * appends to. Those headers are believed only from peers listed in `security.trustProxy`
 * (addresses and CIDRs), and only as far as the chain of trusted hops goes: the hops are read
 * right to left, and the first address that is not a trusted proxy is the client. Anyone else
 * who sends the headers is ignored, so a client cannot choose its own address.
 */
export class ClientAddresses {
  private readonly trusted: BlockList | undefined;

  /** @param trustProxy comma-separated addresses and CIDRs (`10.0.0.0/8, 127.0.0.1, ::1`); empty: trust no proxy. */
  constructor(trustProxy: string) {
    this.trusted = parseTrustProxy(trustProxy);
  }

  /** The client address of a request or WebSocket upgrade. */
  of(req: IncomingMessage): string {
    const peer = normalize(req.socket.remoteAddress ?? "") ?? "unknown";
    if (!this.isTrusted(peer)) return peer;
    const hops = forwardedFor(req);
    let client = peer;
    for (let i = hops.length - 1; i >= 0 && this.isTrusted(client); i--) {
      const hop = normalize(hops[i] as string);
      // A trusted proxy wrote a hop that is no address ("unknown", an obfuscated name): stop at the proxy.
      if (hop === undefined) return client;
      client = hop;
    }
    return client;
  }

  /** `https` when the connection is TLS, or a trusted proxy says the client used https. */
  protocolOf(req: IncomingMessage): "http" | "https" {
    if ((req.socket as TLSSocket).encrypted) return "https";
    const peer = normalize(req.socket.remoteAddress ?? "");
    if (peer === undefined || !this.isTrusted(peer)) return "http";
    const forwarded = headerValue(req, "forwarded");
    const proto = forwarded ? /(?:^|[;,\s])proto="?([a-z]+)"?/i.exec(forwarded)?.[1] : headerValue(req, "x-forwarded-proto")?.split(",")[0];
    return proto?.trim().toLowerCase() === "https" ? "https" : "http";
  }

  private isTrusted(address: string): boolean {
    if (!this.trusted) return false;
    const family = isIP(address);
    return family !== 0 && this.trusted.check(address, family === 6 ? "ipv6" : "ipv4");
  }
}

/** The parsed `security.trustProxy`; throws a message naming the bad entry. */
export function parseTrustProxy(spec: string): BlockList | undefined {
  const entries = spec
    .split(",")
    .map((entry) => entry.trim())
    .filter((entry) => entry !== "");
  if (entries.length === 0) return undefined;
  const list = new BlockList();
  for (const entry of entries) {
    const [address = "", prefix, ...rest] = entry.split("/");
    const family = isIP(address);
    const bits = prefix === undefined ? undefined : Number(prefix);
    const maxBits = family === 6 ? 128 : 32;
    if (family === 0 || rest.length > 0 || (bits !== undefined && (!Number.isInteger(bits) || bits < 0 || bits > maxBits)))
      throw new Error(`security.trustProxy: ${JSON.stringify(entry)} is not an IP address or CIDR (e.g. 10.0.0.0/8, ::1)`);
    const type = family === 6 ? "ipv6" : "ipv4";
    if (bits === undefined) list.addAddress(address, type);
    else list.addSubnet(address, bits, type);
    // IPv4 peers often show up IPv4-mapped on dual-stack sockets: normalize() strips that, so nothing more to add.
  }
  return list;
}

/** The addresses a request's proxies appended, left (client side) to right (nearest proxy). */
function forwardedFor(req: IncomingMessage): string[] {
  const forwarded = headerValue(req, "forwarded");
  if (forwarded !== undefined) {
    const hops: string[] = [];
    for (const element of forwarded.split(",")) {
      const match = /(?:^|;)\s*for\s*=\s*("[^"]*"|[^;,\s]*)/i.exec(element);
      hops.push(match ? (match[1] as string).replace(/^"|"$/g, "") : "");
    }
    return hops;
  }
  const header = headerValue(req, "x-forwarded-for");
  return header === undefined ? [] : header.split(",").map((hop) => hop.trim());
}

/** A header's value, with repeated headers joined as one list. */
function headerValue(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value.join(",") : value;
}

/** A bare IP address from a hop or peer (`[::1]:8080`, `1.2.3.4:5`, `::ffff:1.2.3.4`), or undefined if it is none. */
function normalize(raw: string): string | undefined {
  let address = raw.trim();
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(address);
  if (bracketed) address = bracketed[1] as string;
  else if (/^\d+\.\d+\.\d+\.\d+:\d+$/.test(address)) address = address.slice(0, address.lastIndexOf(":"));
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) address = mapped[1] as string;
  return isIP(address) === 0 ? undefined : address.toLowerCase();
}
