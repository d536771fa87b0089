-- V2: devices, RFID cards, alarms and their rules (from 'smartcrm schema-script --provider sqlite'), and telemetry.
CREATE TABLE "alarm_rules" (
    "Id" INTEGER NOT NULL CONSTRAINT "PK_alarm_rules" PRIMARY KEY AUTOINCREMENT,
    "Name" TEXT NOT NULL,
    "Model" TEXT NULL,
    "Key" TEXT NOT NULL,
    "Comparison" TEXT NOT NULL,
    "Threshold" REAL NOT NULL,
    "ClearThreshold" REAL NULL,
    "Severity" TEXT NOT NULL,
    "AlarmType" TEXT NOT NULL,
    "Enabled" INTEGER NOT NULL,
    "CreatedAt" TEXT NOT NULL,
    "UpdatedAt" TEXT NOT NULL
);

CREATE TABLE "cards" (
    "Id" INTEGER NOT NULL CONSTRAINT "PK_cards" PRIMARY KEY AUTOINCREMENT,
    "Uid" TEXT NOT NULL,
    "CustomerId" INTEGER NOT NULL,
    "Label" TEXT NULL,
    "CreatedAt" TEXT NOT NULL,
    CONSTRAINT "FK_cards_customers_CustomerId" FOREIGN KEY ("CustomerId") REFERENCES "customers" ("Id") ON DELETE CASCADE
);

CREATE TABLE "devices" (
    "Id" INTEGER NOT NULL CONSTRAINT "PK_devices" PRIMARY KEY AUTOINCREMENT,
    "Name" TEXT NOT NULL,
    "Model" TEXT NULL,
    "Serial" TEXT NULL,
    "CustomerId" INTEGER NULL,
    "TokenHash" TEXT NOT NULL,
    "TokenPrefix" TEXT NOT NULL,
    "ClientAttributes" TEXT NOT NULL,
    "SharedAttributes" TEXT NOT NULL,
    "ServerAttributes" TEXT NOT NULL,
    "Online" INTEGER NOT NULL,
    "LastSeenAt" TEXT NULL,
    "LastConnectedAt" TEXT NULL,
    "InactivityTimeoutSeconds" INTEGER NOT NULL,
    "CreatedAt" TEXT NOT NULL,
    "UpdatedAt" TEXT NOT NULL,
    CONSTRAINT "FK_devices_customers_CustomerId" FOREIGN KEY ("CustomerId") REFERENCES "customers" ("Id") ON DELETE SET NULL
);

CREATE TABLE "alarms" (
    "Id" INTEGER NOT NULL CONSTRAINT "PK_alarms" PRIMARY KEY AUTOINCREMENT,
    "DeviceId" INTEGER NOT NULL,
    "CustomerId" INTEGER NULL,
    "Type" TEXT NOT NULL,
    "Severity" TEXT NOT NULL,
    "Status" TEXT NOT NULL,
    "Source" TEXT NOT NULL,
    "Message" TEXT NOT NULL,
    "Key" TEXT NULL,
    "Value" REAL NULL,
    "Count" INTEGER NOT NULL,
    "StartedAt" TEXT NOT NULL,
    "LastAt" TEXT NOT NULL,
    "AcknowledgedAt" TEXT NULL,
    "AcknowledgedBy" TEXT NULL,
    "ClearedAt" TEXT NULL,
    "ClearedBy" TEXT NULL,
    "TicketId" INTEGER NULL,
    CONSTRAINT "FK_alarms_devices_DeviceId" FOREIGN KEY ("DeviceId") REFERENCES "devices" ("Id") ON DELETE CASCADE
);

CREATE TABLE "alarm_events" (
    "Id" INTEGER NOT NULL CONSTRAINT "PK_alarm_events" PRIMARY KEY AUTOINCREMENT,
    "AlarmId" INTEGER NOT NULL,
    "At" TEXT NOT NULL,
    "Action" TEXT NOT NULL,
    "Actor" TEXT NULL,
    "Note" TEXT NULL,
    CONSTRAINT "FK_alarm_events_alarms_AlarmId" FOREIGN KEY ("AlarmId") REFERENCES "alarms" ("Id") ON DELETE CASCADE
);

CREATE INDEX "IX_alarm_events_AlarmId" ON "alarm_events" ("AlarmId");

CREATE INDEX "IX_alarm_rules_Model_Key" ON "alarm_rules" ("Model", "Key");

CREATE INDEX "IX_alarms_CustomerId" ON "alarms" ("CustomerId");

CREATE UNIQUE INDEX "IX_alarms_open" ON "alarms" ("DeviceId", "Type") WHERE "ClearedAt" IS NULL;

CREATE INDEX "IX_alarms_Status_Severity" ON "alarms" ("Status", "Severity");

CREATE INDEX "IX_cards_CustomerId" ON "cards" ("CustomerId");

CREATE UNIQUE INDEX "IX_cards_Uid" ON "cards" ("Uid");

CREATE INDEX "IX_devices_CustomerId" ON "devices" ("CustomerId");

CREATE INDEX "IX_devices_Model" ON "devices" ("Model");

CREATE UNIQUE INDEX "IX_devices_TokenHash" ON "devices" ("TokenHash");

-- Telemetry lives outside the EF model: written in batches and read by range with plain SQL (Telemetry/TelemetryStore.cs).
-- Keys are numbered once in telemetry_keys so a point is four numbers and a value.
CREATE TABLE telemetry_keys (
    "Id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "Name" TEXT NOT NULL UNIQUE
);

CREATE TABLE telemetry (
    "DeviceId" INTEGER NOT NULL REFERENCES devices ("Id") ON DELETE CASCADE,
    "KeyId" INTEGER NOT NULL,
    "Ts" INTEGER NOT NULL,
    "Kind" INTEGER NOT NULL,
    "Num" REAL NULL,
    "Str" TEXT NULL,
    PRIMARY KEY ("DeviceId", "KeyId", "Ts")
) WITHOUT ROWID;

CREATE INDEX telemetry_by_time ON telemetry ("Ts");

CREATE TABLE telemetry_latest (
    "DeviceId" INTEGER NOT NULL REFERENCES devices ("Id") ON DELETE CASCADE,
    "KeyId" INTEGER NOT NULL,
    "Ts" INTEGER NOT NULL,
    "Kind" INTEGER NOT NULL,
    "Num" REAL NULL,
    "Str" TEXT NULL,
    PRIMARY KEY ("DeviceId", "KeyId")
) WITHOUT ROWID;
