/**
 * The HTTP API's error catalogue: every error an API client can meet, with a stable code and
 * its HTTP status. `docs/api.md` documents each one; a test fails if one is missing there.
 * Every error body is `{ "error": { "code", "message", "details"? } }`.
 */
export const API_ERRORS = {
  TH_API_UNAUTHORIZED: {
    status: 401,
    description:
      "No credential, a malformed API key, an unknown one, a wrong secret, a revoked or expired key, a key of a disabled or deleted user, an ended or expired session, or (login) a wrong username or password.",
  },
  TH_API_THROTTLED: {
    status: 429,
    description:
      "Too many failed authentications of this credential (or of many credentials) from this address; retry after `Retry-After` seconds.",
  },
  TH_API_FORBIDDEN: {
    status: 403,
    description: "The caller's role does not allow this request, or a key would get a role above its creator's.",
  },
  TH_API_CSRF: {
    status: 403,
    description:
      "A POST, PUT, PATCH or DELETE authenticated by the session cookie lacks the session's `X-CSRF-Token` header, or it is wrong.",
  },
  TH_API_NOT_FOUND: {
    status: 404,
    description:
      "The device, API key, profile (or profile version), alarm rule, alarm, notification channel or delivery named in the path does not exist, or a backtest's `deviceId` names no device.",
  },
  TH_API_ROUTE_NOT_FOUND: { status: 404, description: "No route matches this method and path." },
  TH_API_VALIDATION: { status: 400, description: "A path parameter, query parameter or body field broke the route's schema or a limit." },
  TH_API_MALFORMED_BODY: {
    status: 400,
    description: "The body is not valid JSON, is empty where JSON was announced, or nests deeper than `api.maxJsonDepth`.",
  },
  TH_API_CONFLICT: { status: 409, description: "The request conflicts with the current state, e.g. a device id that is taken." },
  TH_API_LAST_ADMIN_KEY: { status: 409, description: "Revoking this key would leave no active admin key and no active admin user." },
  TH_API_LAST_ADMIN: { status: 409, description: "Deleting, disabling or demoting this user would leave no active admin user." },
  TH_API_WRONG_PASSWORD: { status: 400, description: "`currentPassword` of a password change is not the user's password." },
  TH_API_COMMAND_NOT_CANCELLABLE: {
    status: 409,
    description: "The command already reached the device or is final; only queued or sent commands can be cancelled.",
  },
  TH_API_COMMAND_ARGS_INVALID: {
    status: 400,
    description:
      "The command's `args` do not fit the `args` schema the device's profile gives the command; the message has the first error.",
  },
  TH_API_PROFILE_INVALID: {
    status: 400,
    description:
      "The profile breaks a rule between its fields (a chart metric not in `metrics`, a name listed twice, a kind that does not fit the type, an `args` schema ajv cannot compile, …); the message names the field.",
  },
  TH_API_PROFILE_UNKNOWN: { status: 400, description: "The `profileId` given to a device names no profile." },
  TH_API_PROFILE_VERSION_CONFLICT: {
    status: 409,
    description: "The `version` of a profile update is not the profile's current version: someone changed it since it was read.",
  },
  TH_API_PROFILE_IN_USE: { status: 409, description: "Devices have this profile; give them another (or none) before deleting it." },
  TH_API_RULE_INVALID: {
    status: 400,
    description:
      "The alarm rule breaks a rule between its fields (levels, thresholds, hysteresis, durations, an equals level on a rate, …) or its scope names a device or profile that does not exist; the message names the field (also in `details.field`).",
  },
  TH_API_RULE_VERSION_CONFLICT: {
    status: 409,
    description: "The `version` of an alarm rule update is not the rule's current version: someone changed it since it was read.",
  },
  TH_API_RULE_LIMIT: { status: 409, description: "The hub already holds `alarms.maxRules` alarm rules; delete one first." },
  TH_API_BACKTEST_UNSUPPORTED: {
    status: 400,
    description: "The rule cannot be replayed on stored history: an offline rule (the hub keeps no connection history).",
  },
  TH_API_BACKTEST_RANGE: {
    status: 400,
    description: "The backtest's `to` is not after its `from`, or the range is longer than `alarms.maxBacktestRangeMs`.",
  },
  TH_API_CHANNEL_INVALID: {
    status: 400,
    description:
      "The notification channel's settings do not fit its kind or break a rule (an e-mail address, an http(s) URL, a rate limit, plain SMTP to a host that is not loopback, …); the message names the field (also in `details.field`).",
  },
  TH_API_CHANNEL_VERSION_CONFLICT: {
    status: 409,
    description: "The `version` of a channel update is not the channel's current version: someone changed it since it was read.",
  },
  TH_API_CHANNEL_LIMIT: {
    status: 409,
    description: "The hub already holds `notifications.maxChannels` notification channels; delete one first.",
  },
  TH_API_COMMAND_QUEUE_FULL: {
    status: 429,
    description: "The device has `commands.maxQueuedPerDevice` commands waiting; retry once some are delivered.",
  },
  TH_API_PAYLOAD_TOO_LARGE: { status: 413, description: "The body exceeds the hub's body limit." },
  TH_API_PREFERENCES_TOO_LARGE: { status: 413, description: "The preferences document is larger than 16 KiB (16,384 bytes of JSON)." },
  TH_API_UNSUPPORTED_MEDIA_TYPE: { status: 415, description: "The body's Content-Type is not `application/json`." },
  TH_API_LIVE_FULL: { status: 503, description: "The hub holds `live.maxSubscribers` live connections; retry later." },
  TH_API_LIVE_CALLER_FULL: {
    status: 429,
    description: "This API key, or its user, holds `live.maxSubscribersPerCaller` live connections; close one first.",
  },
  TH_API_STORE_UNAVAILABLE: { status: 503, description: "The metadata or telemetry store cannot be reached; retry later." },
  TH_API_ALARMS_UNAVAILABLE: {
    status: 503,
    description:
      "A cluster: no instance evaluates the alarm rules now (the duty is passing to another instance), or it did not answer within `cluster.alarmRequestTimeoutMs`; retry later.",
  },
  TH_API_INTERNAL: { status: 500, description: "The hub met an unexpected condition; it is logged with the request id." },
} as const satisfies Record<string, { status: number; description: string }>;

