/** Reliable delivery of every outbound message: see store.ts (enqueue) and worker.ts (delivery). */
export {
  type ChannelRate,
  defaultRateLimits,
  RateLimiter,
  type RateLimits,
  TokenBucket,
} from "./rate-limit.ts";
export {
  type EnqueueInput,
  type EnqueueResult,
  enqueue,
  enqueueMany,
  enqueueStatement,
  type ListFailedOptions,
  listFailed,
  retry,
} from "./store.ts";
export { type Clock, type DbClient, type Logger, silentLogger, systemClock } from "./support.ts";
export {
  type OutboxPassResult,
  type OutboxPolicy,
  OutboxWorker,
  type OutboxWorkerOptions,
} from "./worker.ts";
