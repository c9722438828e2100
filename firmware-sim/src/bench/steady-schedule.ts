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
 * {@link everySecond} for the warm-up and then the measured seconds; `tick` is told which part
 * a send falls in, so one-off costs (JIT compilation, first allocations) stay out of the figures.
 */
export function everySecondAfterWarmUp(load: SteadyLoad, tick: (device: number, measured: boolean) => void): Promise<void> {
  const measuredFrom = performance.now() + load.warmUpSeconds * 1_000;
  return everySecond(load.devices, load.warmUpSeconds + load.seconds, (device) => tick(device, performance.now() >= measuredFrom));
}
