import { ProtocolError, validateBatch } from "@telehub/device-client/protocol";
import { WriteCancelledError } from "../../ingest/batch-writer.js";
import { toTelemetryBatch } from "../../ingest/to-telemetry-batch.js";
import type { DeviceSession } from "../device-session.js";

/**
 * `batch` → validate, hand to the group-commit writer, and acknowledge once it is durable.
 * Refusals that the device must retry stop the stream at that batch until it resends.
 */
export function handleBatch(session: DeviceSession, raw: Record<string, unknown>): void {
  if (session.state !== "open") throw new ProtocolError("TH_PROTOCOL_VIOLATION", "batch before welcome");
  const { context } = session;
  const { config } = context;
  const seq = raw.seq;
  const seqKnown = typeof seq === "number" && Number.isInteger(seq) && seq > 0;

  if (!session.rate.admit(session.frameBytes)) {
    session.strikes++;
    if (session.strikes > config.gateway.floodStrikes) throw new ProtocolError("TH_FLOOD");
    if (!seqKnown) return;
    refuse(session, new ProtocolError("TH_RATE_LIMITED", undefined, { seq, retryAfterMs: session.rate.retryAfterMs(session.frameBytes) }));
    return;
  }
  session.strikes = 0;

  if (seqKnown && session.refusedFrom !== null) {
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

  const receivedAt = context.now();
  const generation = session.writeGeneration;
  session.writeStarted();
  const startedAt = performance.now();
  const batch = toTelemetryBatch(session.id, frame, receivedAt);
  const publishOnCommit = config.live.publish === "durable";
  if (!publishOnCommit) context.live.publishReadings(session.id, batch.readings);
  context.writer
    .write(batch, () => generation !== session.writeGeneration)
    .then(
      (outcome) => {
        context.metrics.ackLatency.observe((performance.now() - startedAt) / 1000);
        session.sendAck(frame.seq);
        if (publishOnCommit && outcome === "stored") context.live.publishReadings(session.id, batch.readings);
        session.writeSettled();
      },
      (error: Error) => {
        if (!(error instanceof WriteCancelledError)) session.writeGeneration++;
        refuse(
          session,
          new ProtocolError("TH_STORE_UNAVAILABLE", undefined, { seq: frame.seq, retryAfterMs: config.gateway.retryAfterMs }),
        );
        session.writeSettled();
      },
    );
}

function refuse(session: DeviceSession, error: ProtocolError & { seq?: number }): void {
  if (error.seq !== undefined && (session.refusedFrom === null || error.seq < session.refusedFrom)) session.refusedFrom = error.seq;
  session.fail(error);
}
