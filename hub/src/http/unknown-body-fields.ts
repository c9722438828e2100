import type { FastifyInstance } from "fastify";
import { ApiError } from "./api-errors.js";

interface NodeSchema {
  additionalProperties?: unknown;
  properties?: Record<string, NodeSchema>;
  items?: NodeSchema;
}

/** A field the schema does not name, where the schema says `additionalProperties: false`. */
interface UnknownField {
  /** JSON pointer of the object holding it (`""` for the body itself). */
  at: string;
  field: string;
  allowed: string[];
}

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === "object" && !Array.isArray(value);

/** Every unknown field of `value`, at any depth the schema describes with `properties` and `items`. */
function unknownFields(schema: NodeSchema | undefined, value: unknown, at = ""): UnknownField[] {
  if (schema === undefined || value === null || typeof value !== "object") return [];
  if (Array.isArray(value)) return schema.items ? value.flatMap((item, i) => unknownFields(schema.items, item, `${at}/${i}`)) : [];
  const properties = schema.properties ?? {};
  const allowed = Object.keys(properties);
  const found: UnknownField[] = [];
  for (const [field, child] of Object.entries(value)) {
    if (field in properties) found.push(...unknownFields(properties[field], child, `${at}/${field}`));
    else if (schema.additionalProperties === false) found.push({ at, field, allowed });
  }
  return found;
}

/**
 * Refuse body fields a route's schema does not name (where it says `additionalProperties: false`),
 * at any depth: Fastify's validator would silently drop them, so a misspelt field (`nmae`, or
 * `unti` in a profile's metric) would "succeed".
 */
export function refuseUnknownBodyFields(http: FastifyInstance): void {
  http.addHook("preValidation", async (request) => {
    const body = request.body;
    if (!isPlainObject(body)) return;
    const unknown = unknownFields(request.routeOptions.schema?.body as NodeSchema | undefined, body);
    const first = unknown[0];
    if (!first) return;
    const here = unknown.filter((entry) => entry.at === first.at).map((entry) => entry.field);
    throw new ApiError(
      "TH_API_VALIDATION",
      `body${first.at} has unknown field${here.length > 1 ? "s" : ""} ${here.join(", ")}; allowed: ${first.allowed.join(", ")}`,
      unknown.map(({ at, field }) => ({ in: "body", path: `${at}/${field}`, message: "is not allowed" })),
    );
  });
}
