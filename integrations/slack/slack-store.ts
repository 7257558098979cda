import type { Database } from '../database/database';
import type { ButtonStep, DirectMessageButtons } from './blocks/direct-message';

/**
 * Where the Slack notifier remembers what it posted (tables of migration 003-slack-messages).
 * Slack's chat.postMessage has no idempotency key, so we make our own: a delivery first claims a
 * row, posts (the post carries the delivery's key in its message metadata), then stores the message
 * ts. A retried activity finds the ts and updates or skips instead of posting again. A claim left by
 * a crashed worker goes stale after CLAIM_STALE_SECONDS and is taken over; the claim then says since
 * when it was open (`staleSince`), so the taker first looks in the conversation for a message
 * carrying its key (Slack accepted it, the answer died with the worker) before posting again.
 */

const CLAIM_STALE_SECONDS = 30;
/** A claim that is stale at once, dated when its post may have happened (a look back starts before it). */
const STALE_NOW = `LEAST(claimed_at, now()) - make_interval(secs => ${CLAIM_STALE_SECONDS + 1})`;

export interface CardRow {
  incidentId: string;
  channelId: string | null;
  cardTs: string | null;
  version: number;
  invited: string[];
  /** Set when this claim took over one a crashed delivery left open: when that one was claimed. */
  staleSince?: Date;
}

/** A direct message whose buttons are still live, as the retirement of finished steps reads it. */
export interface LiveDirectMessage {
  notificationKey: string;
  personId: string;
  channelId: string;
  ts: string;
  step: ButtonStep;
  dependents: string[];
  text: string;
}

export type Claim<Row> = { state: 'claimed'; row: Row } | { state: 'done'; row: Row } | { state: 'busy' };

interface CardRecord {
  incident_id: string;
  channel_id: string | null;
  card_ts: string | null;
  version: number;
  invited: string[] | string;
}

const CARD_COLUMNS = 'incident_id, channel_id, card_ts, version, invited';

export class SlackStore {
  constructor(private readonly database: Database) {}

  /** The card row, claimed for posting when no card exists yet; `done` once the card is posted. */
  async claimCard(incidentId: string): Promise<Claim<CardRow>> {
    const inserted = await this.database.query<CardRecord>(
      `INSERT INTO slack_incident_cards (incident_id) VALUES ($1) ON CONFLICT DO NOTHING RETURNING ${CARD_COLUMNS}`,
      [incidentId],
    );
    if (inserted.rows[0]) return { state: 'claimed', row: toCard(inserted.rows[0]) };
    const existing = await this.card(incidentId);
    if (existing?.cardTs) return { state: 'done', row: existing };
    // A released claim (claimed_at 'epoch': its post failed) is taken without a look in Slack.
    const taken = await this.database.query<CardRecord & { previous_claim: Date }>(
      `WITH stale AS (
         SELECT claimed_at FROM slack_incident_cards
         WHERE incident_id = $1 AND card_ts IS NULL AND claimed_at < now() - make_interval(secs => $2) FOR UPDATE
       )
       UPDATE slack_incident_cards c SET claimed_at = now() FROM stale WHERE c.incident_id = $1
       RETURNING c.incident_id, c.channel_id, c.card_ts, c.version, c.invited, stale.claimed_at AS previous_claim`,
      [incidentId, CLAIM_STALE_SECONDS],
    );
    const row = taken.rows[0];
    if (!row) return { state: 'busy' };
    const staleSince = row.previous_claim.getTime() > 0 ? { staleSince: row.previous_claim } : {};
    return { state: 'claimed', row: { ...toCard(row), ...staleSince } };
  }

  async card(incidentId: string): Promise<CardRow | undefined> {
    const result = await this.database.query<CardRecord>(
      `SELECT ${CARD_COLUMNS} FROM slack_incident_cards WHERE incident_id = $1`,
      [incidentId],
    );
    return result.rows[0] ? toCard(result.rows[0]) : undefined;
  }

