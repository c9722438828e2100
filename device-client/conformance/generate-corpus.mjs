#!/usr/bin/env node
// Writes corpus.json: the protocol conformance corpus (see README.md in this folder).
// The cases are written here as values and hand-made byte strings so that a reader can
// follow them; corpus.json holds the bytes. device-client/test/conformance-coverage.test.ts
// fails when corpus.json is not what this script writes. Run: node device-client/conformance/generate-corpus.mjs [OUT]
import { writeFileSync } from "node:fs";
import { Encoder } from "cbor-x";

/** The hub's encoder (device-client/src/protocol/codec.ts): plain CBOR, definite lengths. */
const encoder = new Encoder({ useRecords: false, tagUint8Array: false, variableMapSize: true });

/** The hub's clock at the start of every case (2025-11-24T16:00:00Z): timestamps in the corpus are fixed bytes. */
const T0 = 1_764_000_000_000;
const TWO_32 = 2 ** 32;
const MAX_SEQ = 2 ** 53 - 1;

// ---- bytes -------------------------------------------------------------------------------

/** Top-level integer fields written as CBOR integers at any size (protocol/codec.ts does the same; cbor-x alone writes a float64 from 2^32). */
const INTEGER_FIELDS = ["seq", "v", "cfg"];
function hexOf(value) {
  const wide = { ...value };
  if (value !== null && typeof value === "object" && !Array.isArray(value)) {
    for (const key of INTEGER_FIELDS) if (Number.isSafeInteger(value[key]) && value[key] >= TWO_32) wide[key] = BigInt(value[key]);
  }
  return Buffer.from(encoder.encode(Array.isArray(value) ? value : wide)).toString("hex");
}
const byte = (n) => n.toString(16).padStart(2, "0");
/** A CBOR head, shortest form, 8-byte arguments written exactly (not as a float). */
function head(major, n) {
  const m = major << 5;
  if (n < 24) return byte(m | n);
  if (n < 0x100) return byte(m | 24) + byte(n);
  if (n < 0x10000) return byte(m | 25) + n.toString(16).padStart(4, "0");
  if (n < TWO_32) return byte(m | 26) + n.toString(16).padStart(8, "0");
  return byte(m | 27) + BigInt(n).toString(16).padStart(16, "0");
}
const uint = (n) => head(0, n);
const text = (s) => head(3, Buffer.byteLength(s)) + Buffer.from(s).toString("hex");
const f32 = (x) => {
  const b = Buffer.alloc(4);
  b.writeFloatBE(x);
  return `fa${b.toString("hex")}`;
};
const f64 = (x) => {
  const b = Buffer.alloc(8);
  b.writeDoubleBE(x);
  return `fb${b.toString("hex")}`;
};
/** A map from [keyHex, valueHex] pairs; keys given as plain strings are text keys. */
const map = (...pairs) => head(5, pairs.length) + pairs.map(([k, v]) => (k.startsWith("#") ? k.slice(1) : text(k)) + v).join("");
const array = (...items) => head(4, items.length) + items.join("");
/** A whole frame as hex from an object of already-encoded values. */
const frameHex = (fields) => map(...Object.entries(fields));

// ---- steps -------------------------------------------------------------------------------

/** A device frame built from a value: the bytes are the hub's own encoding of it. */
const send = (value, note) => ({ send: hexOf(value), value, canonical: true, ...(note && { note }) });
/** A device frame written byte by byte; `value` is what a decoder gives, when JSON can say it. */
const sendHex = (hex, note, value) => ({ send: hex, ...(value !== undefined && { value }), note });
const expectFrame = (frame, extra = {}) => ({ expect: { frame, ...extra } });
const expectHex = (hex, value) => ({ expect: { hex, ...(value !== undefined && { value }) } });
const expectClose = (code, reason) => ({ expect: { close: { code, reason } } });
const act = (name, extra = {}) => ({ do: name, ...extra });

const HELLO = { t: "hello", v: 1, fw: "1.0.0", model: "esp32", time: T0 };
const hello = () => send(HELLO);
/** The welcome of a fresh device with default limits; `extra` adds or overrides fields. */
const welcome = (seq = 0, extra = {}) => expectFrame({ t: "welcome", v: 1, seq, echo: T0, ...extra });
const greet = (seq = 0) => [hello(), welcome(seq)];
const ack = (seq) => expectHex(hexOf({ t: "ack", seq }), { t: "ack", seq });
const refusal = (code, seq, extra = {}) =>
  expectFrame(
    { t: "error", code, ...(seq !== undefined && { seq }) },
    { absent: ["retry", ...(seq === undefined ? ["seq"] : [])], ...extra },
  );
const retryable = (code, seq, extra = {}) => expectFrame({ t: "error", code, seq }, { present: ["retry"], ...extra });
const batch = (seq, readings, extra = {}) => send({ t: "batch", seq, r: readings, ...extra });
const reading = (m, ts = T0) => ({ ts, m });

/** A batch frame of exactly `bytes` bytes: one reading whose text metric `pad` fills the rest. */
function batchOfSize(seq, bytes) {
  for (let n = 0; n < bytes; n++) {
    const value = { t: "batch", seq, r: [{ ts: T0, m: { pad: "x".repeat(n) } }] };
    if (encoder.encode(value).length === bytes) return send(value, `${bytes} bytes`);
  }
  throw new Error(`no batch of ${bytes} bytes`);
}

// ---- protocol.md's printed examples, verbatim ---------------------------------------------

const DOC_ACK_HEX = "a2 61 74 63 61636b 63 736571 01";
const DOC_HELLO_HEX = "a5 6174 6568656c6c6f 6176 01 626677 65312e302e30 656d6f64656c 656573703332 6474696d65 fb4279ab697e800000";
const DOC_BATCH_HEX =
  "a3 6174 656261746368 63736571 01 6172 81 a2 627473 fb4279ab697e800000 616d a2 6474656d70 fb4035800000000000 626f6e f5";
const squash = (hex) => hex.replace(/\s+/g, "");

// ---- the cases -------------------------------------------------------------------------------

const cases = [];
/** One case. `covers` names what the coverage test counts: `code:…`, `limit:…:at|past`, `frame:…`. */
function c(id, rule, covers, steps, options = {}) {
  cases.push({ id, rule, covers, ...options, steps });
}

