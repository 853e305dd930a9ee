-- AlterTable
ALTER TABLE "Case" ADD COLUMN     "details" JSONB NOT NULL DEFAULT '{}';

-- AlterTable
ALTER TABLE "CaseSender" ADD COLUMN     "address" TEXT;

-- AlterTable
ALTER TABLE "RoutingRule" ADD COLUMN     "keywords" TEXT[] DEFAULT ARRAY[]::TEXT[],
ADD COLUMN     "places" TEXT[] DEFAULT ARRAY[]::TEXT[];
