/** A command request the hub refuses; the HTTP layer maps `reason` to its error code. */
export class CommandRefusedError extends Error {
  constructor(
    readonly reason: "queue-full" | "not-cancellable" | "unknown-device",
    message: string,
  ) {
    super(message);
    this.name = "CommandRefusedError";
  }
}
