-- CreateIndex
CREATE UNIQUE INDEX "Message_conversationId_direction_externalId_key" ON "Message"("conversationId", "direction", "externalId");
