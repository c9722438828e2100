import { encodeBatch } from "./batch-encoder.js";
import { type CborValue, cborEach, cborEncode } from "./cbor.js";
import type { ClientOptions } from "./client-options.js";
import { createCommandRunner } from "./command-runner.js";
import { type EspruinoHttp, postFrames } from "./http-post.js";
import { parseHubUrl } from "./hub-url.js";
import { option, RETRYABLE_REFUSALS } from "./protocol-rules.js";
import { ReadingRing } from "./reading-ring.js";
import { loadWake, saveWake, type WakeStorage } from "./wake-store.js";

/*
 * The protocol client for boards that deep-sleep between readings (docs/esp32.md, "Deep sleep
 * over HTTP"), over the HTTP transport (docs/protocol.md §10). One wake: restore the buffer
 * from flash, take readings, POST hello + buffered batches + pending frames in one request
 * (`wait=0`), handle the answer, post what the answer produced (cmd_ack, cmd_result,
 * config_ack) in a second short request of the same session, write the buffer back to flash
 * (one new copy of one Storage file, none when nothing changed), and let the application sleep.
 */

type Frame = { [key: string]: CborValue };
type Doc = { [key: string]: CborValue };

/** What the client needs from the board. */
export interface SleepyPlatform {
  /** `require("http")`. */
  http: EspruinoHttp;
  storage: WakeStorage;
  /** Milliseconds on the device clock. */
  now(): number;
  /** Set the device clock (Espruino: `setTime(ms / 1000)`); without it timestamps are never corrected. */
  setClock?(ms: number): void;
}

/** Options; each optional one says its default. `url` is `http://host:port` (plain HTTP: Espruino's TLS costs about 4,000 variables). */
export interface SleepyOptions extends ClientOptions {
  /** The sleep between wakes (ms): `hello.ivl` is this plus 10 % plus 30 s, so a late wake still counts as online. */
  sleepMs: number;
  /** Readings kept in flash while the hub is unreachable (oldest dropped beyond). Default 200. */
  bufferReadings?: number;
  /** Batches per request (at most the hub's `lim.inflight`). Default 3 (the request body is a string in RAM: docs/esp32.md, "Size and memory"). */
  maxBatches?: number;
  /** Requests per wake, the first included (bounds the radio time). Default 4. */
  maxRequests?: number;
  /** A request not answered within this counts as failed. Default 10000 ms. */
  requestTimeoutMs?: number;
  /** The Storage file of the buffer. Default `telehub.wake`. */
  file?: string;
  /**
   * Events: `welcome` (seq), `ack` (seq), `error` (code, seq or null), `rejected` (code, seq: a batch
   * refused for good, dropped), `refused` (HTTP status, code: a request refused; 0: no answer).
   */
  onEvent?: (name: string, a?: CborValue, b?: CborValue) => void;
}

/** A device clock before 2020 has never been set (an ESP32 after power-up): its readings cannot be stamped. */
const CLOCK_SET_MS = 1577836800000;
/** Command ids remembered across sleeps (each command runs once) until their cmd_ack has reached the hub. */
const RAN_IDS = 8;

export interface SleepyDevice {
  /** The readings buffer (restored from flash). */
  readonly ring: ReadingRing;
  /** Buffer a reading (values in the order of `metrics`; NaN: absent) taken now on the device clock. */
  add(values: number[]): boolean;
  /**
   * One wake: `sample()` is called once to take this wake's readings (with `add`), when the clock
   * can stamp them; then the requests, then the flash write; then `done(ok)`: ok when the hub
   * answered. Call `done`'s sleep from there.
   */
  wake(sample: () => void, done: (ok: boolean) => void): void;
  /** The applied configuration version. */
  configVersion(): number;
}