// §1 connection and authentication
c(
  "upgrade.basic",
  "§1.1 Basic credentials; §3.1 the printed hello example; §3.2 welcome with the limits in force",
  ["frame:hello", "frame:welcome"],
  [
    sendHex(squash(DOC_HELLO_HEX), "docs/protocol.md §3.1 example", HELLO),
    {
      expect: {
        ...welcome(0, {
          hb: 15000,
          lim: { frame: 65536, batch: 500, metrics: 64, name: 64, str: 256, inflight: 16, rate: 100, burst: 200, bps: 262144, depth: 32 },
        }).expect,
        // §3.2: welcome.time is a float64.
        containsHex: `${text("time")}fb`,
      },
    },
  ],
);
c("upgrade.query", "§1.1 query-string credentials", [], greet(), { upgrade: { credentials: "query" } });
c("upgrade.basic-beats-query", "§1.1 Basic credentials win over the query string", [], greet(), {
  upgrade: { credentials: "basic+bad-query" },
});
c("upgrade.colon-in-id", "§1.1 Basic splits at the last colon: ids may contain `:`", [], greet(), {
  upgrade: { deviceId: "id:with:colons" },
});
c("upgrade.no-subprotocol", "§1.2", ["code:TH_SUBPROTOCOL_REQUIRED"], [], {
  upgrade: { protocol: null, refused: { status: 400, code: "TH_SUBPROTOCOL_REQUIRED" } },
});
c("upgrade.no-credentials", "§1.2", ["code:TH_AUTH_MISSING"], [], {
  upgrade: { credentials: "none", refused: { status: 401, code: "TH_AUTH_MISSING" } },
});
c("upgrade.wrong-token", "§1.2", ["code:TH_AUTH_INVALID"], [], {
  upgrade: { credentials: "wrong-token", refused: { status: 401, code: "TH_AUTH_INVALID" } },
});
c("upgrade.unknown-device", "§1.2 unknown id and wrong token are not told apart", ["code:TH_AUTH_INVALID"], [], {
  upgrade: { credentials: "unknown-device", refused: { status: 401, code: "TH_AUTH_INVALID" } },
});
c("upgrade.wrong-path", "§1.2 404: wrong path", [], [], { upgrade: { path: "/v1/devices", refused: { status: 404 } } });
c("upgrade.trailing-slash", "§1 the path is exact: /v1/device/ is 404 with no X-Telehub-Error", [], [], {
  upgrade: { path: "/v1/device/", refused: { status: 404 } },
});
c(
  "upgrade.basic-without-colon",
  "§1.1 a Basic header without id, colon and token is no credential: 401 TH_AUTH_MISSING",
  ["code:TH_AUTH_MISSING"],
  [],
  {
    upgrade: { credentials: "basic-without-colon", refused: { status: 401, code: "TH_AUTH_MISSING" } },
  },
);
c(
  "upgrade.bad-basic-good-query",
  "§1.1 with both, the Basic header counts: a wrong header is refused though the query is right",
  ["code:TH_AUTH_INVALID"],
  [],
  {
    upgrade: { credentials: "bad-basic+query", refused: { status: 401, code: "TH_AUTH_INVALID" } },
  },
);
c("upgrade.bearer", "§1.1 Bearer is no device credential: without a query, 401 TH_AUTH_MISSING", ["code:TH_AUTH_MISSING"], [], {
  upgrade: { credentials: "bearer", refused: { status: 401, code: "TH_AUTH_MISSING" } },
});
c("upgrade.bearer-and-query", "§1.1 a Bearer header is ignored and the query read", [], greet(), {
  upgrade: { credentials: "bearer+query" },
});
c("upgrade.revoked", "§1.2", ["code:TH_AUTH_REVOKED"], [], {
  setup: "device-revoked",
  upgrade: { refused: { status: 403, code: "TH_AUTH_REVOKED" } },
});
c("upgrade.throttled", "§1.2 failed authentications from one address", ["code:TH_AUTH_THROTTLED"], [], {
  config: { security: { authFailuresPerMinute: 2 } },
  setup: "auth-failures",
  upgrade: { refused: { status: 429, code: "TH_AUTH_THROTTLED", retryAfter: true } },
});
c("upgrade.api-failures-counted-apart", "§1.1 failed API-key authentications from the address never refuse a device", [], greet(), {
  config: { security: { authFailuresPerMinute: 2, authFailuresPerAddressPerMinute: 2 } },
  setup: "api-auth-failures",
});
c("upgrade.hub-busy", "§1.2 admission control: handshakes in progress", ["code:TH_HUB_BUSY"], [], {
  config: { gateway: { maxConcurrentHandshakes: 1 } },
  setup: "handshake-in-progress",
  upgrade: { refused: { status: 503, code: "TH_HUB_BUSY", retryAfter: true } },
});
c("upgrade.hub-full", "§1.2 maxDevices", ["code:TH_HUB_FULL"], [], {
  config: { gateway: { maxDevices: 1 } },
  setup: "other-device-connected",
  upgrade: { refused: { status: 503, code: "TH_HUB_FULL", retryAfter: true } },
});
c(
  "upgrade.hub-full-same-device",
  "§1.3 newest wins, also when the hub holds maxDevices connections",
  ["code:TH_SESSION_REPLACED"],
  [...greet(), act("connect"), { ...expectClose(4409, "TH_SESSION_REPLACED"), conn: 0 }, ...greet()],
  { config: { gateway: { maxDevices: 1 } } },
);
c("upgrade.address-full", "§1.2 gateway.maxConnectionsPerAddress", ["code:TH_ADDRESS_FULL"], [], {
  config: { gateway: { maxConnectionsPerAddress: 1 } },
  setup: "other-device-connected",
  upgrade: { refused: { status: 503, code: "TH_ADDRESS_FULL", retryAfter: true } },
});
c(
  "upgrade.address-full-same-device",
  "§1.3 newest wins, also when the device's address holds maxConnectionsPerAddress connections",
  ["code:TH_SESSION_REPLACED"],
  [...greet(), act("connect"), { ...expectClose(4409, "TH_SESSION_REPLACED"), conn: 0 }, ...greet()],
  { config: { gateway: { maxConnectionsPerAddress: 1 } } },
);
c(
  "session.replaced",
  "§1.3 the newest connection wins; the older one is closed with 4409",
  ["code:TH_SESSION_REPLACED"],
  [...greet(), act("connect"), { ...expectClose(4409, "TH_SESSION_REPLACED"), conn: 0 }, ...greet()],
);
c(
  "session.hub-stopping",
  "§7 the hub shuts down: close 1001",
  ["code:TH_HUB_STOPPING"],
  [...greet(), act("stop-hub"), expectClose(1001, "TH_HUB_STOPPING")],
);
c(
  "session.revoked",
  "§7 revoked while connected",
  ["code:TH_DEVICE_REVOKED"],
  [...greet(), act("revoke-device"), expectClose(4403, "TH_DEVICE_REVOKED")],
);
c(
  "session.deleted",
  "§7 deleted while connected",
  ["code:TH_DEVICE_DELETED"],
  [...greet(), act("delete-device"), expectClose(4404, "TH_DEVICE_DELETED")],
);
c("session.internal", "§7 the hub met an unexpected condition", ["code:TH_INTERNAL"], [hello(), expectClose(1011, "TH_INTERNAL")], {
  setup: "store-broken",
});

// §3.1 hello
c(
  "hello.minimal",
  "§3.1 only t and v are required; no echo without time",
  [],
  [send({ t: "hello", v: 1 }), expectFrame({ t: "welcome", v: 1, seq: 0 }, { absent: ["echo"] })],
);
c(
  "hello.full",
  "§3.1 every field of hello",
  [],
  [
    send({
      t: "hello",
      v: 1,
      fw: "2.1.0",
      model: "rpi4",
      caps: ["batch"],
      time: T0,
      attrs: { ip: "10.0.0.7", heap: 51200, ok: true },
      cfg: 0,
      cmds: ["reboot", "set_point"],
    }),
    welcome(),
  ],
);
c(
  "hello.replaces-attributes",
  "§3.1 a hello with attrs replaces the recorded attributes, one without keeps them; §3.7 a report merges into them",
  [],
  [
    send({ ...HELLO, attrs: { a: 1, ip: "10.0.0.7" } }),
    welcome(),
    { expect: { attributes: { a: 1, ip: "10.0.0.7" } } },
    send({ t: "report", attrs: { b: true } }),
    { expect: { attributes: { a: 1, ip: "10.0.0.7", b: true } } },
    act("connect"),
    ...greet(),
    { expect: { attributes: { a: 1, ip: "10.0.0.7", b: true } } },
    act("connect"),
    send({ ...HELLO, attrs: { d: 4 } }),
    welcome(),
    { expect: { attributes: { d: 4 } } },
  ],
);
c("hello.unknown-keys", "§2 unknown map keys are ignored", [], [send({ ...HELLO, zz: 1, extra: { nested: [1, 2] } }), welcome()]);
c("hello.timeout", "§3.1 no hello within the hello timeout", ["code:TH_HELLO_TIMEOUT"], [expectClose(4408, "TH_HELLO_TIMEOUT")], {
  config: { gateway: { helloTimeoutMs: 100 } },
});
c(
  "hello.batch-first",
  "§3.1 anything before hello closes with 4422",
  ["code:TH_PROTOCOL_VIOLATION"],
  [batch(1, [reading({ a: 1 })]), expectClose(4422, "TH_PROTOCOL_VIOLATION")],
);
c(
  "hello.unknown-type-first",
  "§3.1 anything before hello, unknown types too, closes with 4422",
  ["code:TH_PROTOCOL_VIOLATION"],
  [send({ t: "nope" }), expectClose(4422, "TH_PROTOCOL_VIOLATION")],
);
c(
  "hello.report-first",
  "§3.1 anything before hello closes with 4422",
  [],
  [send({ t: "report", attrs: { a: 1 } }), expectClose(4422, "TH_PROTOCOL_VIOLATION")],
);
c(
  "hello.twice",
  "§3.1 a second hello closes with 4422",
  ["code:TH_PROTOCOL_VIOLATION"],
  [...greet(), hello(), expectClose(4422, "TH_PROTOCOL_VIOLATION")],
);
c(
  "hello.bad-field",
  "§3.1 a malformed hello closes with 4422",
  [],
  [send({ t: "hello", v: 1, fw: 5 }), expectClose(4422, "TH_PROTOCOL_VIOLATION")],
);
c(
  "hello.cmds-at-limit",
  "§3.1 cmds: at most 64 command names of 1–64 characters of A-Z a-z 0-9 _ . : -",
  [],
  [send({ ...HELLO, cmds: Array.from({ length: 64 }, (_, i) => (i === 0 ? "x".repeat(64) : `cmd.${i}:a_b-c`)) }), welcome()],
);
c(
  "hello.cmds-too-many",
  "§3.1 a cmds with 65 names closes with 4422",
  [],
  [send({ ...HELLO, cmds: Array.from({ length: 65 }, (_, i) => `cmd${i}`) }), expectClose(4422, "TH_PROTOCOL_VIOLATION")],
);
c(
  "hello.cmds-bad-name",
  "§3.1 a cmds entry that breaks the command-name rule (here: a space) closes with 4422",
  [],
  [send({ ...HELLO, cmds: ["reboot", "set point"] }), expectClose(4422, "TH_PROTOCOL_VIOLATION")],
);
c(
  "hello.null-field",
  "§2 null only inside cmd.args, cmd_result.res, config.d: anywhere else in a device frame closes with 4400",
  [],
  [send({ t: "hello", v: 1, fw: null }), expectClose(4400, "TH_FRAME_MALFORMED")],
);
c(
  "hello.version-2",
  "§3.1 unsupported v",
  ["code:TH_VERSION_UNSUPPORTED"],
  [send({ t: "hello", v: 2 }), expectClose(4426, "TH_VERSION_UNSUPPORTED")],
);
c(
  "hello.indefinite-text",
  "§2 decoders accept indefinite-length text strings",
  [],
  [
    sendHex(
      frameHex({ t: text("hello"), v: uint(1), fw: `7f${text("1.")}${text("0")}ff` }),
      "fw as an indefinite-length text string in two chunks",
      { t: "hello", v: 1, fw: "1.0" },
    ),
    expectFrame({ t: "welcome", v: 1, seq: 0 }),
  ],
);
c(
  "hello.indefinite-map",
  "§2 decoders accept indefinite-length maps and arrays",
  [],
  [
    sendHex(
      `bf${text("t")}${text("hello")}${text("v")}${uint(1)}${text("caps")}9f${text("batch")}ffff`,
      "the hello map and its caps array of indefinite length",
      { t: "hello", v: 1, caps: ["batch"] },
    ),
    expectFrame({ t: "welcome", v: 1, seq: 0 }),
  ],
);

