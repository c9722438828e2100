/** A device's credentials as the hub issued them. */
export interface DeviceCredentials {
  deviceId: string;
  token: string;
}

/** Create `count` devices through the hub's HTTP API (`POST /api/v1/devices`), a few requests at a time. */
export async function provisionDevices(hubUrl: string, adminKey: string, prefix: string, count: number): Promise<DeviceCredentials[]> {
  const created: DeviceCredentials[] = [];
  const concurrency = 16;
  for (let start = 0; start < count; start += concurrency) {
    const ids = Array.from({ length: Math.min(concurrency, count - start) }, (_, i) => `${prefix}${start + i + 1}`);
    const results = await Promise.all(
      ids.map(async (id) => {
        const response = await fetch(`${hubUrl}/api/v1/devices`, {
          method: "POST",
          headers: { authorization: `Bearer ${adminKey}`, "content-type": "application/json" },
          body: JSON.stringify({ id, name: id }),
        });
        if (response.status !== 201) throw new Error(`creating ${id}: HTTP ${response.status} ${await response.text()}`);
        const body = (await response.json()) as { token: string };
        return { deviceId: id, token: body.token };
      }),
    );
    created.push(...results);
  }
  return created;
}
