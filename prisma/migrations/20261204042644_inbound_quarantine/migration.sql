-- AlterEnum
ALTER TYPE "InboundStatus" ADD VALUE 'quarantined';