// §2 encoding: frames that are not frames
c(
  "frame.text",
  "§7 a text frame",
  ["code:TH_FRAME_TEXT"],
  [{ ...sendHex(Buffer.from('{"t":"hello"}').toString("hex"), "JSON in a text frame"), text: true }, expectClose(1003, "TH_FRAME_TEXT")],
);
c(
  "frame.not-cbor",
  "§7 not valid CBOR",
  ["code:TH_FRAME_MALFORMED"],
  [sendHex("ff00", "a break byte outside any item"), expectClose(4400, "TH_FRAME_MALFORMED")],
);
c(
  "frame.not-a-map",
  "§2 every message is a map",
  ["code:TH_FRAME_MALFORMED"],
  [send(["hello", 1]), expectClose(4400, "TH_FRAME_MALFORMED")],
);
c("frame.no-type", "§2 a frame needs a text t", [], [send({ v: 1 }), expectClose(4400, "TH_FRAME_MALFORMED")]);
c("frame.type-not-text", "§2 t is a text string", [], [send({ t: 1, v: 1 }), expectClose(4400, "TH_FRAME_MALFORMED")]);
c(
  "frame.truncated",
  "§7 not valid CBOR: the map is cut short",
  [],
  [
    sendHex(frameHex({ t: text("hello"), v: uint(1) }).slice(0, -2), "a hello missing its last byte"),
    expectClose(4400, "TH_FRAME_MALFORMED"),
  ],
);
c(
  "frame.trailing-bytes",
  "§2 one CBOR data item per message: bytes after it are malformed",
  [],
  [
    ...greet(),
    sendHex(`${hexOf({ t: "report", attrs: { a: 1 } })}00`, "a report followed by one more byte"),
    expectClose(4400, "TH_FRAME_MALFORMED"),
  ],
);
c(
  "frame.unknown-type",
  "§7 an unknown frame type after hello: error frame, connection open",
  ["code:TH_FRAME_UNKNOWN_TYPE"],
  [...greet(), send({ t: "nope", x: 1 }), refusal("TH_FRAME_UNKNOWN_TYPE"), batch(1, [reading({ a: 1 })]), ack(1)],
);

// §2 values outside the model: inside a batch with a usable seq → TH_BATCH_INVALID + seq; elsewhere → 4400
/** A batch of one reading written byte by byte: `seq`, `ts` and the metric map as hex. */
const rawBatch = ({ seq = uint(1), ts = f64(T0), m }) => frameHex({ t: text("batch"), seq, r: array(map(["ts", ts], ["m", m])) });
const batchWithValue = (seq, valueHex) => rawBatch({ seq: uint(seq), m: map(["x", valueHex]) });
const reportWithValue = (valueHex) => frameHex({ t: text("report"), attrs: map(["x", valueHex]) });
const outside = [
  [
    "non-text-key",
    null,
    "a metric map with the integer key 1",
    (seq) => rawBatch({ seq: uint(seq), m: map([`#${uint(1)}`, uint(5)]) }),
    frameHex({ t: text("report"), attrs: map([`#${uint(1)}`, uint(5)]) }),
  ],
  ["invalid-utf8", "c328", "text with the bytes c3 28 (not UTF-8)"],
  ["tag", `c1${f64(T0)}`, "tag 1 (epoch time) around a number"],
  ["byte-string", "43010203", "a byte string"],
  ["undefined", "f7", "undefined"],
  ["big-int", `1b${(2n ** 53n).toString(16).padStart(16, "0")}`, "the integer 2^53, above 2^53 - 1"],
  ["big-negative-int", `3b${(2n ** 53n - 1n).toString(16).padStart(16, "0")}`, "the integer -2^53, below -(2^53 - 1)"],
];
for (const [name, valueHex, what, batchOf, reportHex] of outside) {
  c(
    `value.${name}.batch`,
    "§2 a value outside the model inside a batch: TH_BATCH_INVALID with its seq",
    ["code:TH_BATCH_INVALID"],
    [
      ...greet(),
      sendHex(batchOf ? batchOf(1) : batchWithValue(1, valueHex), `a batch with ${what}`),
      refusal("TH_BATCH_INVALID", 1),
      batch(2, [reading({ a: 1 })]),
      ack(2),
    ],
  );
  c(
    `value.${name}.report`,
    "§2 a value outside the model outside a batch: close 4400",
    ["code:TH_FRAME_MALFORMED"],
    [...greet(), sendHex(reportHex ?? reportWithValue(valueHex), `a report with ${what}`), expectClose(4400, "TH_FRAME_MALFORMED")],
  );
}
c(
  "value.null.batch",
  "§2 null is not a metric value",
  [],
  [...greet(), sendHex(batchWithValue(1, "f6"), "a metric of null"), refusal("TH_BATCH_INVALID", 1)],
);
c(
  "value.null.report",
  "§2 null outside cmd_result.res in a device frame: close 4400",
  [],
  [...greet(), send({ t: "report", attrs: { x: null } }), expectClose(4400, "TH_FRAME_MALFORMED")],
);
c(
  "value.tag-around-frame",
  "§2 a tag around the whole frame (55799, self-described CBOR): no usable seq, close 4400",
  [],
  [
    ...greet(),
    sendHex(`d9d9f7${hexOf({ t: "batch", seq: 1, r: [reading({ a: 1 })] })}`, "tag 55799 around a valid batch"),
    expectClose(4400, "TH_FRAME_MALFORMED"),
  ],
);

