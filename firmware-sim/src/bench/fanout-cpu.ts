import { cpuTimeMs } from "./process-stats.js";

/**
 * A process's CPU use (user + system, % of one core) from `delayMs` from now (the end of a
 * warm-up) until `stop()`.
 */
export function cpuAfter(pid: number, delayMs: number): { stop(): number } {
  let from: { cpuMs: number; at: number } | undefined;
  const timer = setTimeout(() => {
    from = { cpuMs: cpuTimeMs(pid), at: performance.now() };
  }, delayMs);
  return {
    stop: () => {
      clearTimeout(timer);
      if (!from) return Number.NaN;
      return ((cpuTimeMs(pid) - from.cpuMs) / (performance.now() - from.at)) * 100;
    },
  };
}
