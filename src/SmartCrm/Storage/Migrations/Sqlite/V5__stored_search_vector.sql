-- PostgreSQL stores its customer search vector from this version on; SQLite's FTS5 table already holds its own.
SELECT 1;
