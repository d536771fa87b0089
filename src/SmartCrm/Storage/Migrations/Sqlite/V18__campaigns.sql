-- V18: campaigns (issue 13, point 8): an audience from a segment and filters, variants with their messages, and each
-- customer's group fixed at launch (messaged with a variant, hold-out, or left out for want of consent or address).
CREATE TABLE "campaigns" (
    "Id" INTEGER NOT NULL CONSTRAINT "PK_campaigns" PRIMARY KEY AUTOINCREMENT,
    "Name" TEXT NOT NULL,
    "Channel" TEXT NOT NULL,
    "Status" TEXT NOT NULL,
    "Segment" INTEGER NULL,
    "ChurnBand" TEXT NULL,
    "Tag" TEXT NULL,
    "DeviceModel" TEXT NULL,
    "HoldOutPercent" INTEGER NOT NULL,
    "ConversionDays" INTEGER NOT NULL,
    "CreatedAt" TEXT NOT NULL,
    "CreatedBy" TEXT NULL,
    "LaunchedAt" TEXT NULL,
    "CompletedAt" TEXT NULL
);

CREATE TABLE "campaign_variants" (
    "Id" INTEGER NOT NULL CONSTRAINT "PK_campaign_variants" PRIMARY KEY AUTOINCREMENT,
    "CampaignId" INTEGER NOT NULL,
    "Name" TEXT NOT NULL,
    "Message" TEXT NOT NULL,
    CONSTRAINT "FK_campaign_variants_campaigns_CampaignId" FOREIGN KEY ("CampaignId") REFERENCES "campaigns" ("Id") ON DELETE CASCADE
);

CREATE INDEX "IX_campaign_variants_CampaignId" ON "campaign_variants" ("CampaignId");

CREATE TABLE "campaign_members" (
    "Id" INTEGER NOT NULL CONSTRAINT "PK_campaign_members" PRIMARY KEY AUTOINCREMENT,
    "CampaignId" INTEGER NOT NULL,
    "CustomerId" INTEGER NOT NULL,
    "Group" TEXT NOT NULL,
    "VariantId" INTEGER NULL,
    "InteractionId" INTEGER NULL,
    CONSTRAINT "FK_campaign_members_campaigns_CampaignId" FOREIGN KEY ("CampaignId") REFERENCES "campaigns" ("Id") ON DELETE CASCADE,
    CONSTRAINT "FK_campaign_members_customers_CustomerId" FOREIGN KEY ("CustomerId") REFERENCES "customers" ("Id") ON DELETE CASCADE
);

CREATE UNIQUE INDEX "IX_campaign_members_CampaignId_CustomerId" ON "campaign_members" ("CampaignId", "CustomerId");

CREATE INDEX "IX_campaign_members_CustomerId" ON "campaign_members" ("CustomerId");
