-- AlterEnum
-- This migration adds more than one value to an enum.
-- With PostgreSQL versions 11 and earlier, this is not possible
-- in a single migration. This can be worked around by creating
-- multiple migrations, each migration adding only one value to
-- the enum.


ALTER TYPE "Channel" ADD VALUE 'walk_in';
ALTER TYPE "Channel" ADD VALUE 'post';
ALTER TYPE "Channel" ADD VALUE 'reception';

-- AlterTable
ALTER TABLE "Agency" ADD COLUMN     "editedAt" TIMESTAMPTZ(3);

-- CreateTable
CREATE TABLE "RoutingRule" (
    "id" INTEGER NOT NULL,
    "position" INTEGER NOT NULL,
    "name" TEXT NOT NULL,
    "kinds" TEXT[],
    "topics" TEXT[],
    "scope" TEXT NOT NULL,
    "agency" TEXT NOT NULL,
    "active" BOOLEAN NOT NULL DEFAULT true,
    "editedAt" TIMESTAMPTZ(3),

    CONSTRAINT "RoutingRule_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "CalendarDay" (
    "date" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "workingDay" BOOLEAN NOT NULL DEFAULT false,
    "provisional" BOOLEAN NOT NULL DEFAULT false,
    "active" BOOLEAN NOT NULL DEFAULT true,
    "editedAt" TIMESTAMPTZ(3),

    CONSTRAINT "CalendarDay_pkey" PRIMARY KEY ("date")
);

-- CreateTable
CREATE TABLE "CannedReply" (
    "id" TEXT NOT NULL,
    "title" TEXT NOT NULL,
    "body" TEXT NOT NULL,
    "topics" TEXT[],
    "active" BOOLEAN NOT NULL DEFAULT true,
    "editedAt" TIMESTAMPTZ(3),

    CONSTRAINT "CannedReply_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Reception" (
    "id" UUID NOT NULL,
    "caseId" UUID NOT NULL,
    "agencyId" TEXT NOT NULL,
    "officialId" UUID,
    "channel" "Channel" NOT NULL,
    "receivedAt" TIMESTAMPTZ(3) NOT NULL,
    "peopleCount" INTEGER NOT NULL DEFAULT 1,
    "presidedBy" TEXT,
    "note" TEXT,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Reception_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "Reception_agencyId_receivedAt_idx" ON "Reception"("agencyId", "receivedAt");

-- CreateIndex
CREATE INDEX "Reception_caseId_idx" ON "Reception"("caseId");
