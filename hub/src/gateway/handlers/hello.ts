import { PROTOCOL_VERSION, ProtocolError, toWireLimits, validateHello } from "@telehub/device-client/protocol";
import type { DeviceSession } from "../device-session.js";

/** `hello` → record what the device reports, then `welcome` with hub time, its last durable seq and the limits. */
export async function handleHello(session: DeviceSession, raw: Record<string, unknown>): Promise<void> {
  if (session.state !== "awaiting-hello") throw new ProtocolError("TH_PROTOCOL_VIOLATION", "hello sent twice");
  if (!session.rate.admit(session.frameBytes)) throw new ProtocolError("TH_FLOOD", "hello over the frame rate");
  const hello = validateHello(raw);
  if (hello.v !== PROTOCOL_VERSION) {
    throw new ProtocolError("TH_VERSION_UNSUPPORTED", `protocol version ${hello.v} is not supported; this hub speaks ${PROTOCOL_VERSION}`);
  }
  session.state = "greeting";
  const { context } = session;
  // The replaced connection may still be committing batches: wait, so `welcome.seq` is final.
  await context.replacedSession(session)?.settled();
  const receivedAt = context.now();
  const clockSkewMs = hello.time === undefined ? null : Math.round(hello.time - receivedAt);
  if (clockSkewMs !== null && Math.abs(clockSkewMs) > context.config.gateway.clockSkewWarnMs) {
    session.log.warn({ clockSkewMs }, "device clock is far from the hub's");
  }
  await context.devices.recordHello(session.id, {
    firmware: hello.fw ?? null,
    model: hello.model ?? null,
    attributes: hello.attrs ?? null,
    clockSkewMs,
    commands: hello.cmds ?? [],
    at: receivedAt,
  });
  await assignProfile(session, hello.model ?? null, hello.fw ?? null);
  const seq = await context.telemetry.lastSequence(session.id);
  // A store shared by several instances: the metrics this device brought through another one.
  if (context.telemetry.deviceMetricTypes) context.admission.catalogue.load(await context.telemetry.deviceMetricTypes(session.id));
  // Closed meanwhile (hello timeout, replaced by a newer connection): no welcome.
  if (session.state !== "greeting" || !session.link.open) return;
  session.ackedSeq = seq;
  session.send({
    t: "welcome",
    v: PROTOCOL_VERSION,
    time: context.now(),
    ...(hello.time !== undefined && { echo: hello.time }),
    seq,
    hb: context.config.gateway.heartbeatIntervalMs,
    lim: toWireLimits(context.config.limits),
    ...session.link.welcomeFields(hello),
  });
  session.state = "open";
  session.endHandshake();
  session.log.info({ firmware: hello.fw, model: hello.model, lastSeq: seq }, "device connected");
  context.live.presenceChanged(session.id, true, context.now());
  context.alarms.presenceChanged(session.id, true, context.now());
  await context.desiredConfig.sessionOpened(session.id, hello.cfg);
  await context.commands.deliverPending(session.id);
}

/**
 * A device without a profile gets the first that matches its model or firmware (with its default
 * configuration, sent after the welcome like any newer configuration). A failure costs the
 * assignment, not the connection.
 */
async function assignProfile(session: DeviceSession, model: string | null, firmware: string | null): Promise<void> {
  try {
    await session.context.profiles.assignAtHello(session.device, { model, firmware });
  } catch (error) {
    session.log.warn({ err: error }, "could not give the device a profile");
  }
}
