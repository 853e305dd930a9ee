-- CreateIndex
CREATE INDEX "Case_receivedAt_idx" ON "Case"("receivedAt");

-- CreateIndex
CREATE INDEX "Case_answeredAt_idx" ON "Case"("answeredAt");

-- CreateIndex
CREATE INDEX "Case_closedAt_idx" ON "Case"("closedAt");

-- CreateIndex
CREATE INDEX "Case_ratedAt_idx" ON "Case"("ratedAt");
