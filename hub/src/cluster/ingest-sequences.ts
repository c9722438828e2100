import type { KV } from "@nats-io/kv";
import { deviceToken } from "./device-token.js";
import { type Revised, readJson, updateJson } from "./jetstream-kv-cas.js";

/**
 * A device's entry in the sequences bucket (key: its `deviceToken`): the highest batch sequence
 * number that has left the ingest stream for InfluxDB, and its epoch, which `forgetDevice`
 * advances so that a device created again under the same id starts afresh.
 */
export interface DeviceSequence {
  seq: number;
  epoch: number;
}

const NONE: DeviceSequence = { seq: 0, epoch: 0 };

/**
 * The durable part of the devices' sequence numbers that outlives the ingest stream: the stream
 * is a work queue and drops a batch once it is in InfluxDB, so the drainer records each device's
 * drained sequence here before it acknowledges the batch. A device's last durable sequence is
 * the last batch the stream still holds for it, or this entry when it holds none; the entry has
 * no age limit, so a device silent for months resumes where it was.
 */
export class IngestSequences {
  constructor(private readonly kv: KV) {}

  async read(deviceId: string): Promise<Revised<DeviceSequence>> {
    const entry = await readJson<DeviceSequence>(this.kv, deviceToken(deviceId));
    return { value: entry.value ?? NONE, revision: entry.revision };
  }

  /**
   * Record that the device's batches through `seq` of `epoch` are in InfluxDB; never moves the
   * sequence back, nor touches an entry of a newer epoch (the device was forgotten meanwhile).
   * `known` is the entry as last seen (read again if another writer changed it since). Resolves
   * with the entry as it is now.
   */
  async drained(deviceId: string, seq: number, epoch: number, known?: Revised<DeviceSequence>): Promise<Revised<DeviceSequence>> {
    const entry = await updateJson<DeviceSequence>(
      this.kv,
      deviceToken(deviceId),
      (current = NONE) => (current.epoch === epoch && seq > current.seq ? { seq, epoch } : undefined),
      known,
    );
    return { value: entry.value ?? NONE, revision: entry.revision };
  }

  /** Start the device over: sequence 0 in a new epoch (later than every earlier one). Resolves with the epoch. */
  async forget(deviceId: string): Promise<number> {
    let epoch = 0;
    await updateJson<DeviceSequence>(this.kv, deviceToken(deviceId), (current = NONE) => {
      epoch = Math.max(Date.now(), current.epoch + 1);
      return { seq: 0, epoch };
    });
    return epoch;
  }
}