export function createSleepyDevice(platform: SleepyPlatform, o: SleepyOptions): SleepyDevice {
  const storage = platform.storage;
  const file = o.file || "telehub.wake";
  const ring = new ReadingRing(o.metrics, option(o.bufferReadings, 200));
  const stored = storage.read(file);
  const state = loadWake(stored, ring);
  const address = parseHubUrl(o.url);
  const auth = "Basic " + btoa(o.deviceId + ":" + o.token);
  let configVersion = option(o.configVersion, 0);
  let batchLimit = option(o.batchReadings, 20);
  const maxRequests = option(o.maxRequests, 4);

  const emit = (name: string, a?: CborValue, b?: CborValue): void => {
    if (o.onEvent) o.onEvent(name, a, b);
  };
  const queue = (frame: Frame): void => {
    state.outbox.push(cborEncode(frame));
  };
  const commands = createCommandRunner(o.commands || {}, queue);

  const wake = (sample: () => void, done: (ok: boolean) => void): void => {
    let sid = "";
    let requests = 0;
    let sentUpTo = 0;
    let paused = false;
    let answered = false;
    /** The first batch number this wake gave (0: none yet). */
    let firstNew = 0;
    // A first contact (nothing numbered yet: a new or erased flash) or an unset clock: hello alone
    // first, to learn the hub's durable seq and time before numbering and stamping readings.
    let sampled = !!state.lastSeq && platform.now() >= CLOCK_SET_MS;
    if (sampled) sample();

    const finish = (): void => {
      // No answer to the first contact, but a clock that can stamp: take the readings, keep them for the next wake.
      if (!sampled && platform.now() >= CLOCK_SET_MS) sample();
      saveWake(storage, file, stored, state, ring);
      done(answered);
    };

    const onWelcome = (w: Frame, t1: number): void => {
      sid = w.sid as string;
      const durable = w.seq as number;
      if (firstNew && requests === 1 && durable >= firstNew) {
        // The hub already holds numbers this wake gave its new batches: the flash file is older than the
        // hub's record (a reset between an answer and the write). The hub takes those batches for
        // duplicates: number them again above everything and send them once more.
        const to = Math.min(durable, state.lastSeq);
        const shift = Math.max(durable, state.lastSeq) + 1 - firstNew;
        ring.renumber(firstNew, to, shift);
        state.lastSeq = to + shift;
        sentUpTo = firstNew - 1;
      }
      const measured = (w.time as number) - ((w.echo as number) + t1) / 2;
      if (platform.setClock && Math.abs(measured) >= option(o.clockThresholdMs, 1000)) platform.setClock(platform.now() + measured);
      ring.settle(durable);
      if (durable > state.lastSeq) state.lastSeq = durable;
      const lim = (w.lim || {}) as Doc;
      batchLimit = Math.min(batchLimit, option(lim.batch as number, 500));
      emit("welcome", durable);
    };

    const onCommand = (f: Frame): void => {
      const id = f.id as string;
      if (state.ran.indexOf(id) >= 0) {
        // Run before this wake (its cmd_ack was lost): acknowledge, never run twice.
        queue({ t: "cmd_ack", id: id });
        return;
      }
      state.ran.push(id);
      if (state.ran.length > RAN_IDS) state.ran.shift();
      commands.command(id, f.name as string, (f.args || {}) as Doc);
    };

    const onFrame = (f: Frame, t1: number): void => {
      const t = f.t;
      const seq = f.seq as number;
      if (t === "welcome") onWelcome(f, t1);
      else if (t === "ack") {
        ring.settle(seq);
        emit("ack", seq);
      } else if (t === "error") {
        const numbered = typeof seq === "number";
        emit("error", f.code as string, numbered ? seq : null);
        if (!numbered)
          sid = ""; // the session may have ended: the next request says hello again
        else if (typeof f.retry === "number" || RETRYABLE_REFUSALS.indexOf(f.code as string) >= 0) paused = true;
        else {
          ring.discard(seq);
          emit("rejected", f.code as string, seq);
        }
      } else if (t === "cmd") onCommand(f);
      else if (t === "cmd_done") commands.done(f.id as string);
      else if (t === "config") {
        const version = f.v as number;
        const ack: Frame = { t: "config_ack", v: version, ok: true };
        if (version > configVersion) {
          try {
            if (o.onConfig) o.onConfig(f.d as Doc, version);
            configVersion = version;
          } catch (error) {
            ack.ok = false;
            ack.err = String(error);
          }
        }
        queue(ack);
      }
    };

    const post = (): void => {
      let body = "";
      const t0 = platform.now();
      if (!sid) {
        const hello: Frame = {
          t: "hello",
          v: 1,
          fw: o.fw || "0.0.0",
          model: o.model || "espruino",
          time: t0,
          ivl: Math.round(o.sleepMs * 1.1) + 30000,
        };
        if (o.attrs) hello.attrs = o.attrs;
        if (configVersion > 0) hello.cfg = configVersion;
        body = cborEncode(hello);
        sentUpTo = 0;
      }
      for (let n = 0; sampled && !paused && n < option(o.maxBatches, 3); n++) {
        let seq = ring.nextBatch(sentUpTo);
        if (seq === 0) {
          if (ring.unbatched() === 0) break;
          seq = ++state.lastSeq;
          if (!firstNew) firstNew = seq;
          ring.assignBatch(seq, batchLimit);
        }
        body += encodeBatch(ring, seq, 0, false);
        sentUpTo = seq;
      }
      const sending = state.outbox;
      const ranSent = state.ran.slice();
      state.outbox = [];
      body += sending.join("");
      requests++;
      postFrames(
        platform.http,
        address,
        "?wait=0" + (sid ? "&sid=" + sid : ""),
        auth,
        body,
        option(o.requestTimeoutMs, 10000),
        (status, code, data) => {
          const t1 = platform.now();
          if (status === 200) {
            answered = true;
            try {
              cborEach(data, (f) => onFrame(f as Frame, t1));
            } catch (error) {
              emit("error", "TH_FRAME_MALFORMED", String(error));
            }
            // Their cmd_acks have arrived: the hub sends those commands no more (one it sent again in this answer was acknowledged again).
            state.ran = state.ran.filter((id) => ranSent.indexOf(id) < 0);
          } else {
            emit("refused", status, code);
            state.outbox = sending.concat(state.outbox);
            // 404: the session expired (or the hub restarted): hello again. Anything else: the next wake.
            if (status !== 404) requests = maxRequests;
            sid = "";
          }
          if (!sampled && answered) {
            sampled = true;
            sample();
          }
          const more = !paused && sampled && (ring.nextBatch(sentUpTo) !== 0 || ring.unbatched() > 0);
          if ((state.outbox.length > 0 || more || status === 404) && requests < maxRequests) post();
          else finish();
        },
      );
    };
    post();
  };

  return {
    ring: ring,
    add: (values) => ring.add(platform.now(), values),
    wake: wake,
    configVersion: () => configVersion,
  };
}
