import { hiResNow } from "./hi-res-clock.js";

/**
 * Call `tick(device)` once a second for each of `devices` devices, phases spread over the
 * second, `seconds` times each; resolves after the last tick.
 */
export function everySecond(devices: number, seconds: number, tick: (device: number) => void): Promise<void> {
  const timers = new Set<NodeJS.Timeout>();
  return new Promise<void>((resolve) => {
    let finished = 0;
    for (let d = 0; d < devices; d++) {
      let sent = 0;
      const run = (): void => {
        tick(d);
        sent++;
        if (sent < seconds) {
          timers.add(setTimeout(run, 1_000));
        } else if (++finished === devices) {
          for (const timer of timers) clearTimeout(timer);
          resolve();
        }
      };
      timers.add(setTimeout(run, (d / devices) * 1_000));
    }
  });
}

/** A steady load: `devices` devices sending once a second for `seconds`, after `warmUpSeconds` not measured. */
export interface SteadyLoad {
  devices: number;
  seconds: number;
  warmUpSeconds: number;
}

/**
 * {@link everySecond} for the warm-up and then the measured seconds: `send` gets each device's
 * reading, `{ warmUp }` during the warm-up and `{ sentAt }` after it, both the send time on the
 * clock every process shares ({@link hiResNow}). Only `sentAt` readings are timed by the
 * receivers, so one-off costs (JIT compilation, first allocations) stay out of the figures.
 * Resolves with the number of `sentAt` readings sent.
 */
export async function sendTimedReadings(
  load: SteadyLoad,
  send: (device: number, metrics: Record<string, number>) => void,
): Promise<number> {
  const measuredFrom = performance.now() + load.warmUpSeconds * 1_000;
  let sent = 0;
  await everySecond(load.devices, load.warmUpSeconds + load.seconds, (device) => {
    const at = hiResNow();
    if (performance.now() < measuredFrom) {
      send(device, { warmUp: at });
    } else {
      sent++;
      send(device, { sentAt: at });
    }
  });
  return sent;
}
