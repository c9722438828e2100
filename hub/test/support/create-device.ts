import assert from "node:assert/strict";

/** Register a device through the HTTP API (`POST /api/v1/devices`); returns its token. */
export async function createDevice(url: string, adminKey: string, id: string): Promise<string> {
  const response = await fetch(`${url}/api/v1/devices`, {
    method: "POST",
    headers: { authorization: `Bearer ${adminKey}`, "content-type": "application/json" },
    body: JSON.stringify({ id }),
  });
  assert.equal(response.status, 201, await response.clone().text());
  return ((await response.json()) as { token: string }).token;
}
