-- V12: the active basket rules (issue 13, point 3), replaced whenever a new "baskets" model version activates.
CREATE TABLE "basket_rules" (
    "Id" INTEGER NOT NULL CONSTRAINT "PK_basket_rules" PRIMARY KEY AUTOINCREMENT,
    "ModelVersionId" INTEGER NOT NULL,
    "Antecedent" TEXT NOT NULL,
    "AntecedentSize" INTEGER NOT NULL,
    "Consequent" TEXT NOT NULL,
    "Count" INTEGER NOT NULL,
    "Support" REAL NOT NULL,
    "Confidence" REAL NOT NULL,
    "Lift" REAL NOT NULL
);

CREATE INDEX "IX_basket_rules_Antecedent" ON "basket_rules" ("Antecedent");
CREATE INDEX "IX_basket_rules_Lift" ON "basket_rules" ("Lift");
