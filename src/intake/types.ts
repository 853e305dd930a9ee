/** What the intake dialogue receives and answers, whatever the channel. */
export type ChannelName = "web" | "telegram" | "zalo";

export interface IncomingPhoto {
  /** Channel reference to fetch the file on demand (Telegram file_id, Zalo image URL). */
  ref: string;
  url?: string;
}

export interface IncomingMessage {
  channel: ChannelName;
  /** Where replies go (Telegram chat id, Zalo chat id, web conversation id). */
  chatId: string;
  /** The sender's identity on the channel. */
  userId: string;
  displayName?: string;
  text?: string;
  photo?: IncomingPhoto;
  /** The channel's own message or update id, when known (deduplication, audit). */
  externalId?: string;
  /**
   * Where the message came from, for abuse limits: the web client's IP address. Absent on
   * messengers (the sender's account is the address there).
   */
  address?: string;
  /** True when the message came from a group chat (the bot answers in private only). */
  isGroup?: boolean;
  receivedAt?: Date;
}

export interface Choice {
  /** What the citizen may type to pick it (a number on Zalo); also the button payload. */
  id: string;
  label: string;
}

export interface Reply {
  text: string;
  choices?: Choice[];
}
