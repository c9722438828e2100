import type { Caller } from "../accounts/caller.js";
import type { HttpApiDeps } from "./http-api-deps.js";

/**
 * The names of commands' senders, by the id a command records in `createdBy`: an API key's
 * name, or a user's username (a command sent from a session). An id that is neither (the key or
 * user is gone) has no entry. Ids are random, so a key's never equals a user's.
 */
export async function senderNames(
  deps: Pick<HttpApiDeps, "apiKeys" | "accounts">,
  ids: Iterable<string | null>,
  caller?: Caller,
): Promise<ReadonlyMap<string, string>> {
  const names = new Map<string, string>();
  for (const id of new Set(ids)) {
    if (id === null) continue;
    // The caller's own name is known already (the usual sender of the command just sent).
    const own = id === caller?.id ? (caller.kind === "key" ? caller.key?.name : caller.user?.username) : undefined;
    if (own !== undefined) {
      names.set(id, own);
      continue;
    }
    const key = await deps.apiKeys.get(id);
    const name = key?.name ?? (await deps.accounts.users.get(id))?.username;
    if (name !== undefined) names.set(id, name);
  }
  return names;
}
