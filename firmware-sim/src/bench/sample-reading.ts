import type { Reading } from "@telehub/device-client/protocol";

/** The device timestamp of a sample reading of index 0; index `i` is `i` ms later. */
export const SAMPLE_TS_BASE = 1_764_000_000_000;

/** A realistic small reading (four metrics, a timestamp), the same in every scenario and its baseline. */
export function sampleReading(device: number, index: number): Reading {
  return {
    ts: SAMPLE_TS_BASE + index,
    m: {
      temperature: 20 + ((device + index) % 100) / 10,
      humidity: 40 + (index % 30),
      battery: 3.7 - (index % 100) / 1000,
      door_open: index % 2 === 0,
    },
  };
}
