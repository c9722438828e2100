import type { DeviceTransport } from "../gateway/device-link.js";
import { decodeJsonObject, encodeJson } from "./json-bytes.js";

/**
 * A device's entry in the presence bucket (`<p>_presence`, key `deviceToken(id)`): the session
 * that holds it, and where. The newest claim wins: each session's open puts one, over whatever
 * was there; the instance whose session was overwritten closes it (docs/cluster.md).
 */
export interface PresenceClaim {
  /** The instance that holds the session. */
  instanceId: string;
  /** That instance's start (a random id per process): a claim made before a restart under the same `instanceId` is not its. */
  bootId: string;
  /** The session (random, per connection). */
  sessionId: string;
  connectedAt: number;
  transport: DeviceTransport;
  remoteAddress: string;
}

export function encodeClaim(claim: PresenceClaim): Uint8Array {
  return encodeJson(claim);
}

/** The claim in a bucket entry's value; undefined when it is not one (another version's, or damaged). */
export function parseClaim(value: Uint8Array): PresenceClaim | undefined {
  const claim = decodeJsonObject(value);
  if (!claim) return undefined;
  const texts = ["instanceId", "bootId", "sessionId", "remoteAddress"].every((key) => typeof claim[key] === "string");
  if (!texts || typeof claim.connectedAt !== "number" || (claim.transport !== "ws" && claim.transport !== "http")) return undefined;
  return claim as unknown as PresenceClaim;
}
