-- CreateIndex
CREATE INDEX "InboundUpdate_pending_id_idx" ON "InboundUpdate"("id") WHERE (status = 'pending');
