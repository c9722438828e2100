/** A channel definition the hub cannot use (the API answers 400 `TH_API_CHANNEL_INVALID` with `details.field`). */
export class ChannelInvalidError extends Error {
  constructor(
    /** The offending field as a dotted path, e.g. `settings.to` or `rateLimit.windowMs`. */
    readonly field: string,
    message: string,
  ) {
    super(message);
    this.name = "ChannelInvalidError";
  }
}

/** Creating one more channel would pass `notifications.maxChannels` (409 `TH_API_CHANNEL_LIMIT`). */
export class ChannelLimitError extends Error {
  constructor(readonly limit: number) {
    super(`the hub holds at most ${limit} notification channels (notifications.maxChannels)`);
    this.name = "ChannelLimitError";
  }
}