/** A stable API error code such as `TH_API_NOT_FOUND`. */
export type ApiErrorCode = keyof typeof API_ERRORS;

/** The JSON body of every error answer. */
export interface ApiErrorBody {
  error: { code: ApiErrorCode; message: string; details?: unknown };
}

/** An error with a catalogue code; the HTTP layer turns it into its status and body. */
export class ApiError extends Error {
  readonly code: ApiErrorCode;
  readonly statusCode: number;
  readonly details: unknown;

  constructor(code: ApiErrorCode, message?: string, details?: unknown) {
    super(message ?? API_ERRORS[code].description);
    this.name = "ApiError";
    this.code = code;
    this.statusCode = API_ERRORS[code].status;
    this.details = details;
  }

  /** The error as the API sends it. */
  toBody(): ApiErrorBody {
    return {
      error:
        this.details === undefined
          ? { code: this.code, message: this.message }
          : { code: this.code, message: this.message, details: this.details },
    };
  }
}

/** JSON schema of {@link ApiErrorBody}, registered as `ApiError` for the OpenAPI document. */
export const API_ERROR_SCHEMA = {
  $id: "ApiError",
  type: "object",
  required: ["error"],
  properties: {
    error: {
      type: "object",
      required: ["code", "message"],
      properties: {
        code: { type: "string", enum: Object.keys(API_ERRORS) },
        message: { type: "string" },
        details: {},
      },
    },
  },
} as const;
