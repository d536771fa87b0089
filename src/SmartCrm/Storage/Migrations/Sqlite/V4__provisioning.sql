-- V4: provisioning profiles for devices that register themselves (from 'smartcrm schema-script --provider sqlite').
-- (V3 is the import slice's.)
CREATE TABLE "provisioning_profiles" (
    "Id" INTEGER NOT NULL CONSTRAINT "PK_provisioning_profiles" PRIMARY KEY AUTOINCREMENT,
    "Name" TEXT NOT NULL,
    "Key" TEXT NOT NULL,
    "SecretHash" TEXT NOT NULL,
    "Model" TEXT NULL,
    "CustomerId" INTEGER NULL,
    "Enabled" INTEGER NOT NULL,
    "CreatedAt" TEXT NOT NULL,
    CONSTRAINT "FK_provisioning_profiles_customers_CustomerId" FOREIGN KEY ("CustomerId") REFERENCES "customers" ("Id") ON DELETE SET NULL
);

CREATE INDEX "IX_provisioning_profiles_CustomerId" ON "provisioning_profiles" ("CustomerId");

CREATE UNIQUE INDEX "IX_provisioning_profiles_Key" ON "provisioning_profiles" ("Key");
