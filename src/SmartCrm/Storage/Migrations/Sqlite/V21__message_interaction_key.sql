-- V21: a ticket message's timeline entry is a foreign key. EF then writes the interaction before the message in one save (an
-- inbound message costs one round of inserts, not two), and a removed interaction leaves the message without a link, not a
-- dangling id. SQLite adds a constraint only by rebuilding the table; links to interactions already gone are cleared.
CREATE TABLE "ticket_messages_v21" (
    "Id" INTEGER NOT NULL CONSTRAINT "PK_ticket_messages" PRIMARY KEY AUTOINCREMENT,
    "TicketId" INTEGER NOT NULL,
    "Kind" TEXT NOT NULL,
    "Author" TEXT NULL,
    "Body" TEXT NOT NULL,
    "CreatedAt" TEXT NOT NULL,
    "InteractionId" INTEGER NULL,
    "ExternalId" TEXT NULL,
    CONSTRAINT "FK_ticket_messages_tickets_TicketId" FOREIGN KEY ("TicketId") REFERENCES "tickets" ("Id") ON DELETE CASCADE,
    CONSTRAINT "FK_ticket_messages_interactions_InteractionId" FOREIGN KEY ("InteractionId") REFERENCES "interactions" ("Id") ON DELETE SET NULL
);

INSERT INTO "ticket_messages_v21" ("Id", "TicketId", "Kind", "Author", "Body", "CreatedAt", "InteractionId", "ExternalId")
SELECT m."Id", m."TicketId", m."Kind", m."Author", m."Body", m."CreatedAt",
       CASE WHEN EXISTS (SELECT 1 FROM "interactions" i WHERE i."Id" = m."InteractionId") THEN m."InteractionId" END, m."ExternalId"
FROM "ticket_messages" m;
DROP TABLE "ticket_messages";
ALTER TABLE "ticket_messages_v21" RENAME TO "ticket_messages";

CREATE INDEX "IX_ticket_messages_TicketId_CreatedAt" ON "ticket_messages" ("TicketId", "CreatedAt");
CREATE INDEX "IX_ticket_messages_ExternalId" ON "ticket_messages" ("ExternalId");
-- Removing an interaction finds its messages by the index, not by reading them all.
CREATE INDEX "IX_ticket_messages_InteractionId" ON "ticket_messages" ("InteractionId");
