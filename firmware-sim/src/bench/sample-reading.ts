import type { Reading } from "@telehub/device-client/protocol";

/** A realistic small reading (four metrics, a timestamp), the same in every scenario and its baseline. */
export function sampleReading(device: number, index: number): Reading {
  return {
    ts: 1_764_000_000_000 + index,
    m: {
      temperature: 20 + ((device + index) % 100) / 10,
      humidity: 40 + (index % 30),
      battery: 3.7 - (index % 100) / 1000,
      door_open: index % 2 === 0,
    },
  };
}
