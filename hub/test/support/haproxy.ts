import { HAPROXY, haproxyAvailable } from "../../src/testing/haproxy.js";
import { requireBinary } from "./require-binary.js";

export * from "../../src/testing/haproxy.js";

/** `requireBinary` for HAProxy: skips loudly without it, fails under CI=true. */
export const requireHaproxy = (): string | false => requireBinary(HAPROXY, "apt-get install -y haproxy", () => haproxyAvailable());
