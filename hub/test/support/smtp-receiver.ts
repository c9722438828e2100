import { readFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { SMTPServer } from "smtp-server";

/** One mail a {@link SmtpReceiver} accepted. */
export interface ReceivedMail {
  from: string;
  to: string[];
  /** How the client authenticated (`PLAIN`, `LOGIN`), or null without AUTH. */
  authMethod: string | null;
  /** Whether the session was encrypted (implicit TLS or STARTTLS) when the mail came. */
  secure: boolean;
  subject: string;
  /** The text part, transfer encoding undone. */
  text: string;
  raw: string;
}

/** A real SMTP server (the `smtp-server` package) on 127.0.0.1 that keeps what it receives. */
export interface SmtpReceiver {
  port: number;
  mails: ReceivedMail[];
  /** Every AUTH attempt: username and whether the password was right. */
  logins: { username: string; ok: boolean; method: string }[];
  close(): Promise<void>;
}

export interface SmtpReceiverOptions {
  /** Implicit TLS (465-style) instead of plain with STARTTLS offered. */
  secure?: boolean;
  /** No STARTTLS: not offered, and refused if tried. */
  noStartTls?: boolean;
  certFile: string;
  keyFile: string;
  /** The only account; AUTH is required when given. */
  account?: { username: string; password: string };
  authMethods?: string[];
}

function decodeQuotedPrintable(text: string): string {
  const bytes: number[] = [];
  const soft = text.replace(/=\r?\n/g, "");
  for (let i = 0; i < soft.length; i++) {
    if (soft[i] === "=" && /^[0-9A-F]{2}$/i.test(soft.slice(i + 1, i + 3))) {
      bytes.push(Number.parseInt(soft.slice(i + 1, i + 3), 16));
      i += 2;
    } else bytes.push(...Buffer.from(soft[i] as string, "utf8"));
  }
  return Buffer.from(bytes).toString("utf8");
}

function decodeHeaderWord(value: string): string {
  return value.replace(/=\?UTF-8\?([QB])\?([^?]*)\?=\s*/gi, (_all, encoding: string, word: string) =>
    encoding.toUpperCase() === "B" ? Buffer.from(word, "base64").toString("utf8") : decodeQuotedPrintable(word.replaceAll("_", " ")),
  );
}

/** Subject and text of a single-part text mail (what the hub sends). */
function parseMail(raw: string): { subject: string; text: string } {
  const split = raw.indexOf("\r\n\r\n");
  const head = raw.slice(0, split).replace(/\r\n[ \t]+/g, " ");
  const body = raw.slice(split + 4);
  const header = (name: string) =>
    head
      .split("\r\n")
      .find((line) => line.toLowerCase().startsWith(`${name}:`))
      ?.slice(name.length + 1)
      .trim() ?? "";
  const encoding = header("content-transfer-encoding").toLowerCase();
  const text =
    encoding === "quoted-printable"
      ? decodeQuotedPrintable(body)
      : encoding === "base64"
        ? Buffer.from(body, "base64").toString("utf8")
        : body;
  return { subject: decodeHeaderWord(header("subject")), text: text.replace(/\r\n/g, "\n").replace(/\n$/, "") };
}

export async function startSmtpReceiver(options: SmtpReceiverOptions): Promise<SmtpReceiver> {
  const mails: ReceivedMail[] = [];
  const logins: SmtpReceiver["logins"] = [];
  const server = new SMTPServer({
    secure: options.secure ?? false,
    disabledCommands: options.noStartTls ? ["STARTTLS"] : [],
    key: readFileSync(options.keyFile),
    cert: readFileSync(options.certFile),
    authOptional: options.account === undefined,
    authMethods: options.authMethods ?? ["PLAIN", "LOGIN"],
    logger: false,
    onAuth(auth, _session, callback) {
      const ok = options.account !== undefined && auth.username === options.account.username && auth.password === options.account.password;
      logins.push({ username: auth.username ?? "", ok, method: auth.method });
      if (!ok) return callback(new Error("Invalid username or password"));
      callback(null, { user: auth.username });
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (chunk: Buffer) => chunks.push(chunk));
      stream.on("end", () => {
        const raw = Buffer.concat(chunks).toString("utf8");
        mails.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : "",
          to: session.envelope.rcptTo.map((rcpt) => rcpt.address),
          authMethod: session.user ? (logins.filter((login) => login.ok).at(-1)?.method ?? null) : null,
          secure: session.secure,
          raw,
          ...parseMail(raw),
        });
        callback();
      });
    },
  });
  server.on("error", () => undefined);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.server.address() as AddressInfo).port,
    mails,
    logins,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
