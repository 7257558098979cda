import type { PersonRef } from '../../../domain/incident';

/** Slack mrkdwn treats &, < and > as control characters; anything people typed is escaped. */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** A status field that is not known yet (the incident is still planning) reads as such. */
export function orNotKnown(value: string | null): string {
  return value ?? 'not known yet';
}

/** A person as a Slack mention when we know their Slack id, else their catalog name. */
export function personLabel(person: PersonRef | undefined): string {
  if (!person) return '_nobody_';
  return person.slackUserId ? `<@${person.slackUserId}>` : escapeMrkdwn(person.name);
}

/**
 * A timestamp rendered in each reader's own time zone by Slack, with the ISO string as the
 * fallback for clients that cannot format dates.
 */
export function slackDate(iso: string): string {
  const seconds = Math.floor(Date.parse(iso) / 1000);
  if (Number.isNaN(seconds)) return escapeMrkdwn(iso);
  return `<!date^${seconds}^{date_short_pretty} {time_secs}|${iso}>`;
}

/** "3m", "2h 5m": how long something has been going on. */
export function age(fromIso: string, now: Date): string {
  const minutes = Math.max(0, Math.floor((now.getTime() - Date.parse(fromIso)) / 60_000));
  if (minutes < 60) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  return hours < 48 ? `${hours}h ${minutes % 60}m` : `${Math.floor(hours / 24)}d`;
}

/** Slack rejects section text over 3000 characters; long notes are cut rather than lost calls. */
export function clip(text: string, max = 2900): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
