/** The hub's username rule (docs/api.md, "Users"): letters, digits, `.`, `_`, `-`, at most 64, starting with a letter or digit; stored lowercase. */
export const USERNAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
