import { batchSequence, ProtocolError, validateBatch } from "@telehub/device-client/protocol";
import { type PendingWrite, WriteCancelledError } from "../../ingest/batch-writer.js";
import type { AppendOutcome, TelemetryBatch } from "../../storage/telemetry-store.js";
import type { DeviceSession } from "../device-session.js";

/**
 * `batch` → validate, admit (timestamp window, clockless stamps, same-ts rule, metric catalogue),
 * hand to the group-commit writer, and acknowledge once it is durable. Refusals that the device
 * must retry stop the stream at that batch until it resends; permanent ones (thrown) do not.
 */
export function handleBatch(session: DeviceSession, raw: Record<string, unknown>): void {
  if (session.state !== "open") throw new ProtocolError("TH_PROTOCOL_VIOLATION", "batch before welcome");
  const { context } = session;
  const { config } = context;

  if (!session.rate.admit(session.frameBytes)) {
    session.strikes++;
    if (session.strikes > config.gateway.floodStrikes) throw new ProtocolError("TH_FLOOD");
    const seq = batchSequence(raw);
    refuse(
      session,
      new ProtocolError("TH_RATE_LIMITED", session.rate.refusal("batch not stored"), {
        seq,
        retryAfterMs: session.rate.retryAfterMs(session.frameBytes),
      }),
    );
    return;
  }
  session.strikes = 0;

  const seq = batchSequence(raw);
  if (session.refusedFrom !== null) {
    if (seq > session.refusedFrom && raw.rs !== true) {
      refuse(session, new ProtocolError("TH_RATE_LIMITED", "resend from the refused batch first", { seq, retryAfterMs: 50 }));
      return;
    }
    session.refusedFrom = null;
  }

  const frame = validateBatch(raw, config.limits);
  if (session.inFlight >= config.limits.maxBatchesInFlight) {
    refuse(session, new ProtocolError("TH_IN_FLIGHT_EXCEEDED", undefined, { seq: frame.seq, retryAfterMs: config.gateway.retryAfterMs }));
    return;
  }

  const arrivedAt = performance.now();
  // Throws a permanent refusal (answered with the seq, not setting refusedFrom).
  const batch = context.admission.admit(session.id, frame, context.now());
  session.writeStarted();
  const publishOnCommit = config.live.publish === "durable";
  if (!publishOnCommit) context.live.publishReadings(session.id, batch.readings);
  context.writer.submit(new BatchInFlight(session, batch, publishOnCommit, arrivedAt));
}

/** One batch on its way to the store: acknowledged once durable, refused if the commit fails. */
class BatchInFlight implements PendingWrite {
  private readonly generation: number;

  constructor(
    private readonly session: DeviceSession,
    readonly batch: TelemetryBatch,
    private readonly publishOnCommit: boolean,
    /** `performance.now()` when the batch arrived, for the ack-latency histogram. */
    private readonly arrivedAt: number,
  ) {
    this.generation = session.writeGeneration;
  }

  isCancelled(): boolean {
    return this.generation !== this.session.writeGeneration;
  }

  settled(outcome: AppendOutcome): void {
    const { session, batch } = this;
    session.context.metrics.ackLatency.observe((performance.now() - this.arrivedAt) / 1000);
    session.sendAck(batch.seq);
    if (this.publishOnCommit && outcome === "stored") session.context.live.publishReadings(session.id, batch.readings);
    // A duplicate too: its first commit may have been acknowledged just before a crash, never evaluated.
    session.context.alarms.readingsStored(session.id, batch.readings);
    session.writeSettled();
  }

  failed(error: Error): void {
    const { session } = this;
    session.context.admission.failed(this.batch);
    if (!(error instanceof WriteCancelledError)) session.writeGeneration++;
    const retryAfterMs = session.context.config.gateway.retryAfterMs;
    refuse(session, new ProtocolError("TH_STORE_UNAVAILABLE", undefined, { seq: this.batch.seq, retryAfterMs }));
    session.writeSettled();
  }
}

function refuse(session: DeviceSession, error: ProtocolError & { seq?: number }): void {
  if (error.seq !== undefined && (session.refusedFrom === null || error.seq < session.refusedFrom)) session.refusedFrom = error.seq;
  session.fail(error);
}
