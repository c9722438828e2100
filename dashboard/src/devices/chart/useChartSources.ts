import { useEffect, useRef, useState } from "react";
import type { DeviceLiveState } from "../device-types";
import { fetchHistory, type History } from "../history";
import type { LiveSample, MetricSource } from "./chart-data";

/** Live readings kept per metric between two history fetches (a day of one reading a second is far more). */
const MAX_LIVE_SAMPLES = 10_000;

/**
 * The history of `metrics` over `[from, to)` in about `points` buckets, fetched again when the
 * window, `points` or `refreshKey` change; plus, while `followLive`, each new live value of those
 * metrics (from the device's live state) newer than the fetched history.
 */
export function useChartSources(options: {
  deviceId: string;
  metrics: readonly string[];
  window: { from: number; to: number } | undefined;
  points: number;
  refreshKey: number;
  live: DeviceLiveState | undefined;
  followLive: boolean;
}): { sources: MetricSource[]; bucketMs: number | undefined; error: string | undefined } {
  const { deviceId, metrics, window, points, refreshKey, live, followLive } = options;
  const [histories, setHistories] = useState<Record<string, History>>({});
  const [error, setError] = useState<string | undefined>();
  const liveSamples = useRef(new Map<string, LiveSample[]>());
  const [liveVersion, setLiveVersion] = useState(0);
  const metricsKey = metrics.join("\n");
  const from = window?.from;
  const to = window?.to;

  // biome-ignore lint/correctness/useExhaustiveDependencies: metricsKey stands for metrics; refreshKey forces a refetch
  useEffect(() => {
    if (from === undefined || to === undefined || points <= 0 || metrics.length === 0) return;
    let cancelled = false;
    Promise.all(metrics.map((metric) => fetchHistory(deviceId, metric, from, to, points))).then(
      (answers) => {
        if (cancelled) return;
        setError(undefined);
        setHistories(Object.fromEntries(answers.map((h) => [h.metric, h])));
        // Live readings the history now holds are dropped.
        for (const [metric, samples] of liveSamples.current) {
          liveSamples.current.set(
            metric,
            samples.filter((s) => s.ts >= to),
          );
        }
      },
      (failure: Error) => !cancelled && setError(failure.message),
    );
    return () => {
      cancelled = true;
    };
  }, [deviceId, metricsKey, from, to, points, refreshKey]);

  // biome-ignore lint/correctness/useExhaustiveDependencies: metricsKey stands for metrics
  useEffect(() => {
    if (!followLive || !live) return;
    let changed = false;
    for (const metric of metrics) {
      const entry = live.values[metric];
      if (!entry) continue;
      const samples = liveSamples.current.get(metric) ?? [];
      const newest = samples[samples.length - 1];
      if (newest && entry.ts <= newest.ts) continue;
      samples.push({ ts: entry.ts, value: entry.value });
      if (samples.length > MAX_LIVE_SAMPLES) samples.splice(0, samples.length - MAX_LIVE_SAMPLES);
      liveSamples.current.set(metric, samples);
      changed = true;
    }
    if (changed) setLiveVersion((v) => v + 1);
  }, [live, followLive, metricsKey]);

  const sources = useRef<MetricSource[]>([]);
  const key = useRef<unknown[]>([]);
  // A new array only when something changed, so the chart's data is rebuilt only then.
  if (key.current[0] !== histories || key.current[1] !== liveVersion || key.current[2] !== metricsKey) {
    key.current = [histories, liveVersion, metricsKey];
    sources.current = metrics.map((metric) => ({ history: histories[metric], live: [...(liveSamples.current.get(metric) ?? [])] }));
  }
  const bucketMs = metrics.map((m) => histories[m]?.bucketMs).find((b) => b !== undefined);
  return { sources: sources.current, bucketMs, error };
}
