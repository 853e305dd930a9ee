/**
 * Route modules of the officials' queue written elsewhere (legal documents, registers, exports,
 * walk-in petitions, administration). Each registers its /queue/... routes on the queue app after
 * the session middleware, so they get `official` and `csrfToken` from the context and CSRF checks
 * on every POST. Add an entry here to mount one.
 */
import type { QueueRoutes } from "./context.ts";

export const queueExtensions: QueueRoutes[] = [];
