-- V1: the first schema, generated from the EF model with 'smartcrm schema-script --provider sqlite'.
CREATE TABLE "api_keys" (
    "Id" INTEGER NOT NULL CONSTRAINT "PK_api_keys" PRIMARY KEY AUTOINCREMENT,
    "Name" TEXT NOT NULL,
    "Role" TEXT NOT NULL,
    "Prefix" TEXT NOT NULL,
    "Hash" TEXT NOT NULL,
    "CreatedAt" TEXT NOT NULL,
    "RevokedAt" TEXT NULL
);


CREATE TABLE "audit_log" (
    "Id" INTEGER NOT NULL CONSTRAINT "PK_audit_log" PRIMARY KEY AUTOINCREMENT,
    "At" TEXT NOT NULL,
    "Actor" TEXT NOT NULL,
    "Action" TEXT NOT NULL,
    "Entity" TEXT NOT NULL,
    "EntityId" INTEGER NOT NULL,
    "Changes" TEXT NULL
);


CREATE TABLE "customers" (
    "Id" INTEGER NOT NULL CONSTRAINT "PK_customers" PRIMARY KEY AUTOINCREMENT,
    "Kind" TEXT NOT NULL,
    "Name" TEXT NOT NULL,
    "Email" TEXT NULL,
    "Phone" TEXT NULL,
    "Company" TEXT NULL,
    "Country" TEXT NULL,
    "City" TEXT NULL,
    "Address" TEXT NULL,
    "Tags" TEXT NOT NULL,
    "CreatedAt" TEXT NOT NULL,
    "UpdatedAt" TEXT NOT NULL
);


CREATE TABLE "products" (
    "Id" INTEGER NOT NULL CONSTRAINT "PK_products" PRIMARY KEY AUTOINCREMENT,
    "Sku" TEXT NOT NULL,
    "Name" TEXT NOT NULL,
    "Kind" TEXT NOT NULL,
    "Category" TEXT NULL,
    "Price" REAL NOT NULL,
    "Description" TEXT NULL,
    "Active" INTEGER NOT NULL
);


CREATE TABLE "users" (
    "Id" INTEGER NOT NULL CONSTRAINT "PK_users" PRIMARY KEY AUTOINCREMENT,
    "UserName" TEXT NOT NULL,
    "DisplayName" TEXT NULL,
    "PasswordHash" TEXT NOT NULL,
    "Role" TEXT NOT NULL,
    "Active" INTEGER NOT NULL,
    "CreatedAt" TEXT NOT NULL
);


CREATE TABLE "consents" (
    "Id" INTEGER NOT NULL CONSTRAINT "PK_consents" PRIMARY KEY AUTOINCREMENT,
    "CustomerId" INTEGER NOT NULL,
    "Purpose" TEXT NOT NULL,
    "Granted" INTEGER NOT NULL,
    "Source" TEXT NULL,
    "RecordedAt" TEXT NOT NULL,
    CONSTRAINT "FK_consents_customers_CustomerId" FOREIGN KEY ("CustomerId") REFERENCES "customers" ("Id") ON DELETE CASCADE
);


CREATE TABLE "contacts" (
    "Id" INTEGER NOT NULL CONSTRAINT "PK_contacts" PRIMARY KEY AUTOINCREMENT,
    "CustomerId" INTEGER NOT NULL,
    "Name" TEXT NOT NULL,
    "Title" TEXT NULL,
    "Email" TEXT NULL,
    "Phone" TEXT NULL,
    CONSTRAINT "FK_contacts_customers_CustomerId" FOREIGN KEY ("CustomerId") REFERENCES "customers" ("Id") ON DELETE CASCADE
);


CREATE TABLE "interactions" (
    "Id" INTEGER NOT NULL CONSTRAINT "PK_interactions" PRIMARY KEY AUTOINCREMENT,
    "CustomerId" INTEGER NOT NULL,
    "Channel" TEXT NOT NULL,
    "Direction" TEXT NOT NULL,
    "Subject" TEXT NOT NULL,
    "Body" TEXT NULL,
    "OccurredAt" TEXT NOT NULL,
    "Agent" TEXT NULL,
    CONSTRAINT "FK_interactions_customers_CustomerId" FOREIGN KEY ("CustomerId") REFERENCES "customers" ("Id") ON DELETE CASCADE
);


CREATE TABLE "notes" (
    "Id" INTEGER NOT NULL CONSTRAINT "PK_notes" PRIMARY KEY AUTOINCREMENT,
    "CustomerId" INTEGER NOT NULL,
    "Body" TEXT NOT NULL,
    "Author" TEXT NULL,
    "CreatedAt" TEXT NOT NULL,
    CONSTRAINT "FK_notes_customers_CustomerId" FOREIGN KEY ("CustomerId") REFERENCES "customers" ("Id") ON DELETE CASCADE
);


CREATE TABLE "opportunities" (
    "Id" INTEGER NOT NULL CONSTRAINT "PK_opportunities" PRIMARY KEY AUTOINCREMENT,
    "CustomerId" INTEGER NOT NULL,
    "Title" TEXT NOT NULL,
    "Stage" TEXT NOT NULL,
    "Amount" REAL NOT NULL,
    "ExpectedClose" TEXT NOT NULL,
    "Owner" TEXT NULL,
    "CreatedAt" TEXT NOT NULL,
    "UpdatedAt" TEXT NOT NULL,
    CONSTRAINT "FK_opportunities_customers_CustomerId" FOREIGN KEY ("CustomerId") REFERENCES "customers" ("Id") ON DELETE CASCADE
);


