import { LoopbackFake, type FakeRequest, type FakeReply } from './loopback-server';

/**
 * Opsgenie's schedule API as documented: `GET /v2/schedules/{id}/on-calls?flat=true` answers
 * `data.onCallRecipients` as usernames (emails). `onCall` maps schedule id → recipients.
 */
export class FakeOpsgenie extends LoopbackFake {
  onCall: Record<string, string[]> = {};

  constructor(readonly apiKey = 'og-test-key') {
    super((request) => this.answer(request));
  }

  private answer(request: FakeRequest): FakeReply {
    if (request.headers.authorization !== `GenieKey ${this.apiKey}`) {
      return { status: 401, body: { message: 'Could not authenticate', took: 0.001, requestId: 'r-401' } };
    }
    const url = new URL(request.path, 'http://opsgenie.invalid');
    const match = /^\/v2\/schedules\/([^/]+)\/on-calls$/.exec(url.pathname);
    const recipients = match ? this.onCall[match[1]!] : undefined;
    if (!match || !recipients)
      return { status: 404, body: { message: 'Schedule not found', took: 0.001, requestId: 'r-404' } };
    if (url.searchParams.get('flat') !== 'true')
      return { status: 400, body: { message: 'test fake expects flat=true' } };
    return {
      status: 200,
      body: {
        data: { _parent: { id: match[1], name: match[1], enabled: true }, onCallRecipients: recipients },
        took: 0.01,
        requestId: 'r-1',
      },
    };
  }
}
