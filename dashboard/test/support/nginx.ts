import { NGINX, nginxAvailable } from "@telehub/hub/nginx";

/**
 * For `describe(name, { skip: requireNginx() }, …)`: false when nginx is there. Missing: a loud
 * skip locally, a thrown error with CI=true (the rule of hub/test/support/require-binary.ts).
 */
export function requireNginx(): string | false {
  if (nginxAvailable()) return false;
  const message = `nginx is not installed at ${NGINX} (apt-get install -y nginx): the tests through a proxy are SKIPPED`;
  if (process.env.CI === "true") throw new Error(`${message.replace("are SKIPPED", "cannot run")}, and CI=true makes that a failure`);
  process.stderr.write(`\n!!! ${message} !!!\n\n`);
  return message;
}
