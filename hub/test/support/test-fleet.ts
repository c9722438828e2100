import assert from "node:assert/strict";
import { callApi } from "./api-client.js";
import type { RunningHub } from "./hub-fixture.js";
import { isRefusal, RawDevice } from "./raw-device.js";

/** Devices registered through the API (POST /api/v1/devices, admin key) once, then connected as often as a test needs. */
export class TestFleet {
  private readonly tokens = new Map<string, string>();

  constructor(private readonly running: RunningHub) {}

  /** Register a device (with labels); answers its token. */
  async register(deviceId: string, labels: Record<string, string> = {}): Promise<string> {
    const created = await callApi(this.running.hub, "POST", "/api/v1/devices", { id: deviceId, labels });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const token = created.body.token as string;
    this.tokens.set(deviceId, token);
    return token;
  }

  /** Connect the device (registered first if it is new) and wait for its welcome. */
  async connect(deviceId: string): Promise<RawDevice> {
    const token = this.tokens.get(deviceId) ?? (await this.register(deviceId));
    const device = await RawDevice.connect(this.running.wsUrl, { deviceId, token });
    if (isRefusal(device)) assert.fail(`refused: ${device.code}`);
    await device.hello();
    return device;
  }
}