// maxNestingDepth (lim.depth): maps and arrays count, the frame's own map is depth 1
/** `n` arrays inside each other around a 0. */
const arrays = (n) => (n === 0 ? 0 : [arrays(n - 1)]);
c(
  "limit.depth.at",
  "§6 maxNestingDepth: nesting at the limit is accepted",
  ["limit:maxNestingDepth:at"],
  [
    ...greet(),
    send({ t: "cmd_result", id: "c-depth", ok: true, res: arrays(3) }),
    expectHex(hexOf({ t: "cmd_done", id: "c-depth" }), { t: "cmd_done", id: "c-depth" }),
    batch(1, [reading({ a: 1 })], { x: arrays(3) }),
    ack(1),
  ],
  { config: { limits: { maxNestingDepth: 4 } } },
);
c(
  "limit.depth.past",
  "§6 maxNestingDepth: one level deeper closes with 4400 outside a batch",
  ["limit:maxNestingDepth:past"],
  [...greet(), send({ t: "cmd_result", id: "c-depth", ok: true, res: arrays(4) }), expectClose(4400, "TH_FRAME_MALFORMED")],
  { config: { limits: { maxNestingDepth: 4 } } },
);
c(
  "limit.depth.past-batch",
  "§6 maxNestingDepth: one level deeper inside a batch is TH_BATCH_INVALID",
  ["limit:maxNestingDepth:past"],
  [...greet(), batch(1, [reading({ a: 1 })], { x: arrays(4) }), refusal("TH_BATCH_INVALID", 1)],
  { config: { limits: { maxNestingDepth: 4 } } },
);

// §3.3 batch, §4 delivery
c(
  "batch.example",
  "§3.3 the printed batch example; §2 the printed ack example",
  ["frame:batch", "frame:ack"],
  [
    ...greet(),
    sendHex(squash(DOC_BATCH_HEX), "docs/protocol.md §3.3 example", { t: "batch", seq: 1, r: [{ ts: T0, m: { temp: 21.5, on: true } }] }),
    expectHex(squash(DOC_ACK_HEX), { t: "ack", seq: 1 }),
    { expect: { latest: { temp: 21.5, on: true } } },
  ],
);
c(
  "batch.types-kept",
  "§3.3 numbers, booleans and text keep their type",
  [],
  [
    ...greet(),
    batch(1, [reading({ n: 7, f: -3.25, b: false, s: "eco" })]),
    ack(1),
    { expect: { latest: { n: 7, f: -3.25, b: false, s: "eco" } } },
  ],
);
c(
  "batch.duplicate",
  "§4.1 a batch whose seq is not above the highest durable one is acknowledged again, not stored again",
  [],
  [
    ...greet(),
    batch(1, [reading({ a: 1 }), reading({ a: 2 }, T0 + 1)]),
    ack(1),
    batch(1, [reading({ a: 1 }), reading({ a: 2 }, T0 + 1)]),
    ack(1),
    { expect: { stored: 2 } },
  ],
);
c(
  "batch.gap",
  "§4.1 gaps in the sequence are allowed",
  [],
  [...greet(), batch(1, [reading({ a: 1 })]), ack(1), batch(5, [reading({ a: 2 }, T0 + 1)]), ack(5)],
);
c(
  "batch.welcome-seq",
  "§3.2 welcome.seq is the highest durable seq, across connections",
  [],
  [...greet(), batch(3, [reading({ a: 1 })]), ack(3), act("connect"), ...greet(3)],
);
c(
  "batch.ts-uint64",
  "§2 timestamps as 8-byte integers",
  [],
  [
    ...greet(),
    sendHex(rawBatch({ ts: uint(T0), m: map(["a", uint(1)]) }), "ts as an 8-byte unsigned integer", {
      t: "batch",
      seq: 1,
      r: [{ ts: T0, m: { a: 1 } }],
    }),
    ack(1),
    { expect: { latest: { a: 1 }, ts: T0 } },
  ],
);
c(
  "batch.fraction-ms",
  "§2 fractions of a millisecond are truncated",
  [],
  [...greet(), batch(1, [reading({ a: 1 }, T0 + 0.75)]), ack(1), { expect: { latest: { a: 1 }, ts: T0 } }],
);
c(
  "batch.floats",
  "§2 floats of 16, 32 and 64 bits",
  [],
  [
    ...greet(),
    sendHex(rawBatch({ m: map(["h", "f93e00"], ["s", "fa3fc00000"], ["d", f64(0.1)]) }), "1.5 as float16, 1.5 as float32, 0.1 as float64", {
      t: "batch",
      seq: 1,
      r: [{ ts: T0, m: { h: 1.5, s: 1.5, d: 0.1 } }],
    }),
    ack(1),
    { expect: { latest: { h: 1.5, s: 1.5, d: 0.1 } } },
  ],
);
c(
  "batch.seq-float",
  "§2 an integer field may come as a float that holds an integer: seq 30.0 is sequence 30",
  [],
  [
    ...greet(),
    sendHex(rawBatch({ seq: f64(30), m: map(["a", uint(1)]) }), "seq as the float64 30.0", {
      t: "batch",
      seq: 30,
      r: [{ ts: T0, m: { a: 1 } }],
    }),
    ack(30),
  ],
);
c(
  "batch.float-integer",
  "§2 numbers are kept as numbers: 21.0 sent as a float reads back as 21",
  [],
  [
    ...greet(),
    sendHex(batchWithValue(1, f64(21)), "x = 21.0 as float64", { t: "batch", seq: 1, r: [{ ts: T0, m: { x: 21 } }] }),
    ack(1),
    { expect: { latest: { x: 21 } } },
  ],
);
c(
  "batch.duplicate-key",
  "§2 a map that holds a key twice is not refused: the last value counts",
  [],
  [
    ...greet(),
    sendHex(rawBatch({ m: map(["x", uint(1)], ["x", uint(2)]) }), "m holds x twice: 1, then 2", {
      t: "batch",
      seq: 1,
      r: [{ ts: T0, m: { x: 2 } }],
    }),
    ack(1),
    { expect: { latest: { x: 2 }, stored: 1 } },
  ],
);
c(
  "batch.ts-float32",
  "§2 a float32 ts is read as the number it holds",
  [],
  [
    ...greet(),
    sendHex(rawBatch({ ts: f32(T0), m: map(["a", uint(1)]) }), "ts as a float32 (1764000006144, the float32 nearest 1764000000000)", {
      t: "batch",
      seq: 1,
      r: [{ ts: Math.fround(T0), m: { a: 1 } }],
    }),
    ack(1),
    { expect: { latest: { a: 1 }, ts: Math.fround(T0) } },
  ],
);
c(
  "batch.ts-uint32",
  "§2/§3.3 a 4-byte integer ts is at most 2^32 - 1 ms (February 1970): outside the default window",
  ["code:TH_TIMESTAMP_OUT_OF_RANGE"],
  [...greet(), batch(1, [reading({ a: 1 }, 4_000_000_000)]), refusal("TH_TIMESTAMP_OUT_OF_RANGE", 1)],
);
c(
  "batch.negative-zero",
  "§2 -0.0 is stored and read back as 0",
  [],
  [...greet(), sendHex(batchWithValue(1, "f98000"), "x = -0.0 as float16"), ack(1), { expect: { latest: { x: 0 } } }],
);
c(
  "batch.indefinite",
  "§2 indefinite-length arrays and maps in a batch",
  [],
  [
    ...greet(),
    sendHex(
      `bf${text("t")}${text("batch")}${text("seq")}${uint(1)}${text("r")}9f${map(["ts", f64(T0)], ["m", `bf${text("a")}${uint(1)}ff`])}ffff`,
      "the frame, r and m of indefinite length",
      { t: "batch", seq: 1, r: [{ ts: T0, m: { a: 1 } }] },
    ),
    ack(1),
  ],
);
c(
  "batch.clockless",
  "§3.3 readings without ts get distinct, increasing hub times: three readings, three stored",
  [],
  [...greet(), batch(1, [{ m: { x: 1 } }, { m: { x: 2 } }, { m: { x: 3 } }]), ack(1), { expect: { stored: 3, latest: { x: 3 } } }],
);
c(
  "batch.clockless-across-batches",
  "§3.3 clockless readings never overwrite each other, across batches too",
  [],
  [
    ...greet(),
    batch(1, [{ m: { x: 1 } }, { m: { x: 2 } }]),
    ack(1),
    batch(2, [{ m: { x: 3 } }, { m: { x: 4 } }]),
    ack(2),
    { expect: { stored: 4, latest: { x: 4 } } },
  ],
);
c(
  "batch.same-ts-different-metrics",
  "§3.3 two readings at one ts with different metrics make one point: nothing lost",
  [],
  [...greet(), batch(1, [reading({ a: 1 }), reading({ b: 2 })]), ack(1), { expect: { stored: 2, latest: { a: 1, b: 2 } } }],
);
c(
  "batch.same-ts-different-values",
  "§3.3 the same metric at the same ts with different values in one batch is refused",
  ["code:TH_BATCH_INVALID"],
  [...greet(), batch(1, [reading({ x: 1 }), reading({ x: 2 })]), refusal("TH_BATCH_INVALID", 1)],
);
c(
  "batch.same-ts-same-value",
  "§3.3 the same value twice is one value",
  [],
  [...greet(), batch(1, [reading({ x: 1 }), reading({ x: 1 })]), ack(1), { expect: { stored: 1 } }],
);
c(
  "batch.seq-max",
  "§4.1 the largest seq is 2^53 - 1; the ack carries it as an 8-byte integer",
  [],
  [...greet(), batch(MAX_SEQ, [reading({ a: 1 })]), expectHex(map(["t", text("ack")], ["seq", uint(MAX_SEQ)]), { t: "ack", seq: MAX_SEQ })],
);
c(
  "batch.seq-above-max",
  "§4.1 a seq above 2^53 - 1 closes with 4400",
  [],
  [
    ...greet(),
    sendHex(rawBatch({ seq: `1b${(2n ** 53n).toString(16).padStart(16, "0")}`, m: map(["a", uint(1)]) }), "seq 2^53"),
    expectClose(4400, "TH_FRAME_MALFORMED"),
  ],
);
c(
  "batch.seq-2^32",
  "§2 integers go out as CBOR integers: ack.seq and welcome.seq of 2^32 are 8-byte integers",
  [],
  [
    ...greet(),
    batch(TWO_32, [reading({ a: 1 })]),
    expectHex(map(["t", text("ack")], ["seq", uint(TWO_32)]), { t: "ack", seq: TWO_32 }),
    act("connect"),
    hello(),
    { expect: { frame: { t: "welcome", seq: TWO_32 }, containsHex: text("seq") + uint(TWO_32) } },
  ],
);
for (const [name, value, note] of [
  ["seq-missing", { t: "batch", r: [reading({ a: 1 })] }, "no seq"],
  ["seq-zero", { t: "batch", seq: 0, r: [reading({ a: 1 })] }, "seq 0"],
  ["seq-negative", { t: "batch", seq: -1, r: [reading({ a: 1 })] }, "seq -1"],
  ["seq-text", { t: "batch", seq: "1", r: [reading({ a: 1 })] }, "seq as text"],
  ["seq-fraction", { t: "batch", seq: 1.5, r: [reading({ a: 1 })] }, "seq 1.5"],
]) {
  c(
    `batch.${name}`,
    "§7 a batch without a usable seq closes with 4400",
    [],
    [...greet(), send(value, note), expectClose(4400, "TH_FRAME_MALFORMED")],
  );
}
for (const [name, r, note] of [
  ["r-missing", undefined, "no r"],
  ["r-empty", [], "r empty"],
  ["reading-not-map", [5], "a reading that is not a map"],
  ["m-missing", [{ ts: T0 }], "a reading without m"],
  ["m-empty", [{ ts: T0, m: {} }], "a reading with no metrics"],
  ["ts-negative", [{ ts: -1, m: { a: 1 } }], "ts -1"],
  ["ts-text", [{ ts: "now", m: { a: 1 } }], "ts as text"],
  ["name-space", [reading({ "a b": 1 })], "a metric name with a space"],
  ["name-leading-underscore", [reading({ _a: 1 })], "a metric name starting with _"],
  ["value-map", [reading({ a: { b: 1 } })], "a metric whose value is a map"],
]) {
  const value = { t: "batch", seq: 1, ...(r !== undefined && { r }) };
  c(
    `batch.${name}`,
    "§3.3 a batch breaking a rule is refused whole with its seq",
    ["code:TH_BATCH_INVALID"],
    [...greet(), send(value, note), refusal("TH_BATCH_INVALID", 1)],
  );
}
for (const [name, valueHex, note] of [
  ["nan", "f97e00", "NaN as float16"],
  ["infinity", "f97c00", "Infinity as float16"],
]) {
  c(
    `batch.value-${name}`,
    "§3.3 numbers must be finite",
    ["code:TH_BATCH_INVALID"],
    [...greet(), sendHex(batchWithValue(1, valueHex), note), refusal("TH_BATCH_INVALID", 1)],
  );
}
c(
  "batch.invalid-then-valid",
  "§4.4 later batches are unaffected by a permanent refusal",
  ["frame:error"],
  [...greet(), send({ t: "batch", seq: 1, r: [] }, "r empty"), refusal("TH_BATCH_INVALID", 1), batch(2, [reading({ a: 1 })]), ack(2)],
);