  /** The incident whose card lives in this channel, for `/tourniquet status` typed inside it. */
  async incidentOfChannel(channelId: string): Promise<string | undefined> {
    const result = await this.database.query<{ incident_id: string }>(
      'SELECT incident_id FROM slack_incident_cards WHERE channel_id = $1 AND card_ts IS NOT NULL ORDER BY claimed_at DESC LIMIT 1',
      [channelId],
    );
    return result.rows[0]?.incident_id;
  }

  async saveChannel(incidentId: string, channelId: string): Promise<void> {
    await this.database.query('UPDATE slack_incident_cards SET channel_id = $2 WHERE incident_id = $1', [
      incidentId,
      channelId,
    ]);
  }

  async saveCard(incidentId: string, cardTs: string, version: number): Promise<void> {
    await this.database.query(
      'UPDATE slack_incident_cards SET card_ts = $2, version = GREATEST(version, $3) WHERE incident_id = $1',
      [incidentId, cardTs, version],
    );
  }

  /**
   * Gives a failed claim back at once so the retry does not wait for it to go stale. `mayHavePosted`:
   * the post's answer was lost, so Slack may show it; the claim is handed over as a stale one, and
   * the retry looks in the conversation for it before it posts again.
   */
  async releaseCard(incidentId: string, mayHavePosted = false): Promise<void> {
    await this.database.query(
      `UPDATE slack_incident_cards SET claimed_at = ${mayHavePosted ? STALE_NOW : "'epoch'"}
       WHERE incident_id = $1 AND card_ts IS NULL`,
      [incidentId],
    );
  }

  /** Someone deleted the card in Slack: forget its ts so the next delivery posts a new one. */
  async forgetCard(incidentId: string): Promise<void> {
    await this.database.query(
      `UPDATE slack_incident_cards SET card_ts = NULL, claimed_at = 'epoch' WHERE incident_id = $1`,
      [incidentId],
    );
  }

  /**
   * Records that the card now shows `version`; false when a newer version is already shown, so a
   * late retry of an older notification never rolls the card back.
   */
  async advanceVersion(incidentId: string, version: number): Promise<boolean> {
    const result = await this.database.query(
      'UPDATE slack_incident_cards SET version = $2 WHERE incident_id = $1 AND version <= $2 RETURNING 1',
      [incidentId, version],
    );
    return result.rows.length > 0;
  }

  async markInvited(incidentId: string, userIds: string[]): Promise<void> {
    await this.database.query(
      `UPDATE slack_incident_cards SET invited = COALESCE((SELECT to_jsonb(array_agg(DISTINCT u)) FROM jsonb_array_elements_text(invited || $2::jsonb) AS u), '[]'::jsonb)
       WHERE incident_id = $1`,
      [incidentId, JSON.stringify(userIds)],
    );
  }

  /** Claims one direct message of one notification; `done` when it was already sent. */
  async claimDirectMessage(
    incidentId: string,
    key: string,
    personId: string,
    kind: string,
  ): Promise<Claim<{ ts: string | null; staleSince?: Date }>> {
    const inserted = await this.database.query(
      `INSERT INTO slack_direct_messages (incident_id, notification_key, person_id, kind) VALUES ($1, $2, $3, $4)
       ON CONFLICT DO NOTHING RETURNING 1`,
      [incidentId, key, personId, kind],
    );
    if (inserted.rows.length > 0) return { state: 'claimed', row: { ts: null } };
    const taken = await this.database.query<{ ts: string | null; previous_claim: Date }>(
      `WITH stale AS (
         SELECT claimed_at FROM slack_direct_messages
         WHERE incident_id = $1 AND notification_key = $2 AND person_id = $3 AND ts IS NULL
           AND claimed_at < now() - make_interval(secs => $4) FOR UPDATE
       )
       UPDATE slack_direct_messages d SET claimed_at = now() FROM stale
       WHERE d.incident_id = $1 AND d.notification_key = $2 AND d.person_id = $3
       RETURNING d.ts, stale.claimed_at AS previous_claim`,
      [incidentId, key, personId, CLAIM_STALE_SECONDS],
    );
    if (taken.rows[0]) return { state: 'claimed', row: { ts: null, staleSince: taken.rows[0].previous_claim } };
    const existing = await this.database.query<{ ts: string | null }>(
      'SELECT ts FROM slack_direct_messages WHERE incident_id = $1 AND notification_key = $2 AND person_id = $3',
      [incidentId, key, personId],
    );
    const ts = existing.rows[0]?.ts ?? null;
    return ts ? { state: 'done', row: { ts } } : { state: 'busy' };
  }

