-- V11.1: stored insights (issue 13, points 5 and 7): churn scores with their reasons, and a copy of the score on the customer
-- for the customer list's sort.
ALTER TABLE customers ADD "ChurnScore" double precision;

CREATE INDEX "IX_customers_ChurnScore" ON customers ("ChurnScore");

CREATE TABLE churn_scores (
    "CustomerId" bigint NOT NULL,
    "Score" double precision NOT NULL,
    "Reasons" text NOT NULL,
    "ModelVersion" integer NOT NULL,
    "ScoredAt" timestamp with time zone NOT NULL,
    CONSTRAINT "PK_churn_scores" PRIMARY KEY ("CustomerId"),
    CONSTRAINT "FK_churn_scores_customers_CustomerId" FOREIGN KEY ("CustomerId") REFERENCES customers ("Id") ON DELETE CASCADE
);