// §6 limits, each at the limit (accepted) and past it (refused)
const small = { limits: { maxReadingsPerBatch: 2, maxMetricsPerReading: 2, maxNameLength: 4, maxStringLength: 4 } };
c(
  "limit.readings.at",
  "§6 maxReadingsPerBatch",
  ["limit:maxReadingsPerBatch:at"],
  [...greet(), batch(1, [reading({ a: 1 }), reading({ a: 2 }, T0 + 1)]), ack(1)],
  { config: small },
);
c(
  "limit.readings.past",
  "§6 maxReadingsPerBatch",
  ["limit:maxReadingsPerBatch:past"],
  [...greet(), batch(1, [reading({ a: 1 }), reading({ a: 2 }, T0 + 1), reading({ a: 3 }, T0 + 2)]), refusal("TH_BATCH_INVALID", 1)],
  { config: small },
);
c(
  "limit.metrics.at",
  "§6 maxMetricsPerReading",
  ["limit:maxMetricsPerReading:at"],
  [...greet(), batch(1, [reading({ a: 1, b: 2 })]), ack(1)],
  { config: small },
);
c(
  "limit.metrics.past",
  "§6 maxMetricsPerReading",
  ["limit:maxMetricsPerReading:past"],
  [...greet(), batch(1, [reading({ a: 1, b: 2, c: 3 })]), refusal("TH_BATCH_INVALID", 1)],
  { config: small },
);
c("limit.name.at", "§6 maxNameLength in bytes", ["limit:maxNameLength:at"], [...greet(), batch(1, [reading({ abcd: 1 })]), ack(1)], {
  config: small,
});
c(
  "limit.name.past",
  "§6 maxNameLength in bytes",
  ["limit:maxNameLength:past"],
  [...greet(), batch(1, [reading({ abcde: 1 })]), refusal("TH_BATCH_INVALID", 1)],
  { config: small },
);
c(
  "limit.str.at",
  "§6 maxStringLength counts UTF-8 bytes: two two-byte characters are 4 bytes",
  ["limit:maxStringLength:at"],
  [...greet(), batch(1, [reading({ s: "éé" })]), ack(1), { expect: { latest: { s: "éé" } } }],
  { config: small },
);
c(
  "limit.str.past",
  "§6 maxStringLength counts UTF-8 bytes: three two-byte characters are 6 bytes (3 UTF-16 units)",
  ["limit:maxStringLength:past"],
  [...greet(), batch(1, [reading({ s: "ééé" })]), refusal("TH_BATCH_INVALID", 1)],
  { config: small },
);
c(
  "limit.str.default-at",
  '§6 maxStringLength 256: "é" × 128 is 256 bytes',
  [],
  [...greet(), batch(1, [reading({ s: "é".repeat(128) })]), ack(1)],
);
c(
  "limit.str.default-past",
  '§6 maxStringLength 256: "é" × 129 is 258 bytes',
  [],
  [...greet(), batch(1, [reading({ s: "é".repeat(129) })]), refusal("TH_BATCH_INVALID", 1)],
);

