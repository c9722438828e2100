/** The hub's username rule (docs/api.md, "Users"): lowercase letters, digits, `.`, `_`, `-`, at most 64, starting with a letter or digit. */
export const USERNAME_PATTERN = /^[a-z0-9][a-z0-9._-]{0,63}$/;
