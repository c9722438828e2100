import type { ProfileDefinition } from "./profile.js";

/** A glob (`*` is any run of characters, possibly none; everything else is itself) as an anchored expression. */
export function globPattern(glob: string): RegExp {
  const literal = glob.split("*").map((part) => part.replace(/[.+?^${}()|[\]\\]/g, "\\$&"));
  return new RegExp(`^${literal.join(".*")}$`, "s");
}

/** Whether a device that said this model and firmware in its `hello` matches the profile's `match`. */
export function matchesHello(match: ProfileDefinition["match"], hello: { model: string | null; firmware: string | null }): boolean {
  const { model, firmware } = hello;
  if (model !== null && match?.models?.some((glob) => globPattern(glob).test(model))) return true;
  return firmware !== null && match?.firmware?.some((glob) => globPattern(glob).test(firmware)) === true;
}

/** The first profile (in the order given: by id) whose `match` the hello matches. */
export function profileForHello<P extends Pick<ProfileDefinition, "match">>(
  profiles: readonly P[],
  hello: { model: string | null; firmware: string | null },
): P | undefined {
  return profiles.find((profile) => matchesHello(profile.match, hello));
}
