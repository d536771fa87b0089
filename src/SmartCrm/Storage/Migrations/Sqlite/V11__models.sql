-- V11: the model registry (issue 13, point 1): versions of each model kind with holdout metrics, and training runs.
CREATE TABLE "model_versions" (
    "Id" INTEGER NOT NULL CONSTRAINT "PK_model_versions" PRIMARY KEY AUTOINCREMENT,
    "Kind" TEXT NOT NULL,
    "Version" INTEGER NOT NULL,
    "Metric" TEXT NOT NULL,
    "Score" REAL NOT NULL,
    "HigherIsBetter" INTEGER NOT NULL,
    "Metrics" TEXT NULL,
    "TrainedFrom" TEXT NOT NULL,
    "TrainedTo" TEXT NOT NULL,
    "CreatedAt" TEXT NOT NULL,
    "Active" INTEGER NOT NULL,
    "ActivatedAt" TEXT NULL,
    "Decision" TEXT NULL,
    "RunId" INTEGER NULL,
    "Payload" BLOB NULL
);

CREATE UNIQUE INDEX "IX_model_versions_Kind_Version" ON "model_versions" ("Kind", "Version");

CREATE INDEX "IX_model_versions_Kind_Active" ON "model_versions" ("Kind", "Active");

CREATE TABLE "training_runs" (
    "Id" INTEGER NOT NULL CONSTRAINT "PK_training_runs" PRIMARY KEY AUTOINCREMENT,
    "Kind" TEXT NOT NULL,
    "State" TEXT NOT NULL,
    "Progress" REAL NOT NULL,
    "Message" TEXT NULL,
    "RequestedBy" TEXT NOT NULL,
    "RequestedAt" TEXT NOT NULL,
    "StartedAt" TEXT NULL,
    "FinishedAt" TEXT NULL,
    "CancelRequested" INTEGER NOT NULL,
    "ModelVersionId" INTEGER NULL
);

CREATE INDEX "IX_training_runs_State_Kind" ON "training_runs" ("State", "Kind");
