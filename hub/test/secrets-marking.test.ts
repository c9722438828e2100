import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { describe, test } from "node:test";
import { SecretCipher } from "../src/security/secret-cipher.js";
import { SecretFields } from "../src/security/secret-fields.js";
import { SecretMarking } from "../src/security/secret-marking.js";

describe("which values are secret (security.secretKeyPattern)", () => {
  const marking = new SecretMarking();

  test("by default, a key whose name ends in a secret word, in any case", () => {
    const secret = ["wifiPassword", "WIFI_PASSWORD", "passwd", "passphrase", "clientSecret", "mqtt_token", "token", "apiKey", "api_key"];
    const alsoSecret = ["APIKEY", "privateKey", "private_key", "psk", "wifiPSK", "credential", "credentials"];
    for (const name of [...secret, ...alsoSecret]) assert.ok(marking.isSecretKey(name), name);
    for (const name of ["ssid", "token_ttl_s", "tokens", "secretName", "keyboard", "monkey", "pass", "interval_s"])
      assert.ok(!marking.isSecretKey(name), name);
  });

  test("redaction keeps every key and the shape, at any depth, and replaces the whole value under a secret key", () => {
    // As JSON.parse gives it: `__proto__` is an own key there, and must stay one.
    const parsed = JSON.parse(
      '{"ssid":"x","__proto__":{"token":"t"},"networks":[{"name":"a","psk":"p1"},{"name":"b","credentials":{"user":"u","pass":"p2"}}]}',
    );
    assert.equal(
      JSON.stringify(marking.redact(parsed)),
      '{"ssid":"x","__proto__":{"token":"[redacted]"},"networks":[{"name":"a","psk":"[redacted]"},{"name":"b","credentials":"[redacted]"}]}',
    );
  });

  test("an operator's pattern replaces the default; an empty or invalid one is refused", () => {
    const custom = new SecretMarking("(password|pin)$");
    assert.ok(custom.isSecretKey("simPin"));
    assert.ok(!custom.isSecretKey("apiKey"));
    assert.throws(() => new SecretMarking(""), /must not be empty/);
    assert.throws(() => new SecretMarking("(open"), /not a regular expression/);
  });
});

describe("secret values at rest (SecretFields)", () => {
  const fields = new SecretFields(new SecretMarking(), new SecretCipher(randomBytes(32)));

  test("seal encrypts only the secret values, each with its own IV; open gives back exactly what was sealed", () => {
    const value = {
      ssid: "x",
      wifiPassword: "hunter2",
      broker: { token: { id: 7, list: [1, "two"] } },
      looksSealed: "thsec:v1:0123456789abcdef:AAAA",
    };
    const sealed = fields.seal(value);
    assert.equal(sealed.ssid, "x");
    assert.match(sealed.wifiPassword as string, /^thsec:v1:[0-9a-f]{16}:[A-Za-z0-9_-]+$/);
    assert.notEqual(
      sealed.looksSealed,
      value.looksSealed,
      "a user's string shaped like an envelope is sealed too, so it reads back as sent",
    );
    assert.notEqual(fields.seal(value).wifiPassword, sealed.wifiPassword, "a fresh IV per value");
    assert.ok(!JSON.stringify(sealed).includes("hunter2"));
    assert.deepEqual(fields.open(sealed), value);
  });

  test("an envelope altered, or sealed with another key, reads as [unreadable]; erase needs no key", () => {
    const sealed = fields.seal({ psk: "p" });
    const envelope = sealed.psk as string;
    const altered = `${envelope.slice(0, -2)}${envelope.endsWith("A") ? "B" : "A"}${envelope.slice(-1)}`;
    assert.deepEqual(fields.open({ psk: altered }), { psk: "[unreadable]" });
    const other = new SecretFields(new SecretMarking(), new SecretCipher(randomBytes(32)));
    assert.deepEqual(other.open(sealed), { psk: "[unreadable]" });
    assert.deepEqual(other.erase({ ...sealed, note: "n" }), { psk: "[erased]", note: "n" });
  });
});
