/**
 * Schema changes, applied in order, once each. Never edit a migration that has shipped: add one.
 * Evidence rows are append-only: the product has no UPDATE or DELETE path for them.
 */
export const MIGRATIONS: ReadonlyArray<{ id: string; sql: string }> = [
  {
    id: '001-evidence',
    sql: `
      CREATE TABLE evidence_records (
        incident_id text NOT NULL,
        seq integer NOT NULL,
        kind text NOT NULL,
        record jsonb NOT NULL,
        prev_hash text NOT NULL,
        hash text NOT NULL,
        recorded_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (incident_id, seq)
      );
      CREATE INDEX evidence_records_kind ON evidence_records (kind, recorded_at);
    `,
  },
  {
    id: '002-sealed-values',
    sql: `
      CREATE TABLE sealed_values (
        handle text PRIMARY KEY,
        purpose text NOT NULL,
        ciphertext bytea,
        nonce bytea,
        auth_tag bytea,
        created_at timestamptz NOT NULL DEFAULT now(),
        destroyed_at timestamptz
      );
    `,
  },
  {
    // Slack messages we posted, so a retried notify activity updates instead of posting twice.
    id: '003-slack-messages',
    sql: `
      CREATE TABLE slack_incident_cards (
        incident_id text PRIMARY KEY,
        channel_id text,
        card_ts text,
        version integer NOT NULL DEFAULT -1,
        invited jsonb NOT NULL DEFAULT '[]',
        claimed_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX slack_incident_cards_channel ON slack_incident_cards (channel_id);
      CREATE TABLE slack_direct_messages (
        incident_id text NOT NULL,
        notification_key text NOT NULL,
        person_id text NOT NULL,
        kind text NOT NULL,
        channel_id text,
        ts text,
        claimed_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (incident_id, notification_key, person_id)
      );
    `,
  },
  {
    // Sealed closure bundles: one per incident, kept after Temporal's retention drops the workflow.
    // A trigger refuses UPDATE and DELETE: the product has no edit path, and nobody adds one by accident.
    id: '004-closure-bundles',
    sql: `
      CREATE TABLE closure_bundles (
        incident_id text PRIMARY KEY,
        closed_at timestamptz NOT NULL,
        owner_team text NOT NULL,
        provider text NOT NULL,
        outcome text NOT NULL,
        record_count integer NOT NULL,
        bundle jsonb NOT NULL,
        signature text NOT NULL,
        key_id text NOT NULL,
        sealed_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX closure_bundles_closed_at ON closure_bundles (closed_at DESC, incident_id);
      CREATE INDEX closure_bundles_owner_team ON closure_bundles (owner_team, closed_at DESC);
      CREATE FUNCTION closure_bundles_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          RAISE EXCEPTION 'closure bundles are append-only: % is not allowed', TG_OP;
        END;
      $$;
      CREATE TRIGGER closure_bundles_append_only BEFORE UPDATE OR DELETE ON closure_bundles
        FOR EACH ROW EXECUTE FUNCTION closure_bundles_append_only();
    `,
  },
  {
    // Webhook redeliveries: a row is written once IncidentService.open returned (issue 4, intake).
    id: '005-webhook-deliveries',
    sql: `
      CREATE TABLE webhook_deliveries (
        source text NOT NULL,
        delivery_id text NOT NULL,
        workflow_id text NOT NULL,
        incident_id text NOT NULL,
        campaign text,
        received_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (source, delivery_id)
      );
      CREATE INDEX webhook_deliveries_campaign ON webhook_deliveries (received_at) WHERE campaign IS NOT NULL;
    `,
  },
  {
    // Direct messages whose buttons were retired once their step was over (decided, verified,
    // contained by hand, acknowledged): what the buttons were for, and when they were retired.
    id: '006-slack-direct-message-retirement',
    sql: `
      ALTER TABLE slack_direct_messages
        ADD COLUMN step text,
        ADD COLUMN dependents jsonb,
        ADD COLUMN version integer,
        ADD COLUMN text text,
        ADD COLUMN retired_at timestamptz;
      CREATE INDEX slack_direct_messages_live_buttons ON slack_direct_messages (incident_id) WHERE step IS NOT NULL AND retired_at IS NULL;
    `,
  },
  {
    // Which credential a leaked value was first reported as (issue 10 §1): keyed fingerprints only.
    id: '007-credential-identities',
    sql: `
      CREATE TABLE credential_identities (
        value_fingerprint text PRIMARY KEY,
        credential_fingerprint text NOT NULL,
        secret_id text,
        claimed_at timestamptz NOT NULL DEFAULT now()
      );
    `,
  },
];
