import { NATS_SERVER, natsAvailable } from "../../src/testing/nats.js";
import { requireBinary } from "./require-binary.js";

export * from "../../src/testing/nats.js";

/** `requireBinary` for nats-server: skips loudly without it, fails under CI=true. */
export const requireNats = (): string | false => requireBinary(NATS_SERVER, "apt-get install -y nats-server", () => natsAvailable());
