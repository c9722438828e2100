import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { TelehubClient } from "@telehub/device-client";
import { buildApp, type Hub, type HubConfigInput, loadConfig } from "@telehub/hub";

/** The admin key the dashboard's tests start their hubs with. */
export const ADMIN_KEY = `thk_${"cd".repeat(8)}_${"dashboard-e2e-secret-".repeat(2)}`;

/** A simulated device: the real Node device client sending a counter as `temperature`. */
export interface SimulatedDevice {
  client: TelehubClient;
  /** The last value sent. */
  last(): number;
  stop(): Promise<void>;
}

/**
 * A real hub on 127.0.0.1:0 serving the built dashboard, with its data in a temp folder, plus
 * the devices a test starts. `close()` stops the devices, then the hub, then removes the folder.
 */
export class DashboardHub {
  private readonly devices: SimulatedDevice[] = [];

  private constructor(
    readonly hub: Hub,
    readonly url: string,
    private readonly dataDir: string,
  ) {}

  static async start(overrides: HubConfigInput = {}): Promise<DashboardHub> {
    const dataDir = mkdtempSync(join(tmpdir(), "telehub-dashboard-"));
    const config = loadConfig({}, { host: "127.0.0.1", port: 0, logLevel: "silent", adminKey: ADMIN_KEY, ...overrides, dataDir });
    const hub = await buildApp(config);
    try {
      return new DashboardHub(hub, await hub.listen(), dataDir);
    } catch (error) {
      await hub.close();
      throw error;
    }
  }

  /** Call the API with a key (admin by default); answers status and JSON. */
  async api(method: string, path: string, body?: unknown, key = ADMIN_KEY): Promise<{ status: number; json: unknown }> {
    const response = await fetch(`${this.url}/api/v1${path}`, {
      method,
      headers: { authorization: `Bearer ${key}`, ...(body !== undefined && { "content-type": "application/json" }) },
      ...(body !== undefined && { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    return { status: response.status, json: text ? JSON.parse(text) : undefined };
  }

  async createKey(role: "viewer" | "operator" | "admin"): Promise<string> {
    const { status, json } = await this.api("POST", "/api-keys", { name: `${role} (test)`, role });
    if (status !== 201) throw new Error(`could not create a ${role} key: ${JSON.stringify(json)}`);
    return (json as { key: string }).key;
  }

  /** Create a user through the API (with the admin key); answers its id. */
  async createUser(user: {
    username: string;
    role: "viewer" | "operator" | "admin";
    password: string;
    name?: string;
    email?: string;
  }): Promise<string> {
    const { status, json } = await this.api("POST", "/users", user);
    if (status !== 201) throw new Error(`could not create user ${user.username}: ${JSON.stringify(json)}`);
    return (json as { id: string }).id;
  }

  async createDevice(id: string, name = id): Promise<string> {
    const { status, json } = await this.api("POST", "/devices", { id, name });
    if (status !== 201) throw new Error(`could not create device ${id}: ${JSON.stringify(json)}`);
    return (json as { token: string }).token;
  }

  /**
   * Register (unless `token` is given) and connect a device that sends `temperature` (a counter)
   * every `intervalMs`, timestamped `lagMs` in the past (default 0: now), obeys
   * `set_setpoint {setpoint}` and applies any desired configuration.
   */
  async startDevice(id: string, options: { intervalMs?: number; token?: string; lagMs?: number } = {}): Promise<SimulatedDevice> {
    const token = options.token ?? (await this.createDevice(id, `Thermostat ${id}`));
    const client = new TelehubClient({
      url: this.url,
      deviceId: id,
      token,
      firmware: "e2e-1.0.0",
      model: "sim-thermostat",
      batchIntervalMs: 50,
    });
    let value = 20;
    let setpoint = 21;
    client.onCommand("set_setpoint", (args) => {
      if (typeof args.setpoint !== "number") throw new Error("set_setpoint takes {setpoint: number}");
      setpoint = args.setpoint;
      return { setpoint };
    });
    client.onConfig(() => undefined);
    await client.connect();
    const timer = setInterval(() => {
      value = Math.round((value + 0.5) * 10) / 10;
      client.send({ temperature: value, setpoint }, Date.now() - (options.lagMs ?? 0));
    }, options.intervalMs ?? 250);
    const device: SimulatedDevice = {
      client,
      last: () => value,
      async stop() {
        clearInterval(timer);
        await client.close({ timeoutMs: 1_000 }).catch(() => undefined);
      },
    };
    this.devices.push(device);
    return device;
  }

  async close(): Promise<void> {
    await Promise.all(this.devices.map((device) => device.stop()));
    await this.hub.close();
    rmSync(this.dataDir, { recursive: true, force: true });
  }
}
