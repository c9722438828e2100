import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { InjectOptions, LightMyRequestResponse } from "fastify";
import { buildApp, type Hub } from "../../src/app.js";
import type { HubConfig } from "../../src/config/hub-config.js";
import { loadConfig } from "../../src/config/load-config.js";
import type { Role } from "../../src/storage/api-key-repository.js";
import type { TelemetryStore } from "../../src/storage/telemetry-store.js";

/** hub/dist/test/support → hub/test/fixtures/dashboard. */
const DASHBOARD_FIXTURE = fileURLToPath(new URL("../../../test/fixtures/dashboard", import.meta.url));

/** Start of the fake clock the HTTP tests run on (2023-11-14T22:13:20Z). */
export const T0 = 1_700_000_000_000;

export interface HttpTestHubOptions {
  api?: Partial<HubConfig["api"]>;
  adminKey?: string;
  /** Reuse a data folder (to test a restart); it is then not removed on close. */
  dataDir?: string;
  alarms?: Partial<HubConfig["alarms"]>;
  notifications?: Partial<HubConfig["notifications"]>;
  /** A telemetry store to use instead of the embedded one (closed with the hub). */
  telemetry?: TelemetryStore;
}

export interface RequestOptions {
  /** The API key to send; default the admin key; null sends no Authorization header. */
  key?: string | null;
  body?: unknown;
  headers?: Record<string, string>;
}

/** A hub on real SQLite in a temp folder, with a fake clock, for `inject()` tests. */
export class HttpTestHub {
  /** The fake clock (ms since the epoch); tests move it. */
  nowMs = T0;

  private constructor(
    readonly hub: Hub,
    readonly dataDir: string,
    private readonly ownsDataDir: boolean,
  ) {}

  static async start(options: HttpTestHubOptions = {}): Promise<HttpTestHub> {
    const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), "telehub-http-"));
    const config = loadConfig(
      {},
      {
        dataDir,
        port: 0,
        host: "127.0.0.1",
        logLevel: "silent",
        adminKey: options.adminKey ?? "",
        // The table-driven tests fail authentication hundreds of times from one address on a frozen clock.
        security: { authFailuresPerMinute: 1_000_000, authFailuresPerAddressPerMinute: 1_000_000 },
        // A stand-in for the built dashboard, so that `GET /` does not depend on `npm run build`.
        dashboard: { dir: DASHBOARD_FIXTURE },
        ...(options.api ? { api: options.api } : {}),
        ...(options.alarms ? { alarms: options.alarms } : {}),
        ...(options.notifications ? { notifications: options.notifications } : {}),
      },
    );
    let testHub: HttpTestHub | undefined;
    const hub = await buildApp(config, { now: () => testHub?.nowMs ?? T0, ...(options.telemetry ? { telemetry: options.telemetry } : {}) });
    testHub = new HttpTestHub(hub, dataDir, options.dataDir === undefined);
    return testHub;
  }

  /** The admin key generated at start (fails if none was). */
  get adminKey(): string {
    if (!this.hub.generatedAdminKey) throw new Error("no admin key was generated");
    return this.hub.generatedAdminKey;
  }

  request(method: InjectOptions["method"], url: string, options: RequestOptions = {}): Promise<LightMyRequestResponse> {
    const key = options.key === undefined ? this.adminKey : options.key;
    const headers: Record<string, string> = { ...(key === null ? {} : { authorization: `Bearer ${key}` }), ...options.headers };
    const inject: InjectOptions = { method, url, headers };
    if (options.body !== undefined) inject.payload = options.body as InjectOptions["payload"];
    return this.hub.http.inject(inject);
  }

  /** Create a key of a role through the API; answers the full key. */
  async createKey(role: Role, name = `${role} key`): Promise<string> {
    const response = await this.request("POST", "/api/v1/api-keys", { body: { name, role } });
    if (response.statusCode !== 201) throw new Error(`could not create a key: ${response.body}`);
    return (response.json() as { key: string }).key;
  }

  /** Register a device through the API; answers its token. */
  async createDevice(id: string, body: Record<string, unknown> = {}): Promise<string> {
    const response = await this.request("POST", "/api/v1/devices", { body: { id, ...body } });
    if (response.statusCode !== 201) throw new Error(`could not create device ${id}: ${response.body}`);
    return (response.json() as { token: string }).token;
  }

  async close(): Promise<void> {
    await this.hub.close();
    if (this.ownsDataDir) rmSync(this.dataDir, { recursive: true, force: true });
  }
}

/** Assert-friendly view of an error answer. */
export function errorOf(response: LightMyRequestResponse): { status: number; code: string } {
  const body = response.json() as { error?: { code?: string } };
  return { status: response.statusCode, code: body.error?.code ?? "(no error code)" };
}
