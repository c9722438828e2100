import { FailureThrottle } from "../security/failure-throttle.js";
import type { ApiKeyRepository } from "../storage/api-key-repository.js";
import type { SessionRepository } from "../storage/session-repository.js";
import type { UserRepository } from "../storage/user-repository.js";
import { LOGIN_ACCOUNT_WINDOW_MS, PasswordChecks } from "./logins.js";
import { Sessions } from "./sessions.js";
import { UserAdmin } from "./user-admin.js";

/** The `security` settings accounts use. */
export interface AccountSettings {
  sessionIdleMs: number;
  sessionMaxMs: number;
  loginFailuresPerAccount: number;
  loginBlockMs: number;
}

/** Operator accounts: users, their sessions, password checks and user administration. */
export class Accounts {
  readonly users: UserRepository;
  readonly sessions: Sessions;
  readonly passwords: PasswordChecks;
  readonly admin: UserAdmin;

  constructor(options: {
    users: UserRepository;
    sessions: SessionRepository;
    apiKeys: ApiKeyRepository;
    settings: AccountSettings;
    /** The API's authentication throttle (logins count there per account and address). */
    apiThrottle: FailureThrottle;
    /** Close the live connections of these owners (see `liveOwnersOf`). */
    closeLive: (owners: readonly string[]) => void;
    now: () => number;
  }) {
    const { settings, now } = options;
    this.users = options.users;
    const limits = { idleMs: settings.sessionIdleMs, maxMs: settings.sessionMaxMs };
    this.sessions = new Sessions(options.sessions, options.users, limits, now, options.closeLive);
    const accountThrottle = new FailureThrottle(
      {
        maxFailures: settings.loginFailuresPerAccount,
        maxFailuresPerAddress: settings.loginFailuresPerAccount,
        windowMs: LOGIN_ACCOUNT_WINDOW_MS,
        blockMs: settings.loginBlockMs,
      },
      now,
    );
    this.passwords = new PasswordChecks(options.users, { api: options.apiThrottle, accounts: accountThrottle });
    this.admin = new UserAdmin(options.users, options.apiKeys, this.sessions, options.closeLive, now);
  }
}
