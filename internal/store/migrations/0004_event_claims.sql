-- event_ids rows are claims: a flush inserts a claim for every event id it
-- carries before it inserts any event, and the earliest claim of an id wins
-- (claimed_at, then token). Collectors that flush the same id at once — the
-- old and the new owner of a partition around a rebalance, which fetched
-- the same offsets — thus agree on which of them inserts it; a flush
-- re-sent after a crash finds its own claims and decides as before.
-- Existing claims get the migration's time: earlier than any new claim.
ALTER TABLE event_ids {{.OnCluster}} ADD COLUMN IF NOT EXISTS claimed_at DateTime64(6) DEFAULT now64(6);
ALTER TABLE event_ids {{.OnCluster}} MATERIALIZE COLUMN claimed_at SETTINGS mutations_sync = 2;
