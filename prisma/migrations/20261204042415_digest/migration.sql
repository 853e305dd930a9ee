-- AlterTable
ALTER TABLE "OutboxMessage" ADD COLUMN     "photoUrl" TEXT;

-- CreateTable
CREATE TABLE "DigestPush" (
    "id" UUID NOT NULL,
    "scope" TEXT NOT NULL,
    "periodKey" TEXT NOT NULL,
    "periodStart" TIMESTAMPTZ(3) NOT NULL,
    "periodEnd" TIMESTAMPTZ(3) NOT NULL,
    "chart" BYTEA NOT NULL,
    "chartToken" TEXT NOT NULL,
    "chats" JSONB NOT NULL DEFAULT '[]',
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "DigestPush_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "DigestPush_chartToken_key" ON "DigestPush"("chartToken");

-- CreateIndex
CREATE UNIQUE INDEX "DigestPush_periodKey_scope_key" ON "DigestPush"("periodKey", "scope");
