import { WebAPIHTTPError, WebAPIPlatformError, WebAPIRateLimitedError, WebAPIRequestError } from '@slack/web-api';
import { ERROR_CODES } from '../../../domain/errors';
import { mapSlackError } from '../../../integrations/slack/errors';
import {
  fieldErrors,
  flattenState,
  openCommandOf,
  OpenSubmissionSchema,
  ReasonSubmissionSchema,
} from '../../../entrypoints/slack/view-input';

const state = (values: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(values).map(([block, element]) => [block, { value: element as never }]));

describe('open modal submission', () => {
  it('becomes an open command whose sighting is keyed by the view id, so a redelivered submission is one sighting', () => {
    const flat = flattenState(
      state({
        secret: { type: 'static_select', selected_option: { value: 'payments-db' } },
        identifiers: { type: 'plain_text_input', value: ' payments_app, AKIA123 ' },
        description: { type: 'plain_text_input', value: null },
        location: { type: 'plain_text_input', value: 'https://github.com/acme/app/blob/main/.env' },
        severity: { type: 'static_select', selected_option: { value: 'critical' } },
        flags: { type: 'checkboxes', selected_options: [{ value: 'publiclyExposed' }] },
        notes: { type: 'plain_text_input', value: '' },
      }),
    );
    const submission = OpenSubmissionSchema.parse(flat);
    const command = openCommandOf(submission, 'V123', 'alice', new Date('2030-01-01T00:00:00Z'));
    expect(command.secretId).toBe('payments-db');
    expect(command.identifiers).toEqual(['payments_app', 'AKIA123']);
    expect(command.leakedValue).toBeUndefined();
    expect(command.sighting).toMatchObject({
      source: 'slack',
      sourceRef: 'slack-view-V123',
      reportedBy: 'alice',
      publiclyExposed: true,
      location: 'https://github.com/acme/app/blob/main/.env',
      notes: 'severity (reporter): critical',
    });
    expect(command.sighting.verifiedActive).toBeUndefined();
  });

  it('names the field to fix when nothing says which credential leaked', () => {
    const result = OpenSubmissionSchema.safeParse({ location: 'somewhere', severity: 'low' });
    expect(result.success).toBe(false);
    if (!result.success)
      expect(fieldErrors(result.error)).toEqual({
        description: 'pick a credential, or give identifiers or a description',
      });
  });

  it('refuses a severity that is not a tier and a blank reason', () => {
    expect(OpenSubmissionSchema.safeParse({ location: 'x', secret: 'a', severity: 'apocalyptic' }).success).toBe(false);
    const reason = ReasonSubmissionSchema.safeParse(
      flattenState(state({ reason: { type: 'plain_text_input', value: '   ' } })),
    );
    expect(reason.success).toBe(false);
    if (!reason.success) expect(fieldErrors(reason.error)).toEqual({ reason: 'give a reason' });
  });
});

describe('Slack error mapping', () => {
  it('turns 429 into RATE_LIMITED carrying Retry-After in ms', () => {
    const mapped = mapSlackError('chat.postMessage', new WebAPIRateLimitedError(7));
    expect(mapped.code).toBe(ERROR_CODES.rateLimited);
    expect(mapped.retryAfterMs).toBe(7000);
    expect(mapped.retryable).toBe(true);
  });

  it('turns 5xx and network failures into retryable PROVIDER_UNAVAILABLE', () => {
    expect(mapSlackError('chat.update', new WebAPIHTTPError(503, 'Service Unavailable', {})).code).toBe(
      ERROR_CODES.providerUnavailable,
    );
    expect(mapSlackError('chat.update', new WebAPIRequestError(new Error('ECONNREFUSED'))).retryable).toBe(true);
  });

  it('turns setup errors into non-retryable codes that say what to fix', () => {
    const auth = mapSlackError('chat.postMessage', new WebAPIPlatformError({ ok: false, error: 'invalid_auth' }));
    expect(auth.code).toBe(ERROR_CODES.configuration);
    expect(auth.retryable).toBe(false);
    expect(auth.message).toContain('SLACK_BOT_TOKEN');
    const channel = mapSlackError('chat.postMessage', new WebAPIPlatformError({ ok: false, error: 'not_in_channel' }));
    expect(channel.code).toBe(ERROR_CODES.permissionDenied);
    expect(channel.retryable).toBe(false);
  });
});
