/** A username: lowercase letters, digits, `.`, `_`, `-`; starts with a letter or digit; at most 64 characters. */
export const USERNAME_PATTERN = "^[a-z0-9][a-z0-9._-]{0,63}$";

/** The form usernames are stored and compared in: case-insensitive, so lowercase. */
export function normalizeUsername(username: string): string {
  return username.trim().toLowerCase();
}

/** {@link USERNAME_PATTERN} as a new user's username may be typed (upper case is stored lowercase). */
export const USERNAME_INPUT_PATTERN = "^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$";
