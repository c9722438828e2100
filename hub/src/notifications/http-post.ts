import { describeFailure, SendError } from "./outgoing-message.js";

/** Characters of an error answer's body kept in the attempt's error (Slack answers `invalid_token`, etc.). */
const ERROR_BODY_CHARS = 200;

/**
 * POSTs `body` to `url` and resolves on a 2xx answer; anything else throws a {@link SendError}
 * saying what came back. Redirects are not followed (a signed POST must not go elsewhere).
 */
export async function postJson(url: string, body: string, headers: Record<string, string>, signal: AbortSignal): Promise<void> {
  let response: Response;
  try {
    response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", ...headers },
      body,
      redirect: "manual",
      signal,
    });
  } catch (error) {
    throw new SendError(describeFailure(error, signal));
  }
  if (response.ok) {
    await response.body?.cancel();
    return;
  }
  if (response.status >= 300 && response.status < 400) {
    await response.body?.cancel();
    throw new SendError(`HTTP ${response.status}: a redirect, which the hub does not follow; give the final address`);
  }
  let text = "";
  try {
    text = (await response.text()).slice(0, ERROR_BODY_CHARS).replace(/\s+/g, " ").trim();
  } catch {
    // The status says enough.
  }
  throw new SendError(`HTTP ${response.status} ${response.statusText}${text ? `: ${text}` : ""}`);
}
