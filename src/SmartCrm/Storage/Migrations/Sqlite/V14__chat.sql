-- V14: agents' marks on the assistant's answers, the articles used on tickets, customer chats (issue 12, points 5 and 6).
CREATE TABLE "answer_feedback" (
    "Id" INTEGER NOT NULL CONSTRAINT "PK_answer_feedback" PRIMARY KEY AUTOINCREMENT,
    "ArticleId" INTEGER NOT NULL,
    "Question" TEXT NOT NULL,
    "Passage" TEXT NOT NULL,
    "Helpful" INTEGER NOT NULL,
    "GivenBy" TEXT NOT NULL,
    "GivenAt" TEXT NOT NULL,
    CONSTRAINT "FK_answer_feedback_articles_ArticleId" FOREIGN KEY ("ArticleId") REFERENCES "articles" ("Id") ON DELETE CASCADE
);

CREATE INDEX "IX_answer_feedback_ArticleId" ON "answer_feedback" ("ArticleId");

CREATE TABLE "article_uses" (
    "Id" INTEGER NOT NULL CONSTRAINT "PK_article_uses" PRIMARY KEY AUTOINCREMENT,
    "ArticleId" INTEGER NOT NULL,
    "TicketId" INTEGER NOT NULL,
    "Via" TEXT NOT NULL,
    "UsedBy" TEXT NULL,
    "UsedAt" TEXT NOT NULL,
    CONSTRAINT "FK_article_uses_articles_ArticleId" FOREIGN KEY ("ArticleId") REFERENCES "articles" ("Id") ON DELETE CASCADE,
    CONSTRAINT "FK_article_uses_tickets_TicketId" FOREIGN KEY ("TicketId") REFERENCES "tickets" ("Id") ON DELETE CASCADE
);

CREATE UNIQUE INDEX "IX_article_uses_ArticleId_TicketId" ON "article_uses" ("ArticleId", "TicketId");

CREATE INDEX "IX_article_uses_TicketId" ON "article_uses" ("TicketId");

CREATE TABLE "chat_sessions" (
    "Id" INTEGER NOT NULL CONSTRAINT "PK_chat_sessions" PRIMARY KEY AUTOINCREMENT,
    "TokenHash" TEXT NOT NULL,
    "CustomerId" INTEGER NULL,
    "Name" TEXT NULL,
    "Email" TEXT NULL,
    "TicketId" INTEGER NULL,
    "StartedAt" TEXT NOT NULL,
    "LastActivityAt" TEXT NOT NULL,
    CONSTRAINT "FK_chat_sessions_customers_CustomerId" FOREIGN KEY ("CustomerId") REFERENCES "customers" ("Id") ON DELETE SET NULL
);

CREATE INDEX "IX_chat_sessions_CustomerId" ON "chat_sessions" ("CustomerId");

CREATE INDEX "IX_chat_sessions_TicketId" ON "chat_sessions" ("TicketId");

CREATE UNIQUE INDEX "IX_chat_sessions_TokenHash" ON "chat_sessions" ("TokenHash");

CREATE TABLE "chat_entries" (
    "Id" INTEGER NOT NULL CONSTRAINT "PK_chat_entries" PRIMARY KEY AUTOINCREMENT,
    "SessionId" INTEGER NOT NULL,
    "Kind" TEXT NOT NULL,
    "Body" TEXT NOT NULL,
    "Question" TEXT NULL,
    "ArticleId" INTEGER NULL,
    "ArticleTitle" TEXT NULL,
    "Confidence" REAL NULL,
    "TicketId" INTEGER NULL,
    "Helpful" INTEGER NULL,
    "CreatedAt" TEXT NOT NULL,
    CONSTRAINT "FK_chat_entries_chat_sessions_SessionId" FOREIGN KEY ("SessionId") REFERENCES "chat_sessions" ("Id") ON DELETE CASCADE
);

CREATE INDEX "IX_chat_entries_SessionId_Id" ON "chat_entries" ("SessionId", "Id");

CREATE INDEX "IX_chat_entries_TicketId" ON "chat_entries" ("TicketId");
