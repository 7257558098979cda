import type { WebClient } from '@slack/web-api';
import type { PersonRef } from '../../domain/incident';
import type { PeopleByEmail } from '../ports';

/**
 * Slack `users.lookupByEmail`, for people an on-call tool names who are not in the catalog: they can
 * still be messaged and may act through Slack. `users_not_found` answers undefined.
 */
export class SlackPeopleByEmail implements PeopleByEmail {
  constructor(private readonly client: WebClient) {}

  async byEmail(email: string): Promise<PersonRef | undefined> {
    try {
      const answer = await this.client.users.lookupByEmail({ email });
      const user = answer.user;
      if (!user?.id) return undefined;
      return { id: `slack:${user.id}`, name: user.real_name ?? user.name ?? email, slackUserId: user.id };
    } catch (error) {
      if ((error as { data?: { error?: string } }).data?.error === 'users_not_found') return undefined;
      throw error;
    }
  }
}
