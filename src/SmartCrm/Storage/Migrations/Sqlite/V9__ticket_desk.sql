-- V9: the ticket desk (issue 12, point 1): SLA clocks by priority and tier, assignment, satisfaction, and the conversation.

ALTER TABLE "tickets" ADD "Tier" TEXT NOT NULL DEFAULT 'Standard';
ALTER TABLE "tickets" ADD "FirstResponseDueAt" TEXT NULL;
ALTER TABLE "tickets" ADD "FirstRespondedAt" TEXT NULL;
ALTER TABLE "tickets" ADD "PausedAt" TEXT NULL;
ALTER TABLE "tickets" ADD "ResolvedAt" TEXT NULL;
ALTER TABLE "tickets" ADD "AssignedAt" TEXT NULL;
ALTER TABLE "tickets" ADD "Channel" TEXT NULL;
ALTER TABLE "tickets" ADD "Satisfaction" INTEGER NULL;
ALTER TABLE "tickets" ADD "SatisfactionComment" TEXT NULL;

-- Tickets closed before the desk existed were resolved when they last changed.
UPDATE "tickets" SET "ResolvedAt" = "UpdatedAt" WHERE "Status" IN ('Resolved', 'Closed');

CREATE INDEX "IX_tickets_Assignee_Status" ON "tickets" ("Assignee", "Status");

CREATE TABLE "ticket_messages" (
    "Id" INTEGER NOT NULL CONSTRAINT "PK_ticket_messages" PRIMARY KEY AUTOINCREMENT,
    "TicketId" INTEGER NOT NULL,
    "Kind" TEXT NOT NULL,
    "Author" TEXT NULL,
    "Body" TEXT NOT NULL,
    "CreatedAt" TEXT NOT NULL,
    "InteractionId" INTEGER NULL,
    "ExternalId" TEXT NULL,
    CONSTRAINT "FK_ticket_messages_tickets_TicketId" FOREIGN KEY ("TicketId") REFERENCES "tickets" ("Id") ON DELETE CASCADE
);

CREATE INDEX "IX_ticket_messages_TicketId_CreatedAt" ON "ticket_messages" ("TicketId", "CreatedAt");

CREATE INDEX "IX_ticket_messages_ExternalId" ON "ticket_messages" ("ExternalId");
