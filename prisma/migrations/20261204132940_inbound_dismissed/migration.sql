-- AlterEnum
ALTER TYPE "InboundStatus" ADD VALUE 'dismissed';
