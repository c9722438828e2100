import type { ProfileCommand } from "@telehub/hub";

/** A command the console offers, and where it knows it from. */
export interface CommandChoice {
  name: string;
  description?: string;
  /** The JSON Schema of its `args` (from the profile): the console draws a form from it. */
  args?: Record<string, unknown>;
  /** "profile": the device's profile lists it; "device": the device named it in `hello.cmds`; "sent": it was sent to the device before. */
  source: "profile" | "device" | "sent";
}

/**
 * What the console offers, each name once: the profile's commands (with descriptions and argument
 * schemas) in its order, then the commands the device reported, then those it was sent before.
 */
export function commandChoices(
  profileCommands: readonly ProfileCommand[],
  reported: readonly string[],
  sent: readonly string[],
): CommandChoice[] {
  const choices = new Map<string, CommandChoice>();
  for (const command of profileCommands) choices.set(command.name, { ...command, source: "profile" });
  for (const name of [...reported].sort()) if (!choices.has(name)) choices.set(name, { name, source: "device" });
  for (const name of [...sent].sort()) if (!choices.has(name)) choices.set(name, { name, source: "sent" });
  return [...choices.values()];
}

const SOURCE_LABEL = { profile: "in the profile", device: "reported by the device", sent: "sent before" } as const;

/** How the picker names the group of a choice. */
export const sourceLabel = (choice: CommandChoice): string => SOURCE_LABEL[choice.source];
