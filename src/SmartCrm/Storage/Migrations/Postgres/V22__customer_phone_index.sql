-- V22: a message from a phone number (phone notes, call transcripts, SMS) finds its customer by phone; without an index each
-- such message read the whole customers table.
CREATE INDEX "IX_customers_Phone" ON customers ("Phone");
