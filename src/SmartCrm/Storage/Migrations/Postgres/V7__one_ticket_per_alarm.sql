-- V7: one ticket per alarm. A fault ticket names the alarm that opened it, under a unique index: when two nodes give the same
-- alarm a ticket at the same moment, the second insert fails and is rolled back instead of leaving a duplicate ticket.
ALTER TABLE tickets ADD "AlarmId" bigint;
ALTER TABLE tickets ADD CONSTRAINT "FK_tickets_alarms_AlarmId" FOREIGN KEY ("AlarmId") REFERENCES alarms ("Id") ON DELETE SET NULL;
-- Tickets opened before this version are found through the alarm that links them (each such alarm opened its own).
UPDATE tickets SET "AlarmId" = a."Id" FROM alarms a WHERE a."TicketId" = tickets."Id";
CREATE UNIQUE INDEX "IX_tickets_AlarmId" ON tickets ("AlarmId");
