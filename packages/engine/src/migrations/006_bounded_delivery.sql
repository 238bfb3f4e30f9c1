-- Bounded, honest delivery: why a message was given up on, when its first try was (temporary
-- failures give up 3 days after it), and journeys whose stored definition no longer parses.

-- `rejected` (an SMTP 5xx), `expired` (temporary failures for 3 days), or why it was never sent
-- (`hardBounce`, `consent`, `suppressed`, `missing`); null while pending or once sent.
alter table outbox add column if not exists failure_reason text;
-- Set by the first claim; null until an SMTP server is configured and the message is tried.
alter table outbox add column if not exists first_attempt_at timestamptz;

alter table journeys drop constraint if exists journeys_status_check;
alter table journeys add constraint journeys_status_check check (status in ('draft', 'live', 'stopped', 'ended', 'failed'));
