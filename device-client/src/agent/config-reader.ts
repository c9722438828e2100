import { AgentConfigError } from "./config-error.js";

type Json = unknown;

/**
 * Reads typed values out of one JSON object of a configuration file, so that every error names
 * the file and the dotted key. Keys not read by the time {@link ConfigReader.done} is called are
 * reported as unknown (a typo must not silently fall back to a default).
 */
export class ConfigReader {
  private readonly seen = new Set<string>();
  private readonly object: Record<string, Json>;

  constructor(
    readonly file: string,
    value: Json,
    private readonly prefix = "",
  ) {
    if (value === null || typeof value !== "object" || Array.isArray(value)) {
      throw new AgentConfigError(file, prefix, `must be a JSON object, got ${describe(value)}`);
    }
    this.object = value as Record<string, Json>;
  }

  /** The error for `key` of this object. */
  error(key: string, problem: string): AgentConfigError {
    return new AgentConfigError(this.file, this.path(key), problem);
  }

  /** A non-empty string, or undefined when the key is absent. */
  string(key: string): string | undefined {
    const value = this.take(key);
    if (value === undefined) return undefined;
    if (typeof value !== "string" || value === "") throw this.error(key, `must be a non-empty string, got ${describe(value)}`);
    return value;
  }

  /** A number within `range`, or undefined when the key is absent. */
  number(key: string, range: { min: number; max: number; integer?: boolean }): number | undefined {
    const value = this.take(key);
    if (value === undefined) return undefined;
    const ok = typeof value === "number" && Number.isFinite(value) && (!range.integer || Number.isInteger(value));
    if (!ok || value < range.min || value > range.max) {
      throw this.error(
        key,
        `must be ${range.integer ? "an integer" : "a number"} from ${range.min} to ${range.max}, got ${describe(value)}`,
      );
    }
    return value;
  }

  /** `true` or `false`, or undefined when the key is absent. */
  boolean(key: string): boolean | undefined {
    const value = this.take(key);
    if (value === undefined) return undefined;
    if (typeof value !== "boolean") throw this.error(key, `must be true or false, got ${describe(value)}`);
    return value;
  }

  /** An array of non-empty strings, or undefined when the key is absent. */
  stringArray(key: string): string[] | undefined {
    const value = this.take(key);
    if (value === undefined) return undefined;
    if (!Array.isArray(value) || value.some((item) => typeof item !== "string" || item === "")) {
      throw this.error(key, `must be an array of non-empty strings, got ${describe(value)}`);
    }
    return value as string[];
  }

  /** A command: a shell line (string) or a program and its arguments (array). */
  command(key: string): string | string[] | undefined {
    const value = this.object[key];
    if (typeof value === "string") return this.string(key);
    if (Array.isArray(value) && value.length === 0) throw this.error(key, "must name a program");
    if (value === undefined || Array.isArray(value)) return this.stringArray(key);
    throw this.error(key, `must be a shell command line (string) or an array of program and arguments, got ${describe(value)}`);
  }

  /** A nested object, read by its own reader (whose `done` the caller calls). */
  section(key: string): ConfigReader | undefined {
    const value = this.take(key);
    return value === undefined ? undefined : new ConfigReader(this.file, value, this.path(key));
  }

  /** Each element of an array, as an object. */
  objects(key: string): ConfigReader[] | undefined {
    const value = this.take(key);
    if (value === undefined) return undefined;
    if (!Array.isArray(value)) throw this.error(key, `must be an array, got ${describe(value)}`);
    return value.map((item, i) => new ConfigReader(this.file, item, `${this.path(key)}[${i}]`));
  }

  /** The value of `key` as it stands in the file (marked as read). */
  raw(key: string): Json {
    return this.take(key);
  }

  /** Names of this object's keys (for maps such as `scripts`); marks them all as read. */
  keys(): string[] {
    for (const key of Object.keys(this.object)) this.seen.add(key);
    return Object.keys(this.object);
  }

  /** Fail on any key that was not read. */
  done(): void {
    for (const key of Object.keys(this.object)) {
      if (!this.seen.has(key)) throw this.error(key, "unknown key (see docs/raspberry-pi.md for the keys)");
    }
  }

  private take(key: string): Json {
    this.seen.add(key);
    return this.object[key];
  }

  private path(key: string): string {
    return this.prefix === "" ? key : `${this.prefix}.${key}`;
  }
}

function describe(value: Json): string {
  if (value === undefined) return "nothing";
  const text = JSON.stringify(value);
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}
