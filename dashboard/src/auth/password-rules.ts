/** The hub's password rules (docs/api.md, "Users"): at least 12 characters, at most 1,024 bytes (UTF-8). */
export const MIN_PASSWORD_LENGTH = 12;
export const MAX_PASSWORD_BYTES = 1_024;

/** What is wrong with a new password and its confirmation, or undefined when the hub will take it. */
export function passwordProblem(password: string, confirmation: string): string | undefined {
  if ([...password].length < MIN_PASSWORD_LENGTH) return `At least ${MIN_PASSWORD_LENGTH} characters`;
  if (new TextEncoder().encode(password).length > MAX_PASSWORD_BYTES) return `At most ${MAX_PASSWORD_BYTES} bytes`;
  if (password !== confirmation) return "The two passwords differ";
  return undefined;
}
