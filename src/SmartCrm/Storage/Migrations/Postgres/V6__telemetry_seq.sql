-- V6: no acknowledged reading is overwritten. A reading keeps (Ts, Seq): Ts in epoch milliseconds as the API speaks, Seq its
-- order within that millisecond. Readings sent with a "ts" have Seq 0, so a repeated "ts" is an update; readings without one
-- get a server time whose Seq carries the id of the writer that assigned it (telemetry_writers) and a counter, unique per
-- device and key across nodes and restarts. Averages folded by retention have Seq 1.
ALTER TABLE telemetry ADD COLUMN "Seq" bigint NOT NULL DEFAULT 0;
ALTER TABLE telemetry DROP CONSTRAINT telemetry_pkey;
ALTER TABLE telemetry ADD PRIMARY KEY ("DeviceId", "KeyId", "Ts", "Seq");

ALTER TABLE telemetry_latest ADD COLUMN "Seq" bigint NOT NULL DEFAULT 0;

-- Every process that assigns server times, once per start; "Until" is the newest server time it committed, from which the
-- next start continues if its clock is behind.
CREATE TABLE telemetry_writers (
    "Id" bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    "Host" text NOT NULL,
    "StartedAt" timestamp with time zone NOT NULL,
    "Until" bigint NOT NULL DEFAULT 0
);
