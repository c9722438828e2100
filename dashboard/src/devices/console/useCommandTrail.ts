import { useCallback, useState } from "react";
import { useLive } from "../../live/LiveContext";
import type { LiveCommand } from "../../live/live-types";

/** How many sent commands the console keeps on screen. */
const SHOWN_COMMANDS = 10;

/** Keep the newer of two views of a command (live events may overtake the POST's answer). */
function newer(a: LiveCommand | undefined, b: LiveCommand): LiveCommand {
  if (!a) return b;
  return b.transitions.length > a.transitions.length || (b.transitions.length === a.transitions.length && b.updatedAt >= a.updatedAt)
    ? b
    : a;
}

/**
 * The commands sent from this console (newest first, the last 10), kept up to date through the
 * live channel's `commands:<device>` topic.
 */
export function useCommandTrail(deviceId: string): { trail: LiveCommand[]; add: (command: LiveCommand) => void } {
  const [commands, setCommands] = useState<Record<string, LiveCommand>>({});
  const [sentIds, setSentIds] = useState<string[]>([]);
  useLive([`commands:${deviceId}`], (update) => {
    const mine = update.commands.filter((command) => command.deviceId === deviceId);
    if (mine.length > 0)
      setCommands((current) => {
        const next = { ...current };
        for (const command of mine) next[command.id] = newer(next[command.id], command);
        return next;
      });
  });
  const add = useCallback((command: LiveCommand) => {
    setCommands((current) => ({ ...current, [command.id]: newer(current[command.id], command) }));
    setSentIds((ids) => [command.id, ...ids].slice(0, SHOWN_COMMANDS));
  }, []);
  return { trail: sentIds.flatMap((id) => commands[id] ?? []), add };
}
