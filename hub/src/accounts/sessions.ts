import { randomBytes, timingSafeEqual } from "node:crypto";
import { hashSecret } from "../security/secrets.js";
import type { SessionRecord, SessionRepository } from "../storage/session-repository.js";
import type { UserRecord, UserRepository } from "../storage/user-repository.js";

/** `lastSeenAt` is written at most this often per session (the idle expiry is this coarse). */
export const SESSION_TOUCH_RESOLUTION_MS = 60_000;

/** Session lifetimes (`security.sessionIdleMs`, `security.sessionMaxMs`). */
export interface SessionLimits {
  /** A session unused this long ends. */
  idleMs: number;
  /** A session ends this long after login, used or not. */
  maxMs: number;
}

/** A session as a client sees it right after login or `GET /session`. */
export interface OpenSession {
  record: SessionRecord;
  user: UserRecord;
  /** Absolute end. */
  expiresAt: number;
  /** When it ends if unused from now on. */
  idleExpiresAt: number;
}

/** Methods that change state: a cookie-authenticated request with one of them needs `X-CSRF-Token`. */
const STATE_CHANGING = new Set(["POST", "PUT", "PATCH", "DELETE"]);

/** Whether a request with this method needs the CSRF token when a cookie authenticated it. */
export function needsCsrfToken(method: string): boolean {
  return STATE_CHANGING.has(method.toUpperCase());
}

/** Whether the presented `X-CSRF-Token` is the session's (compared in constant time). */
export function csrfTokenMatches(session: SessionRecord, presented: string | string[] | undefined): boolean {
  if (typeof presented !== "string") return false;
  const a = Buffer.from(presented);
  const b = Buffer.from(session.csrfToken);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Dashboard sessions: a random 256-bit id in the cookie, only its SHA-256 stored; idle and
 * absolute expiry; the user must still be active. `lastSeenAt` is written at most once a minute.
 */
export class Sessions {
  constructor(
    private readonly sessions: SessionRepository,
    private readonly users: UserRepository,
    private readonly limits: SessionLimits,
    private readonly now: () => number,
    /** Close the live connections of these owners (`session:<id hash>`, `user-sessions:<user id>`): their sessions ended. */
    private readonly closeLive: (owners: readonly string[]) => void = () => {},
  ) {}

  /** Start a session for a user; answers the cookie's id (shown only now) and the session. */
  async start(user: UserRecord): Promise<{ id: string; open: OpenSession }> {
    const at = this.now();
    const id = randomBytes(32).toString("base64url");
    const record: SessionRecord = {
      idHash: hashSecret(id),
      userId: user.id,
      csrfToken: randomBytes(32).toString("base64url"),
      createdAt: at,
      lastSeenAt: at,
      expiresAt: at + this.limits.maxMs,
      revokedAt: null,
    };
    await this.sessions.create(record);
    // Old ended sessions are dropped now and then, so the table does not grow without bound.
    await this.sessions.prune(at - this.limits.maxMs);
    return { id, open: this.describe(record, user) };
  }

  /** The live session a cookie names, with its user; undefined when unknown, ended, expired or the user is inactive. */
  async resolve(id: string): Promise<OpenSession | undefined> {
    const at = this.now();
    const record = await this.sessions.get(hashSecret(id));
    if (!record || record.revokedAt !== null || at >= record.expiresAt || at >= record.lastSeenAt + this.limits.idleMs) return undefined;
    const user = await this.users.get(record.userId);
    if (!user || user.disabledAt !== null || user.deletedAt !== null) return undefined;
    if (at - record.lastSeenAt >= SESSION_TOUCH_RESOLUTION_MS) {
      await this.sessions.touch(record.idHash, at);
      record.lastSeenAt = at;
    }
    return this.describe(record, user);
  }

  /** End one session (logout). */
  async end(record: SessionRecord): Promise<void> {
    await this.sessions.revoke(record.idHash, this.now());
    this.closeLive([`session:${record.idHash}`]);
  }

  /** End every session of a user; answers how many ended. */
  async endAllFor(userId: string): Promise<number> {
    const ended = await this.sessions.revokeForUser(userId, this.now());
    this.closeLive([`user-sessions:${userId}`]);
    return ended;
  }

  /** A session and its user as a client sees them (the expiry times). */
  describe(record: SessionRecord, user: UserRecord): OpenSession {
    return { record, user, expiresAt: record.expiresAt, idleExpiresAt: Math.min(record.expiresAt, record.lastSeenAt + this.limits.idleMs) };
  }
}
