-- V8: access that can be taken away, and secrets kept out of the audit log (issue 10, points 6 and 7).

-- Console sessions live on the server: sign-out, deactivation and a password change end them.
CREATE TABLE "user_sessions" (
    "Id" INTEGER NOT NULL CONSTRAINT "PK_user_sessions" PRIMARY KEY AUTOINCREMENT,
    "UserId" INTEGER NOT NULL,
    "KeyHash" TEXT NOT NULL,
    "CreatedAt" TEXT NOT NULL,
    "EndedAt" TEXT NULL,
    CONSTRAINT "FK_user_sessions_users_UserId" FOREIGN KEY ("UserId") REFERENCES "users" ("Id") ON DELETE CASCADE
);

CREATE UNIQUE INDEX "IX_user_sessions_KeyHash" ON "user_sessions" ("KeyHash");

CREATE INDEX "IX_user_sessions_UserId" ON "user_sessions" ("UserId");

-- API keys may expire, and lists show when a key was last used.
ALTER TABLE "api_keys" ADD "ExpiresAt" TEXT NULL;
ALTER TABLE "api_keys" ADD "LastUsedAt" TEXT NULL;

-- Provision secrets are hashed like passwords now; SQLite's TEXT column needs no change.

-- The audit writer used to copy these hashes into the audit log that Managers read.
UPDATE "audit_log" SET "Changes" = json_remove("Changes", '$.SecretHash', '$.TokenHash')
WHERE "Entity" IN ('ProvisioningProfile', 'Device') AND "Changes" LIKE '%Hash%';
