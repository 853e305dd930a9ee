/** Durable intake of webhook/polling updates: see store.ts (storeUpdate) and processor.ts. */
export {
  type ClaimedUpdate,
  type InboundPassResult,
  InboundProcessor,
  type InboundProcessorOptions,
  type UpdateHandler,
  updateDedupeKey,
} from "./processor.ts";
export {
  dismissUpdate,
  listFailedUpdates,
  retryUpdate,
  type StoreUpdateInput,
  type StoreUpdateResult,
  storeUpdate,
} from "./store.ts";
