-- V23: each customer's bought-together suggestions, chosen from the basket rules when their version activates (issue 13: the
-- 360 reads them instead of matching up to 500 rules against the customer's products on every view).
CREATE TABLE "customer_suggestions" (
    "Id" INTEGER NOT NULL CONSTRAINT "PK_customer_suggestions" PRIMARY KEY AUTOINCREMENT,
    "CustomerId" INTEGER NOT NULL,
    "Rank" INTEGER NOT NULL,
    "RuleId" INTEGER NOT NULL,
    CONSTRAINT "FK_customer_suggestions_basket_rules_RuleId" FOREIGN KEY ("RuleId") REFERENCES "basket_rules" ("Id") ON DELETE CASCADE,
    CONSTRAINT "FK_customer_suggestions_customers_CustomerId" FOREIGN KEY ("CustomerId") REFERENCES "customers" ("Id") ON DELETE CASCADE
);

CREATE INDEX "IX_customer_suggestions_CustomerId_Rank" ON "customer_suggestions" ("CustomerId", "Rank");
CREATE INDEX "IX_customer_suggestions_RuleId" ON "customer_suggestions" ("RuleId");
