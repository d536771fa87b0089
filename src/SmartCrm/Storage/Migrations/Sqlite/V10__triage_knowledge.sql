-- V10: triage decisions with their reasons and the versions of the category model (issue 12, point 4); knowledge-base articles (point 5).
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

-- Knowledge-base articles, and every saved version of each (issue 12, point 5).
CREATE TABLE "articles" (
    "Id" INTEGER NOT NULL CONSTRAINT "PK_articles" PRIMARY KEY AUTOINCREMENT,
    "Title" TEXT NOT NULL,
    "Body" TEXT NOT NULL,
    "Category" TEXT NULL,
    "Language" TEXT NOT NULL,
    "Version" INTEGER NOT NULL,
    "Published" INTEGER NOT NULL,
    "CreatedAt" TEXT NOT NULL,
    "UpdatedAt" TEXT NOT NULL
);

CREATE INDEX "IX_articles_Category" ON "articles" ("Category");

CREATE INDEX "IX_articles_Published_UpdatedAt" ON "articles" ("Published", "UpdatedAt");

CREATE TABLE "article_versions" (
    "Id" INTEGER NOT NULL CONSTRAINT "PK_article_versions" PRIMARY KEY AUTOINCREMENT,
    "ArticleId" INTEGER NOT NULL,
    "Version" INTEGER NOT NULL,
    "Title" TEXT NOT NULL,
    "Body" TEXT NOT NULL,
    "Category" TEXT NULL,
    "Language" TEXT NOT NULL,
    "SavedAt" TEXT NOT NULL,
    CONSTRAINT "FK_article_versions_articles_ArticleId" FOREIGN KEY ("ArticleId") REFERENCES "articles" ("Id") ON DELETE CASCADE
);

CREATE UNIQUE INDEX "IX_article_versions_ArticleId_Version" ON "article_versions" ("ArticleId", "Version");
