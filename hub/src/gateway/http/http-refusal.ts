import type { ServerResponse } from "node:http";
import type { AdmissionRefusal } from "../device-admission.js";
import { statusOf } from "../upgrade-refusal.js";

/**
 * Answer an HTTP transport request with a refusal, as a refused upgrade is answered (docs/protocol.md
 * §1.2, §10): the status, `X-Telehub-Error: CODE`, a JSON body `{"error":{"code","message"}}`, and
 * `Retry-After` where the code has one. The connection stays usable (no `Connection: close`).
 */
export function writeRefusal(res: ServerResponse, refusal: AdmissionRefusal): void {
  if (res.headersSent || res.destroyed) return;
  const body = JSON.stringify({ error: { code: refusal.code, message: refusal.message } });
  const headers: Record<string, string | number> = {
    "Content-Type": "application/json",
    "Content-Length": Buffer.byteLength(body),
    "Cache-Control": "no-store",
    "X-Telehub-Error": refusal.code,
  };
  if (refusal.retryAfterS !== undefined) headers["Retry-After"] = refusal.retryAfterS;
  res.writeHead(refusal.status ?? statusOf(refusal.code), headers);
  res.end(body);
}
