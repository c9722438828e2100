import pino from "pino";
import type { HubConfig } from "./config/hub-config.js";

/** Paths pino blanks in every log line: credentials never reach the logs. */
export const REDACTED_PATHS = [
  "req.headers.authorization",
  "req.headers.cookie",
  'req.headers["sec-websocket-protocol"]',
  "token",
  "*.token",
  "secret",
  "*.secret",
  "key",
  "*.key",
];

/** Strip query values from a URL for logging (a device may carry its token in the query). */
export function redactUrl(url: string): string {
  const at = url.indexOf("?");
  if (at < 0) return url;
  const params = new URLSearchParams(url.slice(at + 1));
  return `${url.slice(0, at)}?${[...params.keys()].map((k) => `${k}=[redacted]`).join("&")}`;
}

/** The hub's structured logger (pino, JSON lines on stdout). */
export function createLogger(config: Pick<HubConfig, "logLevel">, destination?: pino.DestinationStream): pino.Logger {
  const options: pino.LoggerOptions = {
    level: config.logLevel,
    base: { service: "telehub-hub" },
    redact: { paths: REDACTED_PATHS, censor: "[redacted]" },
    serializers: {
      req: (req: { method: string; url: string; ip?: string; id?: string }) => ({
        id: req.id,
        method: req.method,
        url: redactUrl(req.url),
        ip: req.ip,
      }),
    },
  };
  return destination ? pino(options, destination) : pino(options);
}