const frames = { limits: { maxFrameBytes: 100, maxBytesPerSecond: 200 } };
c(
  "limit.frame.at",
  "§6 maxFrameBytes: a frame of exactly the limit is accepted",
  ["limit:maxFrameBytes:at"],
  [...greet(), batchOfSize(1, 100), ack(1)],
  {
    config: { limits: { maxFrameBytes: 100 } },
  },
);
c(
  "limit.frame.past",
  "§6 maxFrameBytes: one byte more closes with 1009, reason TH_FRAME_TOO_LARGE",
  ["limit:maxFrameBytes:past", "code:TH_FRAME_TOO_LARGE"],
  [...greet(), batchOfSize(1, 101), expectClose(1009, "TH_FRAME_TOO_LARGE")],
  { config: { limits: { maxFrameBytes: 100 } } },
);
c(
  "limit.bps",
  "§6 maxBytesPerSecond: the burst is the larger of it and maxFrameBytes; refill at the rate (hub clock stopped, then moved)",
  ["limit:maxBytesPerSecond:at", "limit:maxBytesPerSecond:past", "code:TH_RATE_LIMITED"],
  [
    send({ t: "hello", v: 1 }, "12 bytes"),
    expectFrame({ t: "welcome", seq: 0 }),
    batchOfSize(1, 88),
    ack(1),
    batchOfSize(2, 100),
    ack(2),
    batchOfSize(3, 100),
    retryable("TH_RATE_LIMITED", 3, { msgIncludes: "maxBytesPerSecond" }),
    act("advance-clock", { ms: 500 }),
    batchOfSize(3, 100),
    ack(3),
    batchOfSize(4, 100),
    retryable("TH_RATE_LIMITED", 4, { msgIncludes: "maxBytesPerSecond" }),
  ],
  { config: frames, clock: "manual", barrier: false },
);
c(
  "limit.rate",
  "§6 maxFramesPerSecond and frameBurst: a burst of frameBurst frames (hello included), then the rate (hub clock stopped, then moved)",
  ["limit:frameBurst:at", "limit:frameBurst:past", "limit:maxFramesPerSecond:at", "limit:maxFramesPerSecond:past", "code:TH_RATE_LIMITED"],
  [
    ...greet(),
    batch(1, [reading({ a: 1 })]),
    ack(1),
    batch(2, [reading({ a: 2 }, T0 + 1)]),
    retryable("TH_RATE_LIMITED", 2, { msgIncludes: "maxFramesPerSecond" }),
    act("advance-clock", { ms: 500 }),
    batch(2, [reading({ a: 2 }, T0 + 1)]),
    ack(2),
    batch(3, [reading({ a: 3 }, T0 + 2)]),
    retryable("TH_RATE_LIMITED", 3),
  ],
  { config: { limits: { maxFramesPerSecond: 2, frameBurst: 2 } }, clock: "manual", barrier: false },
);
/** A control frame over the rate (no seq), and its refusal. */
const controlRefused = () => [
  send({ t: "cmd_ack", id: "c-1" }),
  refusal("TH_RATE_LIMITED", undefined, { present: ["retry"], absent: ["seq"] }),
];
const FLOOD = {
  config: { limits: { maxFramesPerSecond: 1, frameBurst: 1 }, gateway: { floodStrikes: 2 } },
  clock: "manual",
  barrier: false,
};
c(
  "limit.flood",
  "§6 floodStrikes consecutive TH_RATE_LIMITED answers are allowed; one more frame closes with 4429",
  ["code:TH_FLOOD"],
  [...greet(), ...controlRefused(), ...controlRefused(), send({ t: "cmd_ack", id: "c-1" }), expectClose(4429, "TH_FLOOD")],
  FLOOD,
);
c(
  "limit.flood-count-restarts",
  "§6 floodStrikes counts consecutive refusals: an admitted frame starts the count again (hub clock stopped, then moved)",
  [],
  [
    ...greet(),
    ...controlRefused(),
    ...controlRefused(),
    act("advance-clock", { ms: 1000 }),
    send({ t: "cmd_ack", id: "c-1" }, "admitted: the count starts again"),
    ...controlRefused(),
    ...controlRefused(),
    send({ t: "cmd_ack", id: "c-1" }),
    expectClose(4429, "TH_FLOOD"),
  ],
  FLOOD,
);
c(
  "limit.inflight",
  "§4.2 maxBatchesInFlight: one batch in flight is accepted, a second is refused (retryable); the store commits, the resend is accepted",
  ["limit:maxBatchesInFlight:at", "limit:maxBatchesInFlight:past", "code:TH_IN_FLIGHT_EXCEEDED"],
  [
    ...greet(),
    batch(1, [reading({ a: 1 })]),
    batch(2, [reading({ a: 2 }, T0 + 1)]),
    retryable("TH_IN_FLIGHT_EXCEEDED", 2),
    act("open-store"),
    ack(1),
    batch(2, [reading({ a: 2 }, T0 + 1)]),
    ack(2),
  ],
  { config: { limits: { maxBatchesInFlight: 1 } }, setup: "store-gated" },
);
c(
  "store.unavailable",
  "§4.3 the store cannot commit: TH_STORE_UNAVAILABLE with seq and retry; not stored",
  ["code:TH_STORE_UNAVAILABLE"],
  [...greet(), batch(1, [reading({ a: 1 })]), expectFrame({ t: "error", code: "TH_STORE_UNAVAILABLE", seq: 1, retry: 1000 })],
  { setup: "store-failing" },
);
c(
  "store.resume-rule",
  "§4.3 after refusing S the hub refuses later batches until S is resent",
  [],
  [
    ...greet(),
    batch(1, [reading({ a: 1 })]),
    retryable("TH_STORE_UNAVAILABLE", 1),
    act("store-recovers"),
    batch(2, [reading({ a: 2 }, T0 + 1)]),
    retryable("TH_RATE_LIMITED", 2),
    batch(1, [reading({ a: 1 })]),
    ack(1),
    batch(2, [reading({ a: 2 }, T0 + 1)]),
    ack(2),
  ],
  { setup: "store-failing" },
);
c(
  "store.resume-flag",
  "§4.3 rs: true resumes after a refused batch the device no longer has",
  [],
  [
    ...greet(),
    batch(1, [reading({ a: 1 })]),
    retryable("TH_STORE_UNAVAILABLE", 1),
    act("store-recovers"),
    batch(2, [reading({ a: 2 }, T0 + 1)], { rs: true }),
    ack(2),
  ],
  { setup: "store-failing" },
);

c(
  "store.resume-flag-only-true",
  "§4.3 only rs: true is a resume marker: rs: 1 resumes nothing",
  [],
  [
    ...greet(),
    batch(1, [reading({ a: 1 })]),
    retryable("TH_STORE_UNAVAILABLE", 1),
    act("store-recovers"),
    batch(2, [reading({ a: 2 }, T0 + 1)], { rs: 1 }),
    retryable("TH_RATE_LIMITED", 2),
  ],
  { setup: "store-failing" },
);

