-- V20: the ticket list's sorts (newest, recently updated, priority, open by update) read pages from an index at 100,000 tickets.
CREATE INDEX "IX_tickets_CreatedAt_Id" ON tickets ("CreatedAt", "Id");
CREATE INDEX "IX_tickets_UpdatedAt_Id" ON tickets ("UpdatedAt", "Id");
CREATE INDEX "IX_tickets_Priority_Id" ON tickets ("Priority", "Id");
CREATE INDEX "IX_tickets_Status_UpdatedAt_Id" ON tickets ("Status", "UpdatedAt", "Id");
