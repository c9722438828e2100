import type { FastifyInstance } from "fastify";
import { ApiError } from "./api-errors.js";
import { nonFinitePath } from "./finite-numbers.js";

/**
 * Deepest nesting of arrays and objects in `text` (a top-level `{}` is 1), counted without
 * recursion and without parsing, so that a hostile body costs one pass over its bytes.
 * Stops counting (and returns the depth reached) as soon as it passes `limit`.
 */
export function jsonDepth(text: string, limit: number): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: the next character is escaped
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      depth++;
      if (depth > deepest) {
        deepest = depth;
        if (deepest > limit) return deepest;
      }
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return deepest;
}

/**
 * Replace the context's `application/json` parser with Fastify's own (prototype poisoning
 * refused) behind a nesting check: a body nested deeper than `maxDepth` is refused with
 * `TH_API_MALFORMED_BODY` before anything walks it (a deep body would otherwise overflow the
 * stack of whatever walks it first and answer 500). A number beyond a double's range (`1e400`,
 * which parses to `Infinity`) is refused the same way.
 */
export function installJsonBodyParser(http: FastifyInstance, maxDepth: number): void {
  const parse = http.getDefaultJsonParser("error", "error");
  http.removeContentTypeParser("application/json");
  http.addContentTypeParser("application/json", { parseAs: "string" }, (request, body, done) => {
    const text = body as string;
    if (jsonDepth(text, maxDepth) > maxDepth) {
      done(
        new ApiError("TH_API_MALFORMED_BODY", `the body nests arrays and objects deeper than api.maxJsonDepth (${maxDepth})`),
        undefined,
      );
      return;
    }
    parse(request, text, (error, value) => {
      const path = error ? undefined : nonFinitePath(value);
      if (path !== undefined)
        done(new ApiError("TH_API_MALFORMED_BODY", `the number at ${path} is beyond what a JSON number can hold`), undefined);
      else done(error, value);
    });
  });
}
