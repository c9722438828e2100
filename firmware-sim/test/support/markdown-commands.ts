/** A shell command from a document, with where it is. */
export interface DocCommand {
  /** `docs/api.md:209` */
  where: string;
  /** The command as printed, continuation lines joined. */
  command: string;
}

/**
 * The commands a reader pastes to call the hub: in the fenced `sh` blocks of `markdown` (also
 * the indented ones inside list items), every command line that runs `curl` on `$HUB` (`curl …`
 * or `NAME=$(curl …)`), with `\` continuations joined and a `you$ ` prompt removed. Commands
 * for other hosts (installing Node, say) are not on `$HUB`.
 */
export function hubCommands(markdown: string, file: string): DocCommand[] {
  const commands: DocCommand[] = [];
  const lines = markdown.split("\n");
  let fence: { indent: string } | undefined;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    if (fence === undefined) {
      const open = /^( *)```(sh|bash|shell)\s*$/.exec(line);
      if (open) fence = { indent: open[1] ?? "" };
      continue;
    }
    if (line.trim() === "```") {
      fence = undefined;
      continue;
    }
    const start = i + 1;
    let command = line.slice(fence.indent.length);
    while (command.endsWith("\\") && i + 1 < lines.length) {
      i++;
      command = `${command.slice(0, -1)}${(lines[i] as string).trim()}`;
    }
    command = command.replace(/^you\$ +/, "").trim();
    if (/^(?:[A-Z_]+=\$\()?curl /.test(command) && command.includes("$HUB")) commands.push({ where: `${file}:${start}`, command });
  }
  return commands;
}
