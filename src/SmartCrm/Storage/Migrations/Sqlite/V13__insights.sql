-- V13: stored insights (issue 13, points 5 and 7): churn scores with their reasons, and a copy of the score on the customer
-- for the customer list's sort.
ALTER TABLE "customers" ADD "ChurnScore" REAL NULL;

CREATE INDEX "IX_customers_ChurnScore" ON "customers" ("ChurnScore");

CREATE TABLE "churn_scores" (
    "CustomerId" INTEGER NOT NULL CONSTRAINT "PK_churn_scores" PRIMARY KEY,
    "Score" REAL NOT NULL,
    "Reasons" TEXT NOT NULL,
    "ModelVersion" INTEGER NOT NULL,
    "ScoredAt" TEXT NOT NULL,
    CONSTRAINT "FK_churn_scores_customers_CustomerId" FOREIGN KEY ("CustomerId") REFERENCES "customers" ("Id") ON DELETE CASCADE
);

-- Segments of the active segmentation, and each customer's segment (the customer list filters by it).
ALTER TABLE "customers" ADD "Segment" INTEGER NULL;

CREATE INDEX "IX_customers_Segment" ON "customers" ("Segment");

CREATE TABLE "segments" (
    "Id" INTEGER NOT NULL CONSTRAINT "PK_segments" PRIMARY KEY AUTOINCREMENT,
    "Number" INTEGER NOT NULL,
    "ModelVersion" INTEGER NOT NULL,
    "Size" INTEGER NOT NULL,
    "AverageSpend" REAL NOT NULL,
    "AverageRecencyDays" REAL NOT NULL,
    "DeviceShare" REAL NOT NULL,
    "AverageChurn" REAL NOT NULL,
    "TypicalProducts" TEXT NULL,
    "Distinctive" TEXT NOT NULL
);
