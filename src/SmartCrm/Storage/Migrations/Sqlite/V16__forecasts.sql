-- V16: forecasts with intervals (issue 13, point 4): one row per forecast series of the active version of each forecast
-- model (demand per product, revenue per segment, device usage with its consumable due), and its weeks.
CREATE TABLE "forecast_series" (
    "Id" INTEGER NOT NULL CONSTRAINT "PK_forecast_series" PRIMARY KEY AUTOINCREMENT,
    "Kind" TEXT NOT NULL,
    "SubjectId" INTEGER NOT NULL,
    "Label" TEXT NOT NULL,
    "ModelVersion" INTEGER NOT NULL,
    "Method" TEXT NOT NULL,
    "Smape" REAL NULL,
    "Mase" REAL NULL,
    "NaiveSmape" REAL NULL,
    "NaiveMase" REAL NULL,
    "Level" REAL NOT NULL,
    "Consumable" TEXT NULL,
    "LifeUsed" REAL NULL,
    "DueAt" TEXT NULL,
    "DueEarliest" TEXT NULL,
    "DueLatest" TEXT NULL,
    "ComputedAt" TEXT NOT NULL
);

CREATE UNIQUE INDEX "IX_forecast_series_Kind_SubjectId" ON "forecast_series" ("Kind", "SubjectId");
CREATE INDEX "IX_forecast_series_Kind_DueAt" ON "forecast_series" ("Kind", "DueAt");

CREATE TABLE "forecast_points" (
    "Id" INTEGER NOT NULL CONSTRAINT "PK_forecast_points" PRIMARY KEY AUTOINCREMENT,
    "SeriesId" INTEGER NOT NULL,
    "Week" TEXT NOT NULL,
    "Actual" REAL NULL,
    "Mean" REAL NULL,
    "Lower" REAL NULL,
    "Upper" REAL NULL,
    CONSTRAINT "FK_forecast_points_forecast_series_SeriesId" FOREIGN KEY ("SeriesId") REFERENCES "forecast_series" ("Id") ON DELETE CASCADE
);

CREATE INDEX "IX_forecast_points_SeriesId_Week" ON "forecast_points" ("SeriesId", "Week");
