import type { FailureThrottle } from "../security/failure-throttle.js";
import type { UserRecord, UserRepository } from "../storage/user-repository.js";
import { dummyPasswordHash, verifyPassword } from "./passwords.js";
import { normalizeUsername } from "./usernames.js";

/** Window of `security.loginFailuresPerAccount`. */
export const LOGIN_ACCOUNT_WINDOW_MS = 15 * 60_000;

/** The answer when a password check may not even be tried yet. */
export class LoginThrottledError extends Error {
  constructor(readonly retryAfterMs: number) {
    super("too many failed logins");
    this.name = "LoginThrottledError";
  }
}

/**
 * Password checks (login, and the current password of a password change), throttled twice:
 * per account and address in the API's throttle (identity `login:<username>`, which also counts
 * towards the address's failures), and per account over every address in `accounts` — except
 * from addresses the account has logged in from before, so an attacker elsewhere cannot lock
 * its owner out. Unknown usernames cost one scrypt hash too, so timing does not tell them apart.
 */
export class PasswordChecks {
  constructor(
    private readonly users: UserRepository,
    private readonly throttles: { api: FailureThrottle; accounts: FailureThrottle },
  ) {}

  /**
   * The active user whose username and password these are, or undefined.
   * @throws LoginThrottledError when the account or the address failed too often.
   */
  async check(usernameAsTyped: string, password: string, address: string): Promise<UserRecord | undefined> {
    const username = normalizeUsername(usernameAsTyped);
    const identity = `login:${username}`;
    const account = `account:${username}`;
    const blockedMs = Math.max(this.throttles.api.blockedFor(identity, address), this.throttles.accounts.blockedFor(address, account));
    if (blockedMs > 0) throw new LoginThrottledError(blockedMs);
    const user = await this.users.byUsername(username);
    const active = user !== undefined && user.disabledAt === null && user.deletedAt === null;
    const matches = await verifyPassword(password, active ? user.passwordHash : await dummyPasswordHash());
    if (!active || !matches) {
      this.throttles.api.failed(identity, address);
      // Swapped on purpose: the "address" of this throttle is the account, so its per-address limit counts over all addresses.
      this.throttles.accounts.failed(address, account);
      return undefined;
    }
    this.throttles.api.succeeded(identity, address);
    this.throttles.accounts.succeeded(address, account);
    return user;
  }
}
