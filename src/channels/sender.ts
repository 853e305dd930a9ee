/** How the outbox hands one message to a messenger. Each channel implements it. */
import type { ChannelName, Choice } from "../intake/types.ts";

export interface OutgoingMessage {
  chatId: string;
  text: string;
  choices?: Choice[];
  /** An image (https URL the messenger fetches itself) sent with `text` as its caption. */
  photoUrl?: string;
}

export interface SentMessage {
  /** The platform's id of the last message sent (a long text may go out as several). */
  externalMessageId?: string;
}

export interface ChannelSender {
  readonly channel: ChannelName;
  send(message: OutgoingMessage): Promise<SentMessage>;
}

/** A delivery failure, classified so the outbox knows whether and when to retry. */
export class DeliveryError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
    readonly retryAfterSeconds?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "DeliveryError";
  }
}
