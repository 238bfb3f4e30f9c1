-- Vacuum the hot, queue-like tables early. PostgreSQL's default waits until 20% of a table is dead
-- rows: on a journey_contacts of a million rows that is 200 000 dead versions, which every claim
-- of due steps walks past, and the step rate falls threefold. These tables are rewritten row by
-- row as the engine works (every step updates journey_contacts; every effect is claimed, then
-- settled in outbox; segment_dirty_contacts is a queue emptied as it is read), so vacuum them
-- after a small, mostly fixed number of dead rows instead. Inserts count too (the *_insert_*
-- settings), so freshly admitted rows become visible to index-only scans soon.
-- Setting storage parameters is idempotent.
alter table journey_contacts set (
  autovacuum_vacuum_scale_factor = 0.02,
  autovacuum_vacuum_threshold = 1000,
  autovacuum_vacuum_insert_scale_factor = 0.05,
  autovacuum_analyze_scale_factor = 0.05
);
alter table outbox set (
  autovacuum_vacuum_scale_factor = 0.02,
  autovacuum_vacuum_threshold = 1000,
  autovacuum_vacuum_insert_scale_factor = 0.05,
  autovacuum_analyze_scale_factor = 0.05
);
-- A pure queue: whatever its size, a thousand dead rows are worth a vacuum.
alter table segment_dirty_contacts set (
  autovacuum_vacuum_scale_factor = 0,
  autovacuum_vacuum_threshold = 1000,
  autovacuum_vacuum_insert_scale_factor = 0,
  autovacuum_vacuum_insert_threshold = 5000
);
alter table segment_membership set (autovacuum_vacuum_scale_factor = 0.05, autovacuum_analyze_scale_factor = 0.05);
alter table leads set (autovacuum_vacuum_scale_factor = 0.05, autovacuum_analyze_scale_factor = 0.05);
