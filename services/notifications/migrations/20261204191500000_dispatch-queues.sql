-- Up Migration

-- The dispatcher (issue 15 benchmark): each worker leases a queue of due deliveries per endpoint and sends them
-- over kept-alive connections, recording outcomes in batches.
--
-- leased_by: the worker holding a delivery. An endpoint's unexpired leases belong to one worker at a time, so the
-- per-endpoint limit on requests in flight holds across processes while that worker queues more than the limit.
ALTER TABLE webhook_deliveries ADD COLUMN leased_by text;
-- paused_until: an endpoint that failed is probed at most once per WEBHOOK_FAILING_PROBE_MS, one request at a time,
-- until a delivery succeeds again, so a dead receiver's retries do not take the workers from healthy ones.
ALTER TABLE webhook_endpoints ADD COLUMN paused_until timestamptz;

-- The claim walks each endpoint's queue in due order; the global due index is no longer read.
CREATE INDEX webhook_deliveries_queue ON webhook_deliveries (endpoint_id, next_attempt_at, id) WHERE state = 'pending';
DROP INDEX webhook_deliveries_due;
