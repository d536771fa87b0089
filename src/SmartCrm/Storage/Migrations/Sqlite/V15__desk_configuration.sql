-- V15: the desk's configuration and outbox (issue 12, points 1 and 3): SLA policies as a table, queues and agents' skills,
-- merged tickets, saved list views, and replies waiting to go out through their channel.

CREATE TABLE "sla_policies" (
    "Id" INTEGER NOT NULL CONSTRAINT "PK_sla_policies" PRIMARY KEY AUTOINCREMENT,
    "Priority" TEXT NOT NULL,
    "Tier" TEXT NOT NULL,
    "FirstResponseMinutes" INTEGER NOT NULL,
    "ResolutionMinutes" INTEGER NOT NULL,
    "UpdatedAt" TEXT NOT NULL,
    "UpdatedBy" TEXT NULL
);

CREATE UNIQUE INDEX "IX_sla_policies_Priority_Tier" ON "sla_policies" ("Priority", "Tier");

-- The policies the desk had in code until now (Sla.Defaults), so nothing changes until someone edits them.
INSERT INTO "sla_policies" ("Priority", "Tier", "FirstResponseMinutes", "ResolutionMinutes", "UpdatedAt") VALUES
    ('Urgent', 'Standard', 60, 240, strftime('%Y-%m-%d %H:%M:%S', 'now')),
    ('High', 'Standard', 120, 480, strftime('%Y-%m-%d %H:%M:%S', 'now')),
    ('Normal', 'Standard', 480, 1440, strftime('%Y-%m-%d %H:%M:%S', 'now')),
    ('Low', 'Standard', 1440, 4320, strftime('%Y-%m-%d %H:%M:%S', 'now')),
    ('Urgent', 'Premium', 30, 120, strftime('%Y-%m-%d %H:%M:%S', 'now')),
    ('High', 'Premium', 60, 240, strftime('%Y-%m-%d %H:%M:%S', 'now')),
    ('Normal', 'Premium', 240, 720, strftime('%Y-%m-%d %H:%M:%S', 'now')),
    ('Low', 'Premium', 720, 2160, strftime('%Y-%m-%d %H:%M:%S', 'now'));

CREATE TABLE "ticket_queues" (
    "Id" INTEGER NOT NULL CONSTRAINT "PK_ticket_queues" PRIMARY KEY AUTOINCREMENT,
    "Name" TEXT NOT NULL,
    "Position" INTEGER NOT NULL,
    "Kind" TEXT NULL,
    "Channel" TEXT NULL,
    "Category" TEXT NULL
);

CREATE UNIQUE INDEX "IX_ticket_queues_Name" ON "ticket_queues" ("Name");

ALTER TABLE "tickets" ADD "QueueId" INTEGER NULL CONSTRAINT "FK_tickets_ticket_queues_QueueId" REFERENCES "ticket_queues" ("Id") ON DELETE SET NULL;
ALTER TABLE "tickets" ADD "MergedIntoId" INTEGER NULL;

CREATE INDEX "IX_tickets_QueueId" ON "tickets" ("QueueId");
CREATE INDEX "IX_tickets_MergedIntoId" ON "tickets" ("MergedIntoId");

CREATE TABLE "agent_skills" (
    "Id" INTEGER NOT NULL CONSTRAINT "PK_agent_skills" PRIMARY KEY AUTOINCREMENT,
    "UserName" TEXT NOT NULL,
    "Skill" TEXT NOT NULL
);

CREATE UNIQUE INDEX "IX_agent_skills_UserName_Skill" ON "agent_skills" ("UserName", "Skill");

CREATE TABLE "saved_views" (
    "Id" INTEGER NOT NULL CONSTRAINT "PK_saved_views" PRIMARY KEY AUTOINCREMENT,
    "UserName" TEXT NOT NULL,
    "Page" TEXT NOT NULL,
    "Name" TEXT NOT NULL,
    "Query" TEXT NOT NULL,
    "CreatedAt" TEXT NOT NULL
);

CREATE UNIQUE INDEX "IX_saved_views_UserName_Page_Name" ON "saved_views" ("UserName", "Page", "Name");

CREATE TABLE "outbound_messages" (
    "Id" INTEGER NOT NULL CONSTRAINT "PK_outbound_messages" PRIMARY KEY AUTOINCREMENT,
    "TicketId" INTEGER NOT NULL,
    "TicketMessageId" INTEGER NOT NULL,
    "Channel" TEXT NOT NULL,
    "Recipient" TEXT NOT NULL,
    "Subject" TEXT NOT NULL,
    "Body" TEXT NOT NULL,
    "Status" TEXT NOT NULL,
    "Attempts" INTEGER NOT NULL,
    "NextAttemptAt" TEXT NOT NULL,
    "LastError" TEXT NULL,
    "CreatedAt" TEXT NOT NULL,
    "SentAt" TEXT NULL,
    CONSTRAINT "FK_outbound_messages_tickets_TicketId" FOREIGN KEY ("TicketId") REFERENCES "tickets" ("Id") ON DELETE CASCADE
);

CREATE INDEX "IX_outbound_messages_Status_NextAttemptAt" ON "outbound_messages" ("Status", "NextAttemptAt");
CREATE INDEX "IX_outbound_messages_TicketId" ON "outbound_messages" ("TicketId");