  /**
   * Stores the posted message's ts and, when it has buttons, what they are for, the status version
   * it was sent at and its text, so the buttons can be retired once their step is over.
   */
  async saveDirectMessage(
    incidentId: string,
    key: string,
    personId: string,
    channelId: string,
    ts: string,
    live?: { buttons: DirectMessageButtons; version: number; text: string },
  ): Promise<void> {
    await this.database.query(
      `UPDATE slack_direct_messages SET channel_id = $4, ts = $5, step = $6, dependents = $7::jsonb, version = $8, text = $9
       WHERE incident_id = $1 AND notification_key = $2 AND person_id = $3`,
      [
        incidentId,
        key,
        personId,
        channelId,
        ts,
        live?.buttons.step ?? null,
        JSON.stringify(live?.buttons.dependents ?? []),
        live?.version ?? null,
        live?.text ?? null,
      ],
    );
  }

  /** Sent direct messages of the incident whose buttons are live and were sent at `version` or before. */
  async liveDirectMessages(incidentId: string, version: number): Promise<LiveDirectMessage[]> {
    const result = await this.database.query<LiveRecord>(
      `SELECT notification_key, person_id, channel_id, ts, step, dependents, text FROM slack_direct_messages
       WHERE incident_id = $1 AND step IS NOT NULL AND retired_at IS NULL AND ts IS NOT NULL AND COALESCE(version, 0) <= $2
       ORDER BY claimed_at, notification_key, person_id`,
      [incidentId, version],
    );
    return result.rows.map(toLive);
  }

  /** Remembers that a direct message's buttons are gone, so a retried delivery leaves it alone. */
  async markRetired(incidentId: string, key: string, personId: string): Promise<void> {
    await this.database.query(
      'UPDATE slack_direct_messages SET retired_at = now() WHERE incident_id = $1 AND notification_key = $2 AND person_id = $3 AND retired_at IS NULL',
      [incidentId, key, personId],
    );
  }

  /** Gives a failed claim back; `mayHavePosted` as for releaseCard: the retry looks for the post first. */
  async releaseDirectMessage(incidentId: string, key: string, personId: string, mayHavePosted = false): Promise<void> {
    await this.database.query(
      mayHavePosted
        ? `UPDATE slack_direct_messages SET claimed_at = ${STALE_NOW}
           WHERE incident_id = $1 AND notification_key = $2 AND person_id = $3 AND ts IS NULL`
        : 'DELETE FROM slack_direct_messages WHERE incident_id = $1 AND notification_key = $2 AND person_id = $3 AND ts IS NULL',
      [incidentId, key, personId],
    );
  }
}

function toCard(record: CardRecord): CardRow {
  const invited = typeof record.invited === 'string' ? (JSON.parse(record.invited) as string[]) : record.invited;
  return {
    incidentId: record.incident_id,
    channelId: record.channel_id,
    cardTs: record.card_ts,
    version: record.version,
    invited: invited ?? [],
  };
}

interface LiveRecord {
  notification_key: string;
  person_id: string;
  channel_id: string;
  ts: string;
  step: ButtonStep;
  dependents: string[] | string | null;
  text: string | null;
}

function toLive(record: LiveRecord): LiveDirectMessage {
  const dependents =
    typeof record.dependents === 'string' ? (JSON.parse(record.dependents) as string[]) : record.dependents;
  return {
    notificationKey: record.notification_key,
    personId: record.person_id,
    channelId: record.channel_id,
    ts: record.ts,
    step: record.step,
    dependents: dependents ?? [],
    text: record.text ?? '',
  };
}
