/**
 * The Node.js flags the hub runs with, passed by every launcher (the `telehub-hub` bin's
 * shebang, the Dockerfile, `npm start -w @telehub/hub`, `spawnHub`); V8 reads them only at
 * start-up, so they cannot be set from inside the process.
 *
 * `--max-semi-space-size=2`: a 2 MiB young generation instead of 16 MiB. The hub allocates
 * about 10 KB per device frame, nearly all short-lived (`--trace-gc-nvp` in the live benchmark:
 * 13.7 MB allocated between scavenges 1.25 s apart at 1,000 frames/s, 118 KB of it surviving);
 * with the default, each scavenge
 * pauses the event loop for about 2 ms, and every reading arriving meanwhile waits. Smaller,
 * more frequent scavenges pause for under 1 ms: the live benchmark's p99 went from 1.66 to
 * 1.11 ms with ingest throughput unchanged (docs/benchmarks.md).
 */
export const HUB_NODE_FLAGS: readonly string[] = ["--max-semi-space-size=2"];
