import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { ApiError, type ApiErrorCode } from "./api-errors.js";
import { isStoreUnavailable } from "./store-availability.js";

const FASTIFY_CODES: Record<string, ApiErrorCode> = {
  FST_ERR_CTP_BODY_TOO_LARGE: "TH_API_PAYLOAD_TOO_LARGE",
  FST_ERR_CTP_INVALID_MEDIA_TYPE: "TH_API_UNSUPPORTED_MEDIA_TYPE",
  FST_ERR_CTP_EMPTY_JSON_BODY: "TH_API_MALFORMED_BODY",
  FST_ERR_CTP_INVALID_JSON_BODY: "TH_API_MALFORMED_BODY",
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: "TH_API_MALFORMED_BODY",
};

/** Translate anything a route or Fastify throws into a catalogue error. */
export function toApiError(error: FastifyError | Error): ApiError {
  if (error instanceof ApiError) return error;
  const fastifyError = error as Partial<FastifyError>;
  if (fastifyError.validation) {
    const context = fastifyError.validationContext;
    const details = fastifyError.validation.map((issue) => ({
      in: context,
      path: issue.instancePath,
      message: issue.message,
      params: issue.params,
    }));
    return new ApiError("TH_API_VALIDATION", error.message, details);
  }
  const mapped = fastifyError.code === undefined ? undefined : FASTIFY_CODES[fastifyError.code];
  if (mapped) return new ApiError(mapped, error.message);
  if ((error as { alarmsUnavailable?: unknown }).alarmsUnavailable === true)
    return new ApiError("TH_API_ALARMS_UNAVAILABLE", error.message);
  if (isStoreUnavailable(error)) return new ApiError("TH_API_STORE_UNAVAILABLE");
  // Body parser errors (a JSON SyntaxError) carry 400 without one of the codes above.
  if (fastifyError.statusCode === 400) return new ApiError("TH_API_MALFORMED_BODY", error.message);
  if (fastifyError.statusCode === 413) return new ApiError("TH_API_PAYLOAD_TOO_LARGE", error.message);
  return new ApiError("TH_API_INTERNAL");
}

/**
 * Make every error of an encapsulated context answer with the catalogue's body. Set per
 * context (not on the root) so that other parts of the server keep their own.
 */
export function installErrorHandler(http: FastifyInstance): void {
  http.setErrorHandler((error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    const apiError = toApiError(error);
    if (apiError.statusCode >= 500) request.log.error({ err: error, code: apiError.code }, "request failed");
    if (apiError.code === "TH_API_UNAUTHORIZED") void reply.header("WWW-Authenticate", 'Bearer realm="telehub"');
    return reply.code(apiError.statusCode).send(apiError.toBody());
  });
}

/**
 * Fastify's `frameworkErrors`: errors the router meets before any route or context is chosen
 * (a malformed percent-encoding in the URL, a path parameter over the router's 100 characters),
 * answered with the catalogue's `TH_API_VALIDATION` instead of Fastify's own body and 414.
 */
export function answerFrameworkError(error: FastifyError, _request: FastifyRequest, reply: FastifyReply): void {
  const apiError = new ApiError("TH_API_VALIDATION", error.message);
  void reply.code(apiError.statusCode).send(apiError.toBody());
}

/** Answer unmatched routes under the context's prefix with `TH_API_ROUTE_NOT_FOUND`. */
export function installNotFoundHandler(http: FastifyInstance): void {
  http.setNotFoundHandler((request: FastifyRequest, reply: FastifyReply) => {
    const error = new ApiError("TH_API_ROUTE_NOT_FOUND", `no route ${request.method} ${request.url.split("?")[0]}`);
    return reply.code(error.statusCode).send(error.toBody());
  });
}
