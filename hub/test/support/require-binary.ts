import { influxdAvailable } from "../../src/testing/influxd.js";

/**
 * For `test(name, { skip: requireBinary(...) }, …)`: `false` when the binary is there. When it
 * is missing, a loud skip message locally, and a thrown error in CI (`CI=true`): a skip there
 * would hide that the tests did not run.
 */
export function requireBinary(binary: string, install: string, available: () => boolean = () => influxdAvailable(binary)): string | false {
  if (available()) return false;
  const message = `${binary} is not installed (${install}): the tests that need it are SKIPPED`;
  if (process.env.CI === "true") throw new Error(`${message.replace("are SKIPPED", "cannot run")}, and CI=true makes that a failure`);
  process.stderr.write(`\n!!! ${message} !!!\n\n`);
  return message;
}

/** `requireBinary` for `influxd`. */
export const requireInfluxd = (): string | false => requireBinary("influxd", "apt-get install -y influxdb");