CREATE TABLE "orders" (
    "Id" INTEGER NOT NULL CONSTRAINT "PK_orders" PRIMARY KEY AUTOINCREMENT,
    "CustomerId" INTEGER NOT NULL,
    "OrderedAt" TEXT NOT NULL,
    "Status" TEXT NOT NULL,
    "Channel" TEXT NOT NULL,
    "Currency" TEXT NOT NULL,
    "Total" REAL NOT NULL,
    CONSTRAINT "FK_orders_customers_CustomerId" FOREIGN KEY ("CustomerId") REFERENCES "customers" ("Id") ON DELETE CASCADE
);


CREATE TABLE "tickets" (
    "Id" INTEGER NOT NULL CONSTRAINT "PK_tickets" PRIMARY KEY AUTOINCREMENT,
    "CustomerId" INTEGER NOT NULL,
    "Kind" TEXT NOT NULL,
    "Status" TEXT NOT NULL,
    "Priority" TEXT NOT NULL,
    "Subject" TEXT NOT NULL,
    "Description" TEXT NULL,
    "Assignee" TEXT NULL,
    "CreatedAt" TEXT NOT NULL,
    "UpdatedAt" TEXT NOT NULL,
    "DueAt" TEXT NULL,
    CONSTRAINT "FK_tickets_customers_CustomerId" FOREIGN KEY ("CustomerId") REFERENCES "customers" ("Id") ON DELETE CASCADE
);


CREATE TABLE "order_lines" (
    "Id" INTEGER NOT NULL CONSTRAINT "PK_order_lines" PRIMARY KEY AUTOINCREMENT,
    "OrderId" INTEGER NOT NULL,
    "ProductId" INTEGER NOT NULL,
    "Quantity" INTEGER NOT NULL,
    "UnitPrice" REAL NOT NULL,
    CONSTRAINT "FK_order_lines_orders_OrderId" FOREIGN KEY ("OrderId") REFERENCES "orders" ("Id") ON DELETE CASCADE,
    CONSTRAINT "FK_order_lines_products_ProductId" FOREIGN KEY ("ProductId") REFERENCES "products" ("Id") ON DELETE RESTRICT
);


CREATE UNIQUE INDEX "IX_api_keys_Hash" ON "api_keys" ("Hash");


CREATE INDEX "IX_audit_log_Entity_EntityId" ON "audit_log" ("Entity", "EntityId");


CREATE INDEX "IX_consents_CustomerId_Purpose" ON "consents" ("CustomerId", "Purpose");


CREATE INDEX "IX_contacts_CustomerId" ON "contacts" ("CustomerId");


CREATE INDEX "IX_customers_Email" ON "customers" ("Email");


CREATE INDEX "IX_customers_Name" ON "customers" ("Name");


CREATE INDEX "IX_customers_UpdatedAt" ON "customers" ("UpdatedAt");


CREATE INDEX "IX_interactions_CustomerId_OccurredAt" ON "interactions" ("CustomerId", "OccurredAt");


CREATE INDEX "IX_notes_CustomerId" ON "notes" ("CustomerId");


CREATE INDEX "IX_opportunities_CustomerId" ON "opportunities" ("CustomerId");


CREATE INDEX "IX_opportunities_Stage" ON "opportunities" ("Stage");


CREATE INDEX "IX_order_lines_OrderId" ON "order_lines" ("OrderId");


CREATE INDEX "IX_order_lines_ProductId" ON "order_lines" ("ProductId");


CREATE INDEX "IX_orders_CustomerId_OrderedAt" ON "orders" ("CustomerId", "OrderedAt");


CREATE INDEX "IX_orders_OrderedAt" ON "orders" ("OrderedAt");


CREATE UNIQUE INDEX "IX_products_Sku" ON "products" ("Sku");


CREATE INDEX "IX_tickets_CustomerId_Status" ON "tickets" ("CustomerId", "Status");


CREATE INDEX "IX_tickets_Status" ON "tickets" ("Status");


CREATE UNIQUE INDEX "IX_users_UserName" ON "users" ("UserName");




-- Customer search by word prefix over name, email, phone, and the phone's digits (contentless FTS5 kept in step by triggers).
-- The digits are indexed also without their first one to three digits, so a number typed without its country code is found.
CREATE VIRTUAL TABLE customer_search USING fts5(name, email, phone, digits, content='', contentless_delete=1, tokenize='unicode61 remove_diacritics 2', prefix='2 3');

CREATE TRIGGER customers_search_insert AFTER INSERT ON customers BEGIN
    INSERT INTO customer_search(rowid, name, email, phone, digits)
    SELECT new."Id", new."Name", new."Email", new."Phone", d || ' ' || substr(d, 2) || ' ' || substr(d, 3) || ' ' || substr(d, 4)
    FROM (SELECT replace(replace(replace(replace(replace(replace(coalesce(new."Phone", ''), ' ', ''), '-', ''), '(', ''), ')', ''), '+', ''), '.', '') AS d);
END;

CREATE TRIGGER customers_search_delete AFTER DELETE ON customers BEGIN
    DELETE FROM customer_search WHERE rowid = old."Id";
END;

CREATE TRIGGER customers_search_update AFTER UPDATE OF "Name", "Email", "Phone" ON customers BEGIN
    DELETE FROM customer_search WHERE rowid = old."Id";
    INSERT INTO customer_search(rowid, name, email, phone, digits)
    SELECT new."Id", new."Name", new."Email", new."Phone", d || ' ' || substr(d, 2) || ' ' || substr(d, 3) || ' ' || substr(d, 4)
    FROM (SELECT replace(replace(replace(replace(replace(replace(coalesce(new."Phone", ''), ' ', ''), '-', ''), '(', ''), ')', ''), '+', ''), '.', '') AS d);
END;
