/**
 * Route modules of the officials' queue written elsewhere (legal documents, registers, exports,
 * walk-in petitions, administration, the review of messages that could not be processed). Each registers its /queue/... routes on the queue app after
 * the session middleware, so they get `official` and `csrfToken` from the context and CSRF checks
 * on every POST. Add an entry here to mount one.
 */
import type { QueueRoutes } from "./context.ts";
import { adminRoutes } from "./pages/admin.tsx";
import { docsAssetRoutes } from "./pages/common.tsx";
import { documentRoutes } from "./pages/documents.tsx";
import { inboundReviewRoutes } from "./pages/inbound.tsx";
import { registerRoutes } from "./pages/registers.tsx";
import { walkInRoutes } from "./pages/walk-in.tsx";

export const queueExtensions: QueueRoutes[] = [
  (app) => docsAssetRoutes(app),
  walkInRoutes,
  documentRoutes,
  registerRoutes,
  adminRoutes,
  inboundReviewRoutes,
];
