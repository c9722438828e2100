import { readFile } from "node:fs/promises";
import { join } from "node:path";
import fastifyStatic from "@fastify/static";
import type { FastifyInstance, FastifyReply } from "fastify";
import type { HubConfig } from "../config/hub-config.js";
import { ApiError } from "../http/api-errors.js";
import { dashboardDir, isBuilt } from "./dashboard-dir.js";

/**
 * The dashboard's Content-Security-Policy: scripts and connections (API, live WebSocket and
 * SSE) only from this origin; inline styles because MUI (emotion) injects `<style>` tags.
 */
export const DASHBOARD_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "object-src 'none'",
].join("; ");

/** Paths that are never the single-page app (the API and its docs, the WebSockets, the probes; `/docs`, a common guess for the API docs). */
const NOT_THE_APP = /^\/(api|v1|healthz|readyz|metrics|docs)(\/|$|\?)/;

const NOT_BUILT_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Telehub: dashboard not built</title></head>
<body style="font-family: sans-serif; max-width: 40em; margin: 4em auto">
<h1>The dashboard is not built</h1>
<p>This hub serves its API and devices, but found no built dashboard. Run <code>npm run build</code>
(or <code>npm start</code>) in the repository, or point <code>TELEHUB_DASHBOARD_DIR</code> at a built one.</p>
</body></html>
`;

async function sendIndex(dir: string, reply: FastifyReply): Promise<FastifyReply> {
  void reply.header("cache-control", "no-cache").header("content-security-policy", DASHBOARD_CSP).type("text/html; charset=utf-8");
  if (!isBuilt(dir)) return reply.code(503).header("retry-after", "60").send(NOT_BUILT_PAGE);
  return reply.send(await readFile(join(dir, "index.html")));
}

/**
 * Serve the built dashboard at `/`: `index.html` (never cached: it names the current assets),
 * `/assets/*` (content-hashed names: cached for a year, immutable; brotli or gzip from the
 * build's precompressed files when the browser accepts them), and `index.html` again for
 * any other page path (the app routes in the browser). Without a build, `/` answers 503 with
 * a page that says to run `npm run build`. Not part of the API: no key needed (the app logs in).
 */
export async function serveDashboard(http: FastifyInstance, config: HubConfig["dashboard"]): Promise<void> {
  if (!config.enabled) return;
  const dir = dashboardDir(config.dir);
  if (isBuilt(dir)) {
    await http.register(fastifyStatic, {
      root: join(dir, "assets"),
      prefix: "/assets/",
      decorateReply: false,
      index: false,
      immutable: true,
      maxAge: "365d",
      // The build writes .br and .gz beside each script and stylesheet.
      preCompressed: true,
      schemaHide: true,
    });
  }
  http.get(
    "/",
    {
      schema: {
        tags: ["dashboard"],
        summary: "The operator dashboard (HTML)",
        description: "The single-page app; 503 with a hint when the dashboard is not built. Not part of the API.",
        security: [],
        response: { 200: { type: "string", description: "text/html" } },
      },
    },
    (_request, reply) => sendIndex(dir, reply),
  );
  http.get("/index.html", { schema: { hide: true } }, (_request, reply) => sendIndex(dir, reply));
  http.setNotFoundHandler((request, reply) => {
    const path = request.url.split("?")[0] ?? "/";
    const isPage = (request.method === "GET" || request.method === "HEAD") && !NOT_THE_APP.test(path) && !/\.[A-Za-z0-9]+$/.test(path);
    if (isPage) return sendIndex(dir, reply);
    const error = new ApiError("TH_API_ROUTE_NOT_FOUND", `no route ${request.method} ${path}`);
    return reply.code(error.statusCode).send(error.toBody());
  });
}