// data integrity limits (ingest.*)
c(
  "ingest.type-conflict",
  "§7 a metric's type is fixed by its first value: another type is refused, later batches unaffected",
  ["code:TH_TYPE_CONFLICT"],
  [
    ...greet(),
    batch(1, [reading({ temp: 21.5 })]),
    ack(1),
    batch(2, [reading({ temp: "hot" }, T0 + 1)]),
    refusal("TH_TYPE_CONFLICT", 2),
    batch(3, [reading({ temp: 22 }, T0 + 2)]),
    ack(3),
  ],
);
c(
  "ingest.numbers-one-type",
  "§3.3 all numbers are one type: integers and fractions mix",
  [],
  [...greet(), batch(1, [reading({ n: 1 })]), ack(1), batch(2, [reading({ n: 1.5 }, T0 + 1)]), ack(2)],
);
c(
  "ingest.refused-batch-fixes-no-type",
  "§3.3 a refused batch changes nothing: it fixes no type",
  [],
  [
    ...greet(),
    batch(1, [reading({ n: "text" }), reading({ "bad name": 1 }, T0 + 1)]),
    refusal("TH_BATCH_INVALID", 1),
    batch(2, [reading({ n: 5 }, T0 + 2)]),
    ack(2),
  ],
);
/** A batch with a note saying what it breaks. */
const noted = (seq, readings, note) => send({ t: "batch", seq, r: readings }, note);
const TWO_YEARS_AGO = T0 - 2 * 31_536_000_000;
c(
  "ingest.check-order",
  "§3.3 the hub answers the first rule a batch breaks: §2/§6 rules, the timestamp window, two values at one ts, types, metric names; a refused batch claims no name",
  [],
  [
    ...greet(),
    batch(1, [reading({ n: 1 })]),
    ack(1),
    noted(2, [reading({ "bad name": 1 }, TWO_YEARS_AGO)], "a bad name and a ts outside the window"),
    refusal("TH_BATCH_INVALID", 2),
    noted(3, [reading({ n: "x" }, TWO_YEARS_AGO)], "a ts outside the window and a type conflict"),
    refusal("TH_TIMESTAMP_OUT_OF_RANGE", 3),
    noted(4, [reading({ n: "x" }, T0 + 1), reading({ n: "y" }, T0 + 1)], "two values at one ts and a type conflict"),
    refusal("TH_BATCH_INVALID", 4),
    noted(5, [reading({ n: "x", p: 1, q: 2 }, T0 + 2)], "a type conflict and one name too many"),
    refusal("TH_TYPE_CONFLICT", 5),
    noted(6, [reading({ p: 1 }, T0 + 3)], "the second name: the refused batches claimed none"),
    ack(6),
    noted(7, [reading({ q: 1 }, T0 + 4)], "a third name"),
    refusal("TH_METRIC_LIMIT", 7),
  ],
  { config: { ingest: { maxMetricsPerDevice: 2 } } },
);
c(
  "ingest.future-window-off",
  "§3.3 ingest.maxFutureMs 0 switches that side of the window off",
  [],
  [...greet(), batch(1, [reading({ a: 1 }, T0 + 10 * 365 * 86_400_000)]), ack(1)],
  { config: { ingest: { maxFutureMs: 0 } } },
);
c(
  "ingest.metrics-per-device",
  "ingest.maxMetricsPerDevice: distinct metric names per device",
  ["limit:ingest.maxMetricsPerDevice:at", "limit:ingest.maxMetricsPerDevice:past", "code:TH_METRIC_LIMIT"],
  [
    ...greet(),
    batch(1, [reading({ a: 1, b: 2 })]),
    ack(1),
    batch(2, [reading({ a: 3 }, T0 + 1)]),
    ack(2),
    batch(3, [reading({ c: 1 }, T0 + 2)]),
    refusal("TH_METRIC_LIMIT", 3),
  ],
  { config: { ingest: { maxMetricsPerDevice: 2 } } },
);
c(
  "ingest.series",
  "ingest.maxSeries: distinct (device, metric) pairs on the hub",
  ["limit:ingest.maxSeries:at", "limit:ingest.maxSeries:past", "code:TH_METRIC_LIMIT"],
  [...greet(), batch(1, [reading({ a: 1, b: 2, c: 3 })]), ack(1), batch(2, [reading({ d: 1 }, T0 + 1)]), refusal("TH_METRIC_LIMIT", 2)],
  { config: { ingest: { maxSeries: 3 } } },
);
c(
  "ingest.timestamp-window",
  "ingest.maxFutureMs and ingest.maxPastMs: the acceptance window around the hub's clock (stopped at T0)",
  [
    "limit:ingest.maxFutureMs:at",
    "limit:ingest.maxFutureMs:past",
    "limit:ingest.maxPastMs:at",
    "limit:ingest.maxPastMs:past",
    "code:TH_TIMESTAMP_OUT_OF_RANGE",
  ],
  [
    ...greet(),
    batch(1, [reading({ a: 1 }, T0 + 60_000)]),
    ack(1),
    batch(2, [reading({ a: 2 }, T0 + 60_001)]),
    refusal("TH_TIMESTAMP_OUT_OF_RANGE", 2),
    batch(3, [reading({ a: 3 }, T0 - 60_000)]),
    ack(3),
    batch(4, [reading({ a: 4 }, T0 - 60_001)]),
    refusal("TH_TIMESTAMP_OUT_OF_RANGE", 4),
  ],
  { config: { ingest: { maxFutureMs: 60_000, maxPastMs: 60_000 } }, clock: "manual" },
);

// §3.6 commands
c(
  "cmd.flow",
  "§3.6 a queued command arrives after welcome (null inside args), cmd_ack, cmd_result with null res, cmd_done",
  ["frame:cmd", "frame:cmd_ack", "frame:cmd_result", "frame:cmd_done"],
  [
    ...greet(),
    expectFrame({ t: "cmd", name: "reboot", args: { delay: 5, note: null, list: [1, null] } }),
    sendHex(map(["t", text("cmd_ack")], ["id", "7824<cmd.id>"]), "cmd_ack for the command just received (its 36-byte id)"),
    sendHex(map(["t", text("cmd_result")], ["id", "7824<cmd.id>"], ["ok", "f5"], ["res", "f6"]), "cmd_result ok, res null"),
    expectHex(map(["t", text("cmd_done")], ["id", "7824<cmd.id>"])),
    { expect: { command: { state: "succeeded", result: null } } },
  ],
  { setup: "command-queued" },
);
c(
  "cmd.order",
  "§3.6 the hub sends a device's commands in the order they were created",
  [],
  [...greet(), expectFrame({ t: "cmd", name: "reboot" }), expectFrame({ t: "cmd", name: "second", args: { n: 2 } })],
  { setup: "two-commands-queued" },
);
c(
  "cmd.unknown",
  "§3.6 a device without a handler answers TH_CMD_UNKNOWN; the hub confirms any result with cmd_done",
  ["code:TH_CMD_UNKNOWN"],
  [
    ...greet(),
    send({ t: "cmd_result", id: "c-404", ok: false, err: { code: "TH_CMD_UNKNOWN", msg: "no handler for x" } }),
    expectHex(hexOf({ t: "cmd_done", id: "c-404" }), { t: "cmd_done", id: "c-404" }),
  ],
);
c(
  "cmd.failed",
  "§3.6 a failing handler answers TH_CMD_FAILED",
  ["code:TH_CMD_FAILED"],
  [
    ...greet(),
    send({ t: "cmd_result", id: "c-500", ok: false, err: { code: "TH_CMD_FAILED", msg: "sensor busy" } }),
    expectHex(hexOf({ t: "cmd_done", id: "c-500" }), { t: "cmd_done", id: "c-500" }),
  ],
);
c(
  "cmd.failed-recorded",
  "§3.6 a failed result is recorded with its code",
  [],
  [
    ...greet(),
    expectFrame({ t: "cmd", name: "reboot" }),
    sendHex(map(["t", text("cmd_ack")], ["id", "7824<cmd.id>"]), "cmd_ack"),
    sendHex(
      map(
        ["t", text("cmd_result")],
        ["id", "7824<cmd.id>"],
        ["ok", "f4"],
        ["err", map(["code", text("TH_CMD_FAILED")], ["msg", text("sensor busy")])],
      ),
      "cmd_result failed",
    ),
    expectHex(map(["t", text("cmd_done")], ["id", "7824<cmd.id>"])),
    { expect: { command: { state: "failed", error: { code: "TH_CMD_FAILED", message: "sensor busy" } } } },
  ],
  { setup: "command-queued" },
);
c(
  "cmd.result-without-ack",
  "§3.6 a cmd_result without a prior cmd_ack is accepted",
  [],
  [
    ...greet(),
    expectFrame({ t: "cmd", name: "reboot" }),
    sendHex(map(["t", text("cmd_result")], ["id", "7824<cmd.id>"], ["ok", "f5"], ["res", uint(1)]), "cmd_result, no cmd_ack before"),
    expectHex(map(["t", text("cmd_done")], ["id", "7824<cmd.id>"])),
    { expect: { command: { state: "succeeded", result: 1, deliveredAt: null } } },
  ],
  { setup: "command-queued" },
);
c(
  "cmd.ack-twice",
  "§3.6 a repeated cmd_ack is harmless",
  [],
  [
    ...greet(),
    expectFrame({ t: "cmd", name: "reboot" }),
    sendHex(map(["t", text("cmd_ack")], ["id", "7824<cmd.id>"]), "cmd_ack"),
    sendHex(map(["t", text("cmd_ack")], ["id", "7824<cmd.id>"]), "cmd_ack again"),
    { expect: { command: { state: "delivered" } } },
  ],
  { setup: "command-queued" },
);
c(
  "cmd.result-failed-without-err",
  "§3.6/§3.9 cmd_result with ok false and no err",
  ["code:TH_FRAME_INVALID"],
  [...greet(), send({ t: "cmd_result", id: "c-1", ok: false }), refusal("TH_FRAME_INVALID")],
);
c(
  "cmd.ack-without-id",
  "§3.9 cmd_ack without id",
  ["code:TH_FRAME_INVALID"],
  [...greet(), send({ t: "cmd_ack" }), refusal("TH_FRAME_INVALID")],
);
c(
  "cmd.result-ok-not-bool",
  "§3.9 cmd_result whose ok is not a boolean",
  [],
  [...greet(), send({ t: "cmd_result", id: "c-1", ok: 1 }), refusal("TH_FRAME_INVALID")],
);

