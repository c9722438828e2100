/**
 * One `update` message (docs/api.md, "Live updates"), encoded once and shared by every
 * connection that gets the same content: the JSON text, its UTF-8 bytes (the payload of a
 * WebSocket text frame, sent as they are to each socket) and its Server-Sent Events form, each
 * made on first use.
 */
export class LiveMessage {
  private utf8: Buffer | undefined;
  private event: Buffer | undefined;

  constructor(readonly text: string) {}

  /** The JSON text as UTF-8. */
  get bytes(): Buffer {
    if (this.utf8 === undefined) this.utf8 = Buffer.from(this.text);
    return this.utf8;
  }

  /** The message as one Server-Sent Event, `event: update`. */
  get sseEvent(): Buffer {
    if (this.event === undefined) this.event = Buffer.from(`event: update\ndata: ${this.text}\n\n`);
    return this.event;
  }
}
