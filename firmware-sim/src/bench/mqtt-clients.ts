import mqtt, { type MqttClient } from "mqtt";

/** MQTT.js clients of one benchmark run against one broker (MQTT 3.1.1, clean sessions, no reconnects). */
export class MqttClients {
  private readonly clients: MqttClient[] = [];

  constructor(private readonly brokerUrl: string) {}

  async connect(clientId: string): Promise<MqttClient> {
    const client = await mqtt.connectAsync(this.brokerUrl, { clientId, clean: true, reconnectPeriod: 0, protocolVersion: 4 });
    this.clients.push(client);
    return client;
  }

  /** Connect `count` clients `${prefix}0 …`, `wave` at a time. */
  async connectMany(prefix: string, count: number, wave = 100): Promise<MqttClient[]> {
    const connected: MqttClient[] = [];
    for (let i = 0; i < count; i += wave) {
      const ids = Array.from({ length: Math.min(wave, count - i) }, (_, k) => `${prefix}${i + k}`);
      connected.push(...(await Promise.all(ids.map((id) => this.connect(id)))));
    }
    return connected;
  }

  /** Force-close every client. */
  async endAll(): Promise<void> {
    await Promise.all(this.clients.map((c) => c.endAsync(true)));
  }
}
