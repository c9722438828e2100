import { runInNewContext } from "node:vm";
import type { EspruinoHttp } from "../http-post.js";

/*
 * A simulated ESP32 for the deep-sleep bundle: each `boot()` runs the bundle from the top in a
 * fresh V8 context (a new interpreter: nothing of the last boot's RAM survives), with stand-ins
 * for Espruino's built-ins, until the code calls `ESP32.deepSleep(us)`; the boot's timers are
 * then cleared, as deep sleep resets the chip. Only the Storage files survive from boot to boot.
 * Storage follows Espruino's rule that writing a file with the contents it already has writes
 * nothing to flash; every other write is counted (the flash wear figures in docs/esp32.md).
 * The device clock is the host's plus a skew, which `setTime` changes in whole seconds (the
 * ESP32 port drops the fraction); it survives deep sleep, as ESP-IDF's RTC time does.
 */

export interface DeepSleepBoardOptions {
  /** The minified bundle (`buildBundle(SLEEP_ENTRY)`). */
  code: string;
  /** `require("http")`: the adapter of `espruino-http-adapter.ts`. */
  http: EspruinoHttp;
  /** Storage files to start with (JSON files as objects, others as binary strings). */
  files?: Record<string, unknown>;
  /** The device clock minus the host's at power-up (ms). Default 0. */
  clockSkewMs?: number;
  /** The readings `E.getTemperature()` gives, one per call (then the last one again). */
  temperatures?: number[];
}

/** Flash writes, counted as Espruino makes them (identical rewrites are not writes). */
export interface StorageLog {
  writes: number;
  bytes: number;
  /** Writes per file name. */
  byFile: Record<string, number>;
}

/** One boot, from power-up or wake to `deepSleep`. */
export interface Boot {
  /** The argument of `ESP32.deepSleep` (µs). */
  sleepUs: number;
  /** Lines `print` wrote. */
  printed: string[];
  /** Temperatures taken during this boot. */
  taken: number[];
}

export class DeepSleepBoard {
  /** Storage: file name → contents (a binary string; JSON files as their text). */
  readonly files = new Map<string, string>();
  readonly storageLog: StorageLog = { writes: 0, bytes: 0, byFile: {} };
  /** Every temperature `E.getTemperature()` gave, over all boots. */
  readonly taken: number[] = [];
  /** Boots so far. */
  boots = 0;
  private skew: number;
  private next = 0;

  constructor(private readonly options: DeepSleepBoardOptions) {
    this.skew = options.clockSkewMs ?? 0;
    for (const [name, value] of Object.entries(options.files ?? {}))
      this.files.set(name, typeof value === "string" ? value : JSON.stringify(value));
  }

  /** The device clock now (ms). */
  now(): number {
    return Date.now() + this.skew;
  }

  /** Run the bundle until it deep-sleeps; rejects after `timeoutMs` without `deepSleep`. */
  boot(timeoutMs = 30_000): Promise<Boot> {
    this.boots++;
    const timers = new Set<NodeJS.Timeout>();
    const printed: string[] = [];
    const taken: number[] = [];
    let asleep = false;
    const created = (name: string, size: number): void => {
      this.storageLog.writes++;
      this.storageLog.bytes += size;
      this.storageLog.byFile[name] = (this.storageLog.byFile[name] ?? 0) + 1;
    };
    const write = (name: string, data: string): void => {
      if (this.files.get(name) === data) return;
      this.files.set(name, data);
      created(name, data.length);
    };
    const storage = {
      read: (name: string) => this.files.get(name),
      // Espruino: offset 0 creates the file at `size` (erased bytes, 0xff) unless it is written whole with what it holds; later pieces fill it.
      write: (name: string, data: unknown, offset = 0, size?: number) => {
        const text = String(data);
        if (size === undefined || (offset === 0 && size === text.length)) return write(name, text);
        const old = offset === 0 ? "\xff".repeat(size) : (this.files.get(name) ?? "");
        if (offset === 0) created(name, size);
        this.files.set(name, old.slice(0, offset) + text + old.slice(offset + text.length));
      },
      readJSON: (name: string) => {
        const text = this.files.get(name);
        return text === undefined ? undefined : JSON.parse(text);
      },
      writeJSON: (name: string, data: unknown) => write(name, JSON.stringify(data)),
    };
    const temperatures = this.options.temperatures ?? [21.5];
    return new Promise<Boot>((resolve, reject) => {
      const limit = setTimeout(() => {
        asleep = true;
        for (const t of timers) clearTimeout(t);
        reject(new Error(`no deepSleep within ${timeoutMs} ms:\n${printed.join("\n")}`));
      }, timeoutMs);
      const schedule = (f: () => void, ms: number, repeat: boolean): NodeJS.Timeout | undefined => {
        if (asleep) return undefined;
        const t = (repeat ? setInterval : setTimeout)(() => {
          if (!repeat) timers.delete(t);
          if (!asleep) f();
        }, ms);
        timers.add(t);
        return t;
      };
      const modules: Record<string, unknown> = {
        Storage: storage,
        http: this.options.http,
        Wifi: { getDetails: () => ({ rssi: -60 }) },
      };
      const board = this;
      runInNewContext(this.options.code, {
        require: (name: string) => modules[name],
        E: {
          getTemperature: () => {
            const t = temperatures[Math.min(board.next++, temperatures.length - 1)] as number;
            taken.push(t);
            board.taken.push(t);
            return t;
          },
        },
        ESP32: {
          deepSleep: (us: number) => {
            if (asleep) return;
            asleep = true;
            clearTimeout(limit);
            for (const t of timers) clearTimeout(t);
            resolve({ sleepUs: us, printed, taken });
          },
        },
        Date: { now: () => board.now() },
        setTime: (seconds: number) => {
          board.skew = Math.floor(seconds) * 1000 - Date.now();
        },
        process: { memory: () => ({ free: 4321 }), env: { VERSION: "2v29" } },
        print: (...text: unknown[]) => printed.push(text.join(" ")),
        btoa,
        setTimeout: (f: () => void, ms: number) => schedule(f, ms, false),
        setInterval: (f: () => void, ms: number) => schedule(f, ms, true),
        clearTimeout: (t: NodeJS.Timeout) => {
          clearTimeout(t);
          timers.delete(t);
        },
        clearInterval: (t: NodeJS.Timeout) => {
          clearInterval(t);
          timers.delete(t);
        },
      });
    });
  }
}
