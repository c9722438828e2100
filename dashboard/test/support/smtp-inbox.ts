import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SMTPServer } from "smtp-server";

/** One mail the inbox accepted. */
export interface InboxMail {
  to: string[];
  /** The username it authenticated as. */
  user: string | undefined;
  /** Whether the session was upgraded with STARTTLS before the mail. */
  secure: boolean;
  /** Headers and body as received. */
  raw: string;
}

/**
 * A real SMTP server (the `smtp-server` package) on 127.0.0.1 that offers STARTTLS with a
 * self-signed certificate made by openssl (`caPem`: what a channel must trust), requires AUTH
 * with one account and keeps every mail.
 */
export interface SmtpInbox {
  port: number;
  caPem: string;
  mails: InboxMail[];
  close(): Promise<void>;
}

export async function startSmtpInbox(account: { username: string; password: string }): Promise<SmtpInbox> {
  const dir = mkdtempSync(join(tmpdir(), "telehub-smtp-"));
  const certFile = join(dir, "cert.pem");
  const keyFile = join(dir, "key.pem");
  execFileSync(
    "openssl",
    ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", keyFile, "-out", certFile, "-days", "2"].concat([
      "-subj",
      "/CN=127.0.0.1",
      "-addext",
      "subjectAltName=IP:127.0.0.1",
    ]),
    { stdio: "ignore" },
  );
  const mails: InboxMail[] = [];
  const server = new SMTPServer({
    key: readFileSync(keyFile),
    cert: readFileSync(certFile),
    authMethods: ["PLAIN", "LOGIN"],
    logger: false,
    onAuth(auth, _session, callback) {
      if (auth.username === account.username && auth.password === account.password) callback(null, { user: auth.username });
      else callback(new Error("Invalid username or password"));
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (chunk: Buffer) => chunks.push(chunk));
      stream.on("end", () => {
        mails.push({
          to: session.envelope.rcptTo.map((rcpt) => rcpt.address),
          user: session.user as string | undefined,
          secure: session.secure,
          raw: Buffer.concat(chunks).toString("utf8"),
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.server.address() as AddressInfo).port,
    caPem: readFileSync(certFile, "utf8"),
    mails,
    close: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
