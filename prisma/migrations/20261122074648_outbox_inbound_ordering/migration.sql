-- AlterTable
ALTER TABLE "InboundUpdate" ADD COLUMN     "nextAttemptAt" TIMESTAMPTZ(3);

-- CreateIndex
CREATE INDEX "InboundUpdate_channel_chatId_id_idx" ON "InboundUpdate"("channel", "chatId", "id");

-- CreateIndex
CREATE INDEX "OutboxMessage_channel_chatId_createdAt_idx" ON "OutboxMessage"("channel", "chatId", "createdAt");
