-- V6: no acknowledged reading is overwritten. A reading keeps (Ts, Seq): Ts in epoch milliseconds as the API speaks, Seq its
-- order within that millisecond. Readings sent with a "ts" have Seq 0, so a repeated "ts" is an update; readings without one
-- get a server time whose Seq carries the id of the writer that assigned it (telemetry_writers) and a counter, unique per
-- device and key across nodes and restarts. Averages folded by retention have Seq 1.
CREATE TABLE telemetry_v6 (
    "DeviceId" INTEGER NOT NULL REFERENCES devices ("Id") ON DELETE CASCADE,
    "KeyId" INTEGER NOT NULL,
    "Ts" INTEGER NOT NULL,
    "Seq" INTEGER NOT NULL DEFAULT 0,
    "Kind" INTEGER NOT NULL,
    "Num" REAL NULL,
    "Str" TEXT NULL,
    PRIMARY KEY ("DeviceId", "KeyId", "Ts", "Seq")
) WITHOUT ROWID;

INSERT INTO telemetry_v6 ("DeviceId", "KeyId", "Ts", "Seq", "Kind", "Num", "Str") SELECT "DeviceId", "KeyId", "Ts", 0, "Kind", "Num", "Str" FROM telemetry;
DROP TABLE telemetry;
ALTER TABLE telemetry_v6 RENAME TO telemetry;
CREATE INDEX telemetry_by_time ON telemetry ("Ts");

ALTER TABLE telemetry_latest ADD COLUMN "Seq" INTEGER NOT NULL DEFAULT 0;

-- Every process that assigns server times, once per start; "Until" is the newest server time it committed, from which the
-- next start continues if its clock is behind.
CREATE TABLE telemetry_writers (
    "Id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "Host" TEXT NOT NULL,
    "StartedAt" TEXT NOT NULL,
    "Until" INTEGER NOT NULL DEFAULT 0
);
