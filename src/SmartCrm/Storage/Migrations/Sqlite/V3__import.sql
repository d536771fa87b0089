-- V3: imports and their problem reports, customer sources per system and per field, duplicate candidates, merges, ratings
-- (from 'smartcrm schema-script --provider sqlite').
CREATE TABLE "customer_merges" (
    "Id" INTEGER NOT NULL CONSTRAINT "PK_customer_merges" PRIMARY KEY AUTOINCREMENT,
    "SurvivorId" INTEGER NOT NULL,
    "MergedId" INTEGER NOT NULL,
    "MergedName" TEXT NOT NULL,
    "Score" REAL NULL,
    "Rule" TEXT NOT NULL,
    "Actor" TEXT NULL,
    "At" TEXT NOT NULL,
    "UndoneAt" TEXT NULL,
    "Snapshot" TEXT NOT NULL
);

CREATE TABLE "import_runs" (
    "Id" INTEGER NOT NULL CONSTRAINT "PK_import_runs" PRIMARY KEY AUTOINCREMENT,
    "Kind" TEXT NOT NULL,
    "FileName" TEXT NOT NULL,
    "Source" TEXT NOT NULL,
    "Fingerprint" TEXT NOT NULL,
    "Status" TEXT NOT NULL,
    "DryRun" INTEGER NOT NULL,
    "Actor" TEXT NULL,
    "StartedAt" TEXT NOT NULL,
    "FinishedAt" TEXT NULL,
    "TotalBytes" INTEGER NOT NULL,
    "BytesRead" INTEGER NOT NULL,
    "LastLine" INTEGER NOT NULL,
    "RowsRead" INTEGER NOT NULL,
    "Imported" INTEGER NOT NULL,
    "Updated" INTEGER NOT NULL,
    "Rejected" INTEGER NOT NULL,
    "Merged" INTEGER NOT NULL,
    "Altered" INTEGER NOT NULL,
    "ForReview" INTEGER NOT NULL,
    "Error" TEXT NULL,
    "Mapping" TEXT NULL
);

CREATE TABLE "customer_sources" (
    "Id" INTEGER NOT NULL CONSTRAINT "PK_customer_sources" PRIMARY KEY AUTOINCREMENT,
    "CustomerId" INTEGER NOT NULL,
    "System" TEXT NOT NULL,
    "ExternalId" TEXT NOT NULL,
    "Fields" TEXT NULL,
    "Attributes" TEXT NULL,
    "FirstSeenAt" TEXT NOT NULL,
    "LastSeenAt" TEXT NOT NULL,
    CONSTRAINT "FK_customer_sources_customers_CustomerId" FOREIGN KEY ("CustomerId") REFERENCES "customers" ("Id") ON DELETE CASCADE
);

CREATE TABLE "duplicate_candidates" (
    "Id" INTEGER NOT NULL CONSTRAINT "PK_duplicate_candidates" PRIMARY KEY AUTOINCREMENT,
    "CustomerId" INTEGER NOT NULL,
    "OtherId" INTEGER NOT NULL,
    "Score" REAL NOT NULL,
    "Reasons" TEXT NULL,
    "Status" TEXT NOT NULL,
    "FoundAt" TEXT NOT NULL,
    "ImportRunId" INTEGER NULL,
    CONSTRAINT "FK_duplicate_candidates_customers_CustomerId" FOREIGN KEY ("CustomerId") REFERENCES "customers" ("Id") ON DELETE CASCADE,
    CONSTRAINT "FK_duplicate_candidates_customers_OtherId" FOREIGN KEY ("OtherId") REFERENCES "customers" ("Id") ON DELETE CASCADE
);

CREATE TABLE "import_problems" (
    "Id" INTEGER NOT NULL CONSTRAINT "PK_import_problems" PRIMARY KEY AUTOINCREMENT,
    "RunId" INTEGER NOT NULL,
    "Line" INTEGER NOT NULL,
    "Column" TEXT NULL,
    "Value" TEXT NULL,
    "Action" TEXT NOT NULL,
    "Reason" TEXT NOT NULL,
    CONSTRAINT "FK_import_problems_import_runs_RunId" FOREIGN KEY ("RunId") REFERENCES "import_runs" ("Id") ON DELETE CASCADE
);

CREATE TABLE "ratings" (
    "Id" INTEGER NOT NULL CONSTRAINT "PK_ratings" PRIMARY KEY AUTOINCREMENT,
    "CustomerId" INTEGER NOT NULL,
    "ProductId" INTEGER NOT NULL,
    "Score" REAL NOT NULL,
    "RatedAt" TEXT NOT NULL,
    CONSTRAINT "FK_ratings_customers_CustomerId" FOREIGN KEY ("CustomerId") REFERENCES "customers" ("Id") ON DELETE CASCADE,
    CONSTRAINT "FK_ratings_products_ProductId" FOREIGN KEY ("ProductId") REFERENCES "products" ("Id") ON DELETE CASCADE
);

CREATE INDEX "IX_customer_merges_MergedId" ON "customer_merges" ("MergedId");

CREATE INDEX "IX_customer_merges_SurvivorId" ON "customer_merges" ("SurvivorId");

CREATE INDEX "IX_customer_sources_CustomerId" ON "customer_sources" ("CustomerId");

CREATE UNIQUE INDEX "IX_customer_sources_System_ExternalId" ON "customer_sources" ("System", "ExternalId");

CREATE UNIQUE INDEX "IX_duplicate_candidates_CustomerId_OtherId" ON "duplicate_candidates" ("CustomerId", "OtherId");

CREATE INDEX "IX_duplicate_candidates_OtherId" ON "duplicate_candidates" ("OtherId");

CREATE INDEX "IX_duplicate_candidates_Status_Score" ON "duplicate_candidates" ("Status", "Score");

CREATE INDEX "IX_import_problems_RunId_Line" ON "import_problems" ("RunId", "Line");

CREATE INDEX "IX_import_runs_Fingerprint_Kind" ON "import_runs" ("Fingerprint", "Kind");

CREATE INDEX "IX_ratings_CustomerId_ProductId" ON "ratings" ("CustomerId", "ProductId");

CREATE INDEX "IX_ratings_ProductId" ON "ratings" ("ProductId");
