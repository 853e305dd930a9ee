-- pg_trgm: the trigram index of the queue search below (PGlite loads the extension in src/store/db.ts).
-- CreateExtension
CREATE EXTENSION IF NOT EXISTS "pg_trgm";

-- CreateIndex
CREATE INDEX "Case_searchText_trgm_idx" ON "Case" USING GIN ("searchText" gin_trgm_ops);
