-- AlterTable
ALTER TABLE "Case" ADD COLUMN     "details" JSONB NOT NULL DEFAULT '{}';

-- AlterTable
ALTER TABLE "CaseSender" ADD COLUMN     "address" TEXT;
