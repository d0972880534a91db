-- Version 1: one row per log (its head, locked by every append) and its records.
CREATE TABLE ceasefire_logs (
    log_id     text PRIMARY KEY,
    version    bigint NOT NULL CHECK (version >= 0),
    head       bytea NOT NULL CHECK (length(head) = 32),
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE ceasefire_events (
    log_id       text NOT NULL REFERENCES ceasefire_logs (log_id),
    seq          bigint NOT NULL CHECK (seq >= 1),
    event_id     uuid NOT NULL,
    body         bytea NOT NULL,
    chain        bytea NOT NULL CHECK (length(chain) = 32),
    committed_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (log_id, seq),
    UNIQUE (log_id, event_id)
);

-- Records are never changed or removed.
CREATE FUNCTION ceasefire_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'ceasefire_events is append-only';
END;
$$;

CREATE TRIGGER ceasefire_events_append_only
    BEFORE UPDATE OR DELETE ON ceasefire_events
    FOR EACH ROW EXECUTE FUNCTION ceasefire_append_only();
