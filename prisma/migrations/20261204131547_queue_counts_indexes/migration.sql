-- DropIndex
DROP INDEX "Case_agencyId_status_idx";

-- CreateIndex
CREATE INDEX "Case_agencyId_status_updatedAt_idx" ON "Case"("agencyId", "status", "updatedAt");

-- CreateIndex
CREATE INDEX "Case_status_updatedAt_idx" ON "Case"("status", "updatedAt");

-- CreateIndex
CREATE INDEX "Case_queue_facets_by_status_idx" ON "Case"("status", "agencyId", "kind", "topicId", "placeId", "assigneeId", "dueAt");
