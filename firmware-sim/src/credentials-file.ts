import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { UsageError } from "./usage-error.js";

/** A device's credentials as the hub issued them. */
export interface DeviceCredentials {
  deviceId: string;
  token: string;
}

/** The file `provision` writes and `run` reads. */
export interface CredentialsFile {
  hub: string;
  createdAt: string;
  devices: DeviceCredentials[];
}

/** Write the credentials (mode 0600; missing folders are created 0700). Refuses to overwrite unless `force`. */
export function writeCredentials(path: string, content: CredentialsFile, force: boolean): void {
  if (existsSync(path) && !force) throw new UsageError(`--out: ${path} exists; pass --force to overwrite it`);
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  writeFileSync(path, `${JSON.stringify(content, null, 2)}\n`, { mode: 0o600 });
  // The mode above applies only to a new file.
  chmodSync(path, 0o600);
}

/** Read and check a credentials file. */
export function readCredentials(path: string): CredentialsFile {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    throw new UsageError(`--creds: cannot read ${path}: ${(error as Error).message}`);
  }
  const file = raw as Partial<CredentialsFile>;
  const valid =
    typeof file === "object" &&
    file !== null &&
    Array.isArray(file.devices) &&
    file.devices.every((d) => typeof d?.deviceId === "string" && typeof d?.token === "string");
  if (!valid) throw new UsageError(`--creds: ${path} is not a credentials file (written by telehub-sim provision)`);
  return file as CredentialsFile;
}
