import type { InfluxPrecision } from "./line-protocol.js";

/** Where and how to reach InfluxDB's v1-compatible HTTP API (`/ping`, `/write`, `/query`). */
export interface InfluxConnection {
  /** Base URL, e.g. `http://127.0.0.1:8086`. */
  url: string;
  /** Database (1.x, 3.x) or bucket mapped by DBRP (2.x, Cloud). */
  database: string;
  /** Retention policy to write to; empty for the database's default. */
  retentionPolicy: string;
  /** Token (2.x, 3.x, Cloud): sent as `Authorization: Token …`; wins over username/password. */
  token: string;
  /** 1.x user (sent as `u`/`p`), empty for none. */
  username: string;
  password: string;
  precision: InfluxPrecision;
  /** Abort a request after this long. */
  requestTimeoutMs: number;
}

/** An HTTP answer other than success from InfluxDB (or no answer: `status` 0). */
export class InfluxRequestError extends Error {
  constructor(
    message: string,
    /** HTTP status, 0 when the server could not be reached. */
    readonly status: number,
    /** `Retry-After` in ms when the server sent one. */
    readonly retryAfterMs: number | undefined,
  ) {
    super(message);
    this.name = "InfluxRequestError";
  }

  /** InfluxDB cannot serve now (unreachable, 5xx, throttled, not authorised, no database): the HTTP API answers 503. */
  get storeUnavailable(): boolean {
    return this.status === 0 || this.status >= 500 || [401, 403, 404, 429].includes(this.status);
  }

  /** A 4xx about the points themselves: retrying the same body cannot succeed. */
  get isRejectedData(): boolean {
    return this.status === 400 && /partial write|field type conflict|unable to parse|invalid/i.test(this.message);
  }
}

/** One series of an InfluxQL result. */
export interface InfluxSeries {
  name: string;
  tags?: Record<string, string>;
  columns: string[];
  values: unknown[][];
}

interface QueryResponse {
  results?: { statement_id: number; series?: InfluxSeries[]; error?: string }[];
  error?: string;
}

function retryAfterOf(response: Response): number | undefined {
  const header = response.headers.get("retry-after");
  if (header === null) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

/** The three requests the hub makes, with authentication. */
export class InfluxHttp {
  constructor(private readonly connection: InfluxConnection) {}

  private endpoint(path: string, params: Record<string, string>): string {
    const { connection } = this;
    const url = new URL(path, connection.url.endsWith("/") ? connection.url : `${connection.url}/`);
    for (const [key, value] of Object.entries(params)) if (value !== "") url.searchParams.set(key, value);
    if (connection.token === "" && connection.username !== "") {
      url.searchParams.set("u", connection.username);
      url.searchParams.set("p", connection.password);
    }
    return url.toString();
  }

  private async request(url: string, init: RequestInit): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.connection.token !== "") headers.set("authorization", `Token ${this.connection.token}`);
    try {
      return await fetch(url, { ...init, headers, signal: AbortSignal.timeout(this.connection.requestTimeoutMs) });
    } catch (error) {
      throw new InfluxRequestError(`InfluxDB unreachable: ${(error as Error).message}`, 0, undefined);
    }
  }

  private async failure(response: Response, what: string): Promise<InfluxRequestError> {
    const body = (await response.text()).slice(0, 2_000);
    return new InfluxRequestError(`${what}: HTTP ${response.status} ${body}`, response.status, retryAfterOf(response));
  }

  /** `GET /ping`; resolves with the `X-Influxdb-Version` header (empty if absent). */
  async ping(): Promise<string> {
    const response = await this.request(this.endpoint("ping", {}), { method: "GET" });
    if (!response.ok) throw await this.failure(response, "ping");
    await response.arrayBuffer();
    return response.headers.get("x-influxdb-version") ?? "";
  }

  /** `POST /write` of line protocol; resolves on 2xx. */
  async write(lines: readonly string[]): Promise<void> {
    const { connection } = this;
    const url = this.endpoint("write", { db: connection.database, rp: connection.retentionPolicy, precision: connection.precision });
    const response = await this.request(url, { method: "POST", body: lines.join("\n"), headers: { "content-type": "text/plain" } });
    if (!response.ok) throw await this.failure(response, "write");
    await response.arrayBuffer();
  }

  /** `POST /query` (InfluxQL, several statements separated by `;`); one series list per statement, times in ms. */
  async query(influxql: string): Promise<InfluxSeries[][]> {
    const { connection } = this;
    const url = this.endpoint("query", { db: connection.database, rp: connection.retentionPolicy, epoch: "ms" });
    const response = await this.request(url, {
      method: "POST",
      body: new URLSearchParams({ q: influxql }),
    });
    if (!response.ok) throw await this.failure(response, "query");
    const body = (await response.json()) as QueryResponse;
    if (body.error) throw new InfluxRequestError(`query: ${body.error}`, response.status, undefined);
    return (body.results ?? []).map((result) => {
      if (result.error) throw new InfluxRequestError(`query: ${result.error}`, response.status, undefined);
      return result.series ?? [];
    });
  }
}
