-- CreateIndex
CREATE INDEX "OutboxMessage_undelivered_age_idx" ON "OutboxMessage"("createdAt", "id") WHERE (status = ANY (ARRAY['pending'::"OutboxStatus", 'sending'::"OutboxStatus"]));

-- CreateIndex
CREATE INDEX "OutboxMessage_undelivered_idx" ON "OutboxMessage"("channel", "chatId", "createdAt", "id") WHERE (status = ANY (ARRAY['pending'::"OutboxStatus", 'sending'::"OutboxStatus"]));
