-- V21: a ticket message's timeline entry is a foreign key. EF then writes the interaction before the message in one save (an
-- inbound message costs one round of inserts, not two), and a removed interaction leaves the message without a link, not a
-- dangling id. Links to interactions already gone are cleared first.
UPDATE ticket_messages m SET "InteractionId" = NULL
WHERE m."InteractionId" IS NOT NULL AND NOT EXISTS (SELECT 1 FROM interactions i WHERE i."Id" = m."InteractionId");
ALTER TABLE ticket_messages ADD CONSTRAINT "FK_ticket_messages_interactions_InteractionId"
    FOREIGN KEY ("InteractionId") REFERENCES interactions ("Id") ON DELETE SET NULL;
-- Removing an interaction finds its messages by the index, not by reading them all.
CREATE INDEX "IX_ticket_messages_InteractionId" ON ticket_messages ("InteractionId");
