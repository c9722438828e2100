import type { ProfileDefinition } from "../../src/profiles/profile.js";

/** An answer of the hub over real HTTP: status, JSON body, headers. */
export interface HttpAnswer {
  status: number;
  // biome-ignore lint/suspicious/noExplicitAny: tests read whatever JSON the route answers; the routes' schemas type it.
  body: any;
  headers: Headers;
}

/** Call the API of a listening hub with fetch and a Bearer key. */
export async function httpApi(baseUrl: string, key: string, method: string, path: string, body?: unknown): Promise<HttpAnswer> {
  const response = await fetch(`${baseUrl}/api/v1${path}`, {
    method,
    headers: { authorization: `Bearer ${key}`, ...(body !== undefined && { "content-type": "application/json" }) },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, body: text === "" ? undefined : JSON.parse(text), headers: response.headers };
}

/** A small valid profile to vary in tests. */
export function sampleProfile(id: string, overrides: Partial<ProfileDefinition> = {}): ProfileDefinition {
  return {
    id,
    name: `Profile ${id}`,
    metrics: [
      { name: "temperature", type: "number", kind: "gauge", unit: "°C", decimals: 1, range: { min: -20, max: 60 } },
      { name: "door", type: "string", kind: "state", states: ["open", "closed"] },
    ],
    commands: [
      {
        name: "set_point",
        description: "target temperature",
        args: {
          type: "object",
          required: ["celsius"],
          properties: { celsius: { type: "number", minimum: 5, maximum: 30 } },
          additionalProperties: false,
        },
      },
      { name: "ping" },
    ],
    layout: {
      charts: [
        { title: "Temperature", metrics: ["temperature"] },
        { title: "Door", metrics: ["door"], shown: false },
      ],
    },
    ...overrides,
  };
}
