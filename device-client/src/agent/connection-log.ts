import type { TelehubClient } from "../node/index.js";
import type { AgentLog } from "./agent-log.js";

/**
 * Logs the client's connection state changes: connected, lost, and the first failed attempt
 * of an outage (not every retry, so a long outage is two lines, not thousands).
 */
export function logConnectionState(client: TelehubClient, hub: string, log: AgentLog): void {
  let connected = false;
  let outageLogged = false;
  client.on("connected", (e) => {
    connected = true;
    outageLogged = false;
    log.info(
      `connected to ${hub} (hub holds up to seq ${e.lastSeq}; clock offset ${e.measuredClockOffsetMs} ms; buffered readings: ${client.stats.bufferedReadings})`,
    );
    if (e.restampedReadings > 0) {
      log.info(`${e.restampedReadings} readings taken before the first connection moved by ${e.clockOffsetMs} ms onto the hub's clock`);
    }
  });
  client.on("disconnected", (e) => {
    const why = `${e.code}${e.errorCode ? ` ${e.errorCode}` : ""}${e.httpStatus ? ` HTTP ${e.httpStatus}` : ""}${e.reason ? ` ${e.reason}` : ""}`;
    const next = e.willReconnect ? `; retrying in ${(e.delayMs / 1000).toFixed(1)} s, readings are buffered` : "";
    if (connected) {
      connected = false;
      log.warn(`connection lost (${why})${next}`);
    } else if (!outageLogged || !e.willReconnect) {
      log.warn(`cannot connect to ${hub} (${why})${next}`);
    }
    outageLogged = true;
  });
  client.on("dropped", (e) => log.warn(`buffer full: dropped the ${e.readings} oldest readings`));
  client.on("rejected", (e) => log.warn(`the hub rejected batch ${e.seq} (${e.readings} readings) for good: ${e.code} ${e.message}`));
}
