import nodemailer from "nodemailer";
import type { EmailSettings } from "../alarms/notification-channel.js";
import { isLoopbackHost } from "./channel-schema.js";
import { type OutgoingMessage, SendError } from "./outgoing-message.js";

/**
 * Sends the message as a plain-text mail over SMTP (nodemailer, one connection per message).
 * `security`: `tls` connects with TLS, `starttls` requires the STARTTLS upgrade before anything
 * else (AUTH included), `none` never upgrades and is refused unless the host is loopback. The
 * server's certificate is checked against the system's CAs and `ca`. AUTH when a username and a
 * password are set. Connecting, the greeting and every reply must each come within `timeoutMs`.
 */
export async function sendEmail(settings: EmailSettings, message: OutgoingMessage, timeoutMs: number): Promise<void> {
  if (settings.security === "none" && !isLoopbackHost(settings.host))
    throw new SendError("plain SMTP (security none) is only allowed to a loopback host");
  const transport = nodemailer.createTransport({
    host: settings.host,
    port: settings.port,
    secure: settings.security === "tls",
    requireTLS: settings.security === "starttls",
    ignoreTLS: settings.security === "none",
    auth: settings.username && settings.password ? { user: settings.username, pass: settings.password } : undefined,
    tls: settings.ca ? { ca: settings.ca } : undefined,
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs,
    dnsTimeout: timeoutMs,
    logger: false,
    debug: false,
  });
  try {
    await transport.sendMail({
      from: settings.from,
      to: settings.to,
      subject: message.delivery.summary,
      text: message.delivery.body,
      headers: { "X-Telehub-Delivery": message.delivery.id },
      disableFileAccess: true,
      disableUrlAccess: true,
    });
  } catch (error) {
    throw new SendError(error instanceof Error ? error.message : String(error));
  } finally {
    transport.close();
  }
}
