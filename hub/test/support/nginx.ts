import { NGINX, nginxAvailable } from "../../src/testing/nginx.js";
import { requireBinary } from "./require-binary.js";

export * from "../../src/testing/nginx.js";

/** `requireBinary` for nginx: skips loudly without it, fails under CI=true. */
export const requireNginx = (): string | false => requireBinary(NGINX, "apt-get install -y nginx", () => nginxAvailable());
