import { Ajv, type ErrorObject } from "ajv";
import type { FastifyRequest } from "fastify";
import { ApiError } from "./api-errors.js";

const ajv = new Ajv({ allErrors: false, strict: false, logger: false });

function describe(error: ErrorObject): string {
  if (error.keyword === "additionalProperties") {
    return `${error.instancePath || "body"} has unknown field ${(error.params as { additionalProperty: string }).additionalProperty}`;
  }
  return `body${error.instancePath} ${error.message ?? "is invalid"}`;
}

/**
 * A `preValidation` hook that checks the body against `schema` as it came: Fastify's own
 * validator drops unknown nested fields silently and coerces types (`"2"` becomes 2), which hides
 * a misspelt field deep in a document such as a profile. A break is `TH_API_VALIDATION`, as
 * Fastify's would be.
 */
export function strictBody(schema: object): (request: FastifyRequest) => Promise<void> {
  const validate = ajv.compile(schema);
  return async (request) => {
    if (validate(request.body)) return;
    const errors = validate.errors ?? [];
    throw new ApiError(
      "TH_API_VALIDATION",
      errors[0] ? describe(errors[0]) : "body does not match the schema",
      errors.map((error) => ({ in: "body", path: error.instancePath, message: error.message, params: error.params })),
    );
  };
}
