-- V17: recommendations (issue 13, point 6): the stored recommendations of the active model version, and the feedback on them
-- (shown, accepted, dismissed, bought) that the next training reads.
CREATE TABLE "recommendations" (
    "Id" INTEGER NOT NULL CONSTRAINT "PK_recommendations" PRIMARY KEY AUTOINCREMENT,
    "CustomerId" INTEGER NOT NULL,
    "ProductId" INTEGER NOT NULL,
    "Rank" INTEGER NOT NULL,
    "Score" REAL NOT NULL,
    "Source" TEXT NOT NULL,
    "BecauseProductId" INTEGER NULL,
    "Share" REAL NULL,
    "DaysSinceBought" INTEGER NULL,
    "ModelVersion" INTEGER NOT NULL,
    "ScoredAt" TEXT NOT NULL,
    CONSTRAINT "FK_recommendations_customers_CustomerId" FOREIGN KEY ("CustomerId") REFERENCES "customers" ("Id") ON DELETE CASCADE
);

CREATE INDEX "IX_recommendations_CustomerId_Rank" ON "recommendations" ("CustomerId", "Rank");

CREATE TABLE "recommendation_feedback" (
    "Id" INTEGER NOT NULL CONSTRAINT "PK_recommendation_feedback" PRIMARY KEY AUTOINCREMENT,
    "CustomerId" INTEGER NOT NULL,
    "ProductId" INTEGER NOT NULL,
    "Kind" TEXT NOT NULL,
    "By" TEXT NOT NULL,
    "At" TEXT NOT NULL,
    CONSTRAINT "FK_recommendation_feedback_customers_CustomerId" FOREIGN KEY ("CustomerId") REFERENCES "customers" ("Id") ON DELETE CASCADE,
    CONSTRAINT "FK_recommendation_feedback_products_ProductId" FOREIGN KEY ("ProductId") REFERENCES "products" ("Id") ON DELETE CASCADE
);

CREATE INDEX "IX_recommendation_feedback_CustomerId_ProductId" ON "recommendation_feedback" ("CustomerId", "ProductId");
CREATE INDEX "IX_recommendation_feedback_ProductId" ON "recommendation_feedback" ("ProductId");
