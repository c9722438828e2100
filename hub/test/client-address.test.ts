import assert from "node:assert/strict";
import type { IncomingMessage } from "node:http";
import { test } from "node:test";
import { ConfigError, loadConfig } from "../src/config/load-config.js";
import { ClientAddresses } from "../src/security/client-address.js";

function request(peer: string, headers: Record<string, string | string[]> = {}): IncomingMessage {
  return { socket: { remoteAddress: peer }, headers } as unknown as IncomingMessage;
}

test("without trusted proxies the TCP peer is the client, whatever the headers say", () => {
  const addresses = new ClientAddresses("");
  assert.equal(addresses.of(request("127.0.0.1", { "x-forwarded-for": "10.0.0.1" })), "127.0.0.1");
  assert.equal(addresses.of(request("::ffff:192.0.2.7", { forwarded: "for=10.0.0.1" })), "192.0.2.7");
  assert.equal(addresses.protocolOf(request("127.0.0.1", { "x-forwarded-proto": "https" })), "http");
});

test("hops are read right to left through trusted proxies; the first untrusted address is the client", () => {
  const addresses = new ClientAddresses("10.0.0.0/8, 127.0.0.1");
  // The client forged the left part; the proxies appended the real addresses on the right.
  const chain = request("127.0.0.1", { "x-forwarded-for": "6.6.6.6, 198.51.100.4, 10.1.2.3" });
  assert.equal(addresses.of(chain), "198.51.100.4");
  assert.equal(addresses.of(request("127.0.0.1", { "x-forwarded-for": "10.0.0.9" })), "10.0.0.9", "all trusted: the leftmost");
  assert.equal(addresses.of(request("192.0.2.1", { "x-forwarded-for": "10.0.0.9" })), "192.0.2.1", "an untrusted peer");
  assert.equal(addresses.of(request("127.0.0.1", { "x-forwarded-for": ["1.1.1.1", "198.51.100.5"] })), "198.51.100.5");
  assert.equal(addresses.of(request("127.0.0.1", { "x-forwarded-for": "1.1.1.1, unknown" })), "127.0.0.1", "a hop that is no address");
  assert.equal(addresses.of(request("127.0.0.1")), "127.0.0.1");
});

test("Forwarded (RFC 7239) wins over X-Forwarded-For, with quoted IPv6 and ports", () => {
  const addresses = new ClientAddresses("127.0.0.1, ::1");
  const forwarded = request("::1", {
    forwarded: 'for=192.0.2.60;proto=https;by=203.0.113.43, for="[2001:db8:cafe::17]:4711"',
    "x-forwarded-for": "9.9.9.9",
  });
  assert.equal(addresses.of(forwarded), "2001:db8:cafe::17");
  assert.equal(addresses.protocolOf(forwarded), "https");
  assert.equal(addresses.of(request("127.0.0.1", { forwarded: "for=198.51.100.17:8080" })), "198.51.100.17");
  assert.equal(addresses.protocolOf(request("127.0.0.1", { "x-forwarded-proto": "https, http" })), "https");
});

test("a trustProxy entry that is no address or CIDR is a configuration error naming it", () => {
  for (const bad of ["10.0.0.0/33", "proxy.local", "10.0.0.0/8/1", "::1/129"]) {
    assert.throws(
      () => loadConfig({ TELEHUB_SECURITY_TRUST_PROXY: `127.0.0.1, ${bad}` }),
      (error: unknown) => error instanceof ConfigError && error.message.includes(JSON.stringify(bad)),
    );
  }
  assert.equal(loadConfig({ TELEHUB_SECURITY_TRUST_PROXY: "10.0.0.0/8, ::1" }).security.trustProxy, "10.0.0.0/8, ::1");
});
