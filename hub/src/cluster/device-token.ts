/**
 * A device id as one NATS subject token and JetStream KV key. Ids may hold `.` and `:`
 * (`DEVICE_ID_PATTERN`); subject tokens may not hold `.`, KV keys not `:`. `_` is the escape,
 * so it is escaped too: `_5F`, `.` → `_2E`, `:` → `_3A`. One-to-one, readable for ids without them.
 */
export function deviceToken(deviceId: string): string {
  return deviceId.replace(/[_.:]/g, (c) => `_${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** The device id a `deviceToken` was made from. */
export function deviceIdOfToken(token: string): string {
  return token.replace(/_([0-9A-F]{2})/g, (_match, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)));
}
