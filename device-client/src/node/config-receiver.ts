import type { ConfigFrame, DataValue, DeviceFrame } from "../protocol/index.js";

/** Applies a desired configuration document; throw to report that it could not be applied. */
export type ConfigHandler = (document: { [key: string]: DataValue }, version: number) => void | Promise<void>;

/**
 * The device side of desired configuration: runs the handler for each new version (in order),
 * acknowledges with `config_ack`, and remembers the applied version, which the next `hello`
 * reports so the hub resends the document only when the device is behind.
 */
export class ConfigReceiver {
  private handler: ConfigHandler | undefined;
  private applying: Promise<void> = Promise.resolve();
  /** Version of the document last applied successfully (0: none). */
  appliedVersion: number;

  constructor(
    private readonly send: (frame: DeviceFrame) => void,
    initialVersion = 0,
  ) {
    this.appliedVersion = initialVersion;
  }

  on(handler: ConfigHandler): void {
    this.handler = handler;
  }

  receive(frame: ConfigFrame): void {
    this.applying = this.applying.then(async () => {
      if (frame.v <= this.appliedVersion) {
        this.send({ t: "config_ack", v: frame.v, ok: true });
        return;
      }
      try {
        await this.handler?.(frame.d, frame.v);
        this.appliedVersion = frame.v;
        this.send({ t: "config_ack", v: frame.v, ok: true });
      } catch (error) {
        this.send({ t: "config_ack", v: frame.v, ok: false, err: error instanceof Error ? error.message : String(error) });
      }
    });
  }
}
