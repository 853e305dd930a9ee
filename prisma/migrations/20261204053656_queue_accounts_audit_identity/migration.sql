-- AlterTable
ALTER TABLE "Case" ADD COLUMN     "assigneeId" UUID,
ADD COLUMN     "searchText" TEXT NOT NULL DEFAULT '',
ADD COLUMN     "version" INTEGER NOT NULL DEFAULT 0;

-- AlterTable
ALTER TABLE "Message" ADD COLUMN     "identity" BOOLEAN NOT NULL DEFAULT false;

-- AlterTable
ALTER TABLE "Official" ADD COLUMN     "failedLogins" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "lastLoginAt" TIMESTAMPTZ(3),
ADD COLUMN     "lockedUntil" TIMESTAMPTZ(3),
ADD COLUMN     "mustChangePassword" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "passwordChangedAt" TIMESTAMPTZ(3);

-- CreateTable
CREATE TABLE "OfficialSession" (
    "id" TEXT NOT NULL,
    "officialId" UUID NOT NULL,
    "csrfToken" TEXT NOT NULL,
    "userAgent" TEXT,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastSeenAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expiresAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "OfficialSession_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "CaseSender" (
    "caseId" UUID NOT NULL,
    "name" TEXT,
    "contact" TEXT,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "CaseSender_pkey" PRIMARY KEY ("caseId")
);

-- CreateTable
CREATE TABLE "AuditEntry" (
    "id" BIGSERIAL NOT NULL,
    "actorId" UUID,
    "action" TEXT NOT NULL,
    "targetType" TEXT NOT NULL,
    "targetId" TEXT,
    "data" JSONB NOT NULL DEFAULT '{}',
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "AuditEntry_pkey" PRIMARY KEY ("id")
);

-- Data (hand-written): the identity of the sender moves to its own table, and the search text of
-- existing cases (lower case, Vietnamese diacritics removed, as src/store/search.ts does. lower() in PostgreSQL may leave non-ASCII capitals under the C locale, so translate maps them too).
INSERT INTO "CaseSender" ("caseId", "name", "contact")
SELECT "id", "senderName", "senderContact" FROM "Case"
WHERE "senderName" IS NOT NULL OR "senderContact" IS NOT NULL;

UPDATE "Case" SET "searchText" = translate(
  lower(concat_ws(' ', "code", "subject", "address", "description")),
  'àáâãèéêìíòóôõùúýăĩũơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹđÀÁÂÃÈÉÊÌÍÒÓÔÕÙÚÝĂĨŨƠƯẠẢẤẦẨẪẬẮẰẲẴẶẸẺẼẾỀỂỄỆỈỊỌỎỐỒỔỖỘỚỜỞỠỢỤỦỨỪỬỮỰỲỴỶỸĐ',
  'aaaaeeeiioooouuyaiuouaaaaaaaaaaaaeeeeeeeeiioooooooooooouuuuuuuyyyydaaaaeeeiioooouuyaiuouaaaaaaaaaaaaeeeeeeeeiioooooooooooouuuuuuuyyyyd');

ALTER TABLE "Case" DROP COLUMN "senderContact",
DROP COLUMN "senderName";

-- CreateIndex
CREATE INDEX "OfficialSession_officialId_idx" ON "OfficialSession"("officialId");

-- CreateIndex
CREATE INDEX "OfficialSession_expiresAt_idx" ON "OfficialSession"("expiresAt");

-- CreateIndex
CREATE INDEX "AuditEntry_targetType_targetId_createdAt_idx" ON "AuditEntry"("targetType", "targetId", "createdAt");

-- CreateIndex
CREATE INDEX "AuditEntry_actorId_createdAt_idx" ON "AuditEntry"("actorId", "createdAt");

-- CreateIndex
CREATE INDEX "AuditEntry_action_createdAt_idx" ON "AuditEntry"("action", "createdAt");

-- CreateIndex
CREATE INDEX "Case_agencyId_dueAt_idx" ON "Case"("agencyId", "dueAt");

-- CreateIndex
CREATE INDEX "Case_dueAt_idx" ON "Case"("dueAt");

-- CreateIndex
CREATE INDEX "Case_assigneeId_idx" ON "Case"("assigneeId");

-- CreateIndex
CREATE INDEX "Case_queue_facets_idx" ON "Case"("agencyId", "status", "kind", "topicId", "placeId", "assigneeId", "dueAt", "updatedAt");

-- AddForeignKey
ALTER TABLE "Case" ADD CONSTRAINT "Case_assigneeId_fkey" FOREIGN KEY ("assigneeId") REFERENCES "Official"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "OfficialSession" ADD CONSTRAINT "OfficialSession_officialId_fkey" FOREIGN KEY ("officialId") REFERENCES "Official"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "CaseSender" ADD CONSTRAINT "CaseSender_caseId_fkey" FOREIGN KEY ("caseId") REFERENCES "Case"("id") ON DELETE CASCADE ON UPDATE CASCADE;
