import { BENCH_HUB_ENV } from "./ingest-scenario.js";

/**
 * The benchmark hub's settings for the HTTP transport scenarios, both sides alike: the ingest
 * scenario's (rate limits opened up, no per-address caps) and no per-address cap on held polls
 * (`gateway.http.maxPollsPerAddress`, 1,000 by default): every bench device polls from loopback,
 * one address, as the per-address handshake and connection caps are lifted for the same reason.
 */
export const HTTP_BENCH_HUB_ENV: Record<string, string> = {
  ...BENCH_HUB_ENV,
  TELEHUB_GATEWAY_HTTP_MAX_POLLS_PER_ADDRESS: "0",
};