// §3.8 desired configuration
c(
  "config.flow",
  "§3.8 a newer desired configuration is sent after welcome (null inside d); config_ack records it",
  ["frame:config", "frame:config_ack"],
  [
    ...greet(),
    expectFrame({ t: "config", v: 1, d: { interval: 10, extra: null } }),
    send({ t: "config_ack", v: 1, ok: true }),
    { expect: { config: { reported: { version: 1 } } } },
  ],
  { setup: "config-desired" },
);
c(
  "config.up-to-date",
  "§3.8 no config after welcome when hello.cfg is the current version (the queued command, sent after any config, comes next)",
  [],
  [send({ ...HELLO, cfg: 1 }), welcome(), expectFrame({ t: "cmd", name: "reboot" })],
  { setup: "config-and-command" },
);
c(
  "config.last-acknowledged",
  "§3.1/§3.8 a hello without cfg: the hub uses the version the device last acknowledged; §3.6 an unacknowledged command is sent again",
  [],
  [
    ...greet(),
    expectFrame({ t: "config", v: 1 }),
    expectFrame({ t: "cmd", name: "reboot" }),
    send({ t: "config_ack", v: 1, ok: true }),
    { expect: { config: { reported: { version: 1 } } } },
    act("connect"),
    send({ t: "hello", v: 1 }),
    expectFrame({ t: "welcome", v: 1, seq: 0 }),
    expectFrame({ t: "cmd", name: "reboot" }),
  ],
  { setup: "config-and-command" },
);
c(
  "config.changed-while-connected",
  "§3.8 an operator's change reaches a connected device at once, with the next version",
  [],
  [
    ...greet(),
    expectFrame({ t: "config", v: 1, d: { interval: 10, extra: null } }),
    send({ t: "config_ack", v: 1, ok: true }),
    { expect: { config: { reported: { version: 1 } } } },
    act("set-config", { document: { interval: 20 } }),
    expectFrame({ t: "config", v: 2, d: { interval: 20 } }),
    send({ t: "config_ack", v: 2, ok: true }),
    { expect: { config: { reported: { version: 2 } } } },
  ],
  { setup: "config-desired" },
);
c(
  "config.failed-without-err",
  "§3.8/§3.9 config_ack with ok false and no err",
  ["code:TH_FRAME_INVALID"],
  [
    ...greet(),
    expectFrame({ t: "config", v: 1 }),
    send({ t: "config_ack", v: 1, ok: false }),
    refusal("TH_FRAME_INVALID"),
    { expect: { config: { reported: { version: 0, error: null } } } },
  ],
  { setup: "config-desired" },
);
c(
  "config.ack-newer-than-desired",
  "§3.8 a config_ack for a version newer than the desired one is refused",
  ["code:TH_FRAME_INVALID"],
  [
    ...greet(),
    expectFrame({ t: "config", v: 1 }),
    send({ t: "config_ack", v: 5, ok: true }),
    refusal("TH_FRAME_INVALID"),
    { expect: { config: { reported: { version: 0 } } } },
  ],
  { setup: "config-desired" },
);
c(
  "config.ack-bad-version",
  "§3.9 config_ack whose v is not an integer",
  [],
  [...greet(), send({ t: "config_ack", v: "1", ok: true }), refusal("TH_FRAME_INVALID")],
);

// §3.7 report
c(
  "report.accepted",
  "§3.7 report: attributes merged, no answer",
  ["frame:report"],
  [...greet(), send({ t: "report", attrs: { ip: "10.0.0.7", heap: 51200 } }), { expect: { attributes: { ip: "10.0.0.7", heap: 51200 } } }],
);
c(
  "report.nested",
  "§3.9 report attrs must be flat",
  [],
  [...greet(), send({ t: "report", attrs: { a: { b: 1 } } }), refusal("TH_FRAME_INVALID")],
);
c("report.missing-attrs", "§3.9 report without attrs", [], [...greet(), send({ t: "report" }), refusal("TH_FRAME_INVALID")]);

// §5 heartbeats
c(
  "heartbeat.timeout",
  "§5 a device that answers no ping is dropped: close 4410 on the wire",
  ["code:TH_HEARTBEAT_TIMEOUT"],
  [...greet(), expectClose(4410, "TH_HEARTBEAT_TIMEOUT")],
  { config: { gateway: { heartbeatIntervalMs: 100 } }, upgrade: { autoPong: false } },
);

// §10 the HTTP transport: what only a request can get ("transport": "http": the WebSocket run skips these)
c(
  "http.no-hello",
  "§10.2 a request without sid whose first frame is not hello: 400 TH_HTTP_REQUEST_INVALID",
  ["code:TH_HTTP_REQUEST_INVALID"],
  [],
  {
    transport: "http",
    upgrade: { body: hexOf({ t: "report", attrs: { ip: "10.0.0.7" } }), refused: { status: 400, code: "TH_HTTP_REQUEST_INVALID" } },
  },
);
c(
  "http.session-unknown",
  "§10.2 a sid that names no session of the device: 404 TH_SESSION_UNKNOWN (start one with hello)",
  ["code:TH_SESSION_UNKNOWN"],
  [],
  { transport: "http", upgrade: { sid: "no-such-session", body: "", refused: { status: 404, code: "TH_SESSION_UNKNOWN" } } },
);

// ---- hub → device frames, for the codecs (the hub's encoding of each) -----------------------

const lim = { frame: 65536, batch: 500, metrics: 64, name: 64, str: 256, inflight: 16, rate: 100, burst: 200, bps: 262144, depth: 32 };
const hubFrames = [
  ["welcome", { t: "welcome", v: 1, time: T0 + 12, echo: T0, seq: 41, hb: 15000, lim }],
  ["welcome.no-echo", { t: "welcome", v: 1, time: T0 + 12.5, seq: 0, hb: 15000, lim }],
  ["ack", { t: "ack", seq: 1 }],
  ["ack.2^32-1", { t: "ack", seq: TWO_32 - 1 }],
  ["error.batch-invalid", { t: "error", code: "TH_BATCH_INVALID", msg: "reading 0: no metrics", seq: 7 }],
  ["error.retryable", { t: "error", code: "TH_STORE_UNAVAILABLE", msg: "not stored", seq: 8, retry: 1000 }],
  ["error.frame-invalid", { t: "error", code: "TH_FRAME_INVALID", msg: "cmd_ack: id must be a command id" }],
  [
    "cmd",
    {
      t: "cmd",
      id: "0b6c3c1e-7d5a-4c1e-9a43-6f0e5f3a2b10",
      name: "set",
      args: { interval: 30, list: [1, "two", null, false], nothing: null },
    },
  ],
  ["cmd.no-args", { t: "cmd", id: "c-2", name: "reboot", args: {} }],
  ["cmd_done", { t: "cmd_done", id: "c-2" }],
  ["config", { t: "config", v: 3, d: { interval: 10, name: "kitchen", extra: null, alarms: [{ above: 30.5 }] } }],
  ["config.utf8", { t: "config", v: 4, d: { room: "Küche ☺ 😀" } }],
].map(([id, value]) => ({ id, hex: hexOf(value), value, canonical: true }));
// Integers from 2^32 go out as 8-byte integers (cbor-x alone would write a float64).
hubFrames.push(
  { id: "ack.2^32", hex: map(["t", text("ack")], ["seq", uint(TWO_32)]), value: { t: "ack", seq: TWO_32 }, canonical: true },
  { id: "ack.max", hex: map(["t", text("ack")], ["seq", uint(MAX_SEQ)]), value: { t: "ack", seq: MAX_SEQ }, canonical: true },
);

const corpus = {
  about:
    "Telehub protocol v1 conformance corpus: byte-exact frames a device sends (hex) and the hub's documented answer. Read by hub/test/conformance-corpus.test.ts (live hub) and the device-client codec tests. Format: README.md in this folder.",
  clock: T0,
  docExamples: [
    { section: "§2", hex: DOC_ACK_HEX, value: { t: "ack", seq: 1 } },
    { section: "§3.1", hex: DOC_HELLO_HEX, value: HELLO },
    { section: "§3.3", hex: DOC_BATCH_HEX, value: { t: "batch", seq: 1, r: [{ ts: T0, m: { temp: 21.5, on: true } }] } },
  ],
  hubFrames,
  cases,
};
const ids = new Set();
for (const one of cases) {
  if (ids.has(one.id)) throw new Error(`duplicate case id ${one.id}`);
  ids.add(one.id);
}
const target = process.argv[2] ?? new URL("./corpus.json", import.meta.url);
writeFileSync(target, `${JSON.stringify(corpus, null, 1)}\n`);
console.log(`corpus.json: ${cases.length} cases, ${hubFrames.length} hub frames`);
