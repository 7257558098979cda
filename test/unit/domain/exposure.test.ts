import {
  classify,
  dependentCandidates,
  knownWorkloads,
  periodOf,
  summarise,
  type ExposureEvent,
} from '../../../domain/exposure';

const window = { leakedAt: '2026-12-01T10:00:00.000Z', containedAt: '2026-12-01T12:00:00.000Z' };

function event(at: string, overrides: Partial<ExposureEvent> = {}): ExposureEvent {
  const period = periodOf(at, window);
  return {
    at,
    credential: 'AKIAEXAMPLE000000001',
    service: 's3.amazonaws.com',
    action: 'ListBuckets',
    sourceIp: '10.0.0.1',
    userAgent: 'pipeline',
    period,
    classification: classify(period, overrides.errorCode),
    ...overrides,
  };
}

describe('exposure classification', () => {
  it('puts each call before the leak, during exposure (containment instant included) or after containment', () => {
    expect(periodOf('2026-12-01T09:59:59.999Z', window)).toBe('before-leak');
    expect(periodOf('2026-12-01T10:00:00.000Z', window)).toBe('during-exposure');
    expect(periodOf('2026-12-01T12:00:00.000Z', window)).toBe('during-exposure');
    expect(periodOf('2026-12-01T12:00:00.001Z', window)).toBe('after-containment');
  });

  it('classifies successful calls by period and refused calls as denied whatever the period', () => {
    expect(classify('before-leak', undefined)).toBe('baseline');
    expect(classify('during-exposure', undefined)).toBe('during-exposure');
    expect(classify('after-containment', undefined)).toBe('after-containment');
    expect(classify('after-containment', 'InvalidClientTokenId')).toBe('denied');
    expect(classify('before-leak', 'AccessDenied')).toBe('denied');
  });

  it('counts every class, keeps the most telling events first, and flags any use after containment, refused or not', () => {
    const events = [
      ...Array.from({ length: 60 }, (_, i) =>
        event(new Date(Date.parse(window.leakedAt) - (i + 1) * 60_000).toISOString()),
      ),
      event('2026-12-01T11:00:00.000Z'),
      event('2026-12-01T13:00:00.000Z', { errorCode: 'InvalidClientTokenId' }),
    ];
    const summary = summarise(events);
    expect(summary.counts).toEqual({ baseline: 60, 'during-exposure': 1, 'after-containment': 0, denied: 1 });
    expect(summary.events).toHaveLength(50);
    expect(summary.eventsOmitted).toBe(12);
    expect(summary.events[0]).toMatchObject({ classification: 'denied', period: 'after-containment' });
    expect(summary.events[1]).toMatchObject({ classification: 'during-exposure' });
    expect(summary.usedAfterContainment).toBe(true);
    expect(summarise(events.slice(0, 61)).usedAfterContainment).toBe(false);
  });

  it('proposes the workloads seen before the leak as candidates, one per source and agent, minus the known ones', () => {
    const events = [
      event('2026-12-01T08:00:00.000Z'),
      event('2026-12-01T09:00:00.000Z'),
      event('2026-12-01T09:30:00.000Z', { sourceIp: '10.0.0.2', userAgent: 'cron' }),
      event('2026-12-01T11:00:00.000Z', { sourceIp: '198.51.100.1', userAgent: 'attacker' }),
    ];
    expect(dependentCandidates(events)).toEqual([
      expect.objectContaining({
        key: '10.0.0.1 pipeline',
        calls: 2,
        firstSeen: '2026-12-01T08:00:00.000Z',
        lastSeen: '2026-12-01T09:00:00.000Z',
      }),
      expect.objectContaining({ key: '10.0.0.2 cron', calls: 1 }),
    ]);
    // A catalog dependent whose seenAs matches is known, not a candidate; every list it gives must match.
    const cron = { id: 'nightly-cron', seenAs: { sourceIps: ['10.0.0.2'], userAgents: ['cron'] } };
    expect(dependentCandidates(events, [cron]).map((c) => c.key)).toEqual(['10.0.0.1 pipeline']);
    expect(knownWorkloads(events, [cron])).toEqual([
      { dependentId: 'nightly-cron', key: '10.0.0.2 cron', calls: 1, lastSeen: '2026-12-01T09:30:00.000Z' },
    ]);
    const elsewhere = { id: 'other', seenAs: { sourceIps: ['10.0.0.9'], userAgents: ['cron'] } };
    expect(dependentCandidates(events, [elsewhere])).toHaveLength(2);
    expect(dependentCandidates(events, [{ id: 'no-seen-as' }])).toHaveLength(2);
  });
});
