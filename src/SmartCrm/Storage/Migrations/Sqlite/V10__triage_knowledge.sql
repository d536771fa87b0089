-- V10: triage decisions with their reasons, and the versions of the category model (issue 12, point 4).
CREATE TABLE "triage_decisions" (
    "Id" INTEGER NOT NULL CONSTRAINT "PK_triage_decisions" PRIMARY KEY AUTOINCREMENT,
    "TicketId" INTEGER NOT NULL,
    "Category" TEXT NOT NULL,
    "PredictedCategory" TEXT NOT NULL,
    "Margin" REAL NOT NULL,
    "TopTerms" TEXT NULL,
    "Sentiment" REAL NOT NULL,
    "Mood" TEXT NOT NULL,
    "Score" INTEGER NOT NULL,
    "SuggestedPriority" TEXT NOT NULL,
    "Reasons" TEXT NOT NULL,
    "ModelVersion" INTEGER NULL,
    "DecidedAt" TEXT NOT NULL,
    "CorrectedBy" TEXT NULL,
    "CorrectedAt" TEXT NULL,
    CONSTRAINT "FK_triage_decisions_tickets_TicketId" FOREIGN KEY ("TicketId") REFERENCES "tickets" ("Id") ON DELETE CASCADE
);

CREATE INDEX "IX_triage_decisions_Category" ON "triage_decisions" ("Category");

CREATE UNIQUE INDEX "IX_triage_decisions_TicketId" ON "triage_decisions" ("TicketId");

CREATE TABLE "triage_models" (
    "Id" INTEGER NOT NULL CONSTRAINT "PK_triage_models" PRIMARY KEY AUTOINCREMENT,
    "TrainedAt" TEXT NOT NULL,
    "Examples" INTEGER NOT NULL,
    "HoldoutExamples" INTEGER NOT NULL,
    "HoldoutAccuracy" REAL NOT NULL,
    "PreviousAccuracy" REAL NULL,
    "Active" INTEGER NOT NULL,
    "Outcome" TEXT NOT NULL,
    "TrainingSet" BLOB NOT NULL
);

CREATE INDEX "IX_triage_models_Active" ON "triage_models" ("Active");
