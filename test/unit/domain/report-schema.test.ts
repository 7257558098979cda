import { OpenIncidentBodySchema } from '../../../entrypoints/http/api-schemas';
import { GenericAlertSchema } from '../../../integrations/intake/generic';

/** The API and the generic signed webhook take the same report fields with the same limits. */
describe('one report schema for the API and the generic webhook', () => {
  const api = (fields: Record<string, unknown>) =>
    OpenIncidentBodySchema.safeParse({ secretId: 'payments-db', ...fields });
  const generic = (fields: Record<string, unknown>) =>
    GenericAlertSchema.safeParse({
      id: 'alert-1',
      detectedAt: '2026-01-02T03:04:05Z',
      secretId: 'payments-db',
      ...fields,
    });

  it.each([
    ['a 12,000-character value', { value: 'v'.repeat(12_000) }, true],
    ['a 16,385-character value', { value: 'v'.repeat(16_385) }, false],
    ['a 510-character identifier', { identifiers: ['i'.repeat(510)] }, true],
    ['a 513-character identifier', { identifiers: ['i'.repeat(513)] }, false],
    ['21 identifiers', { identifiers: Array.from({ length: 21 }, (_, i) => `id-${i}`) }, false],
    ['a 1,500-character description', { description: 'd'.repeat(1_500) }, true],
    ['a 2,001-character description', { description: 'd'.repeat(2_001) }, false],
    ['a 150-character provider hint', { providerHint: 'p'.repeat(150) }, true],
    ['a 201-character provider hint', { providerHint: 'p'.repeat(201) }, false],
    ['a 201-character secret id', { secretId: 's'.repeat(201) }, false],
  ])('%s: both accept, or both refuse', (_, fields, accepted) => {
    const { value, ...rest } = fields as { value?: string };
    const viaApi = api(value === undefined ? rest : { ...rest, leakedValue: value });
    const viaGeneric = generic(value === undefined ? rest : { ...rest, value });
    expect([viaApi.success, viaGeneric.success]).toEqual([accepted, accepted]);
  });

  it('the API no longer takes a severity nobody read: it is refused by name', () => {
    const result = api({ severity: 'high' });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toContain('severity');
  });

  it('both read detectedAt as an ISO-8601 date-time with a zone', () => {
    expect(generic({ detectedAt: 'yesterday' }).success).toBe(false);
    expect(generic({ detectedAt: '2026-01-02' }).success).toBe(false);
    expect(api({ detectedAt: '2026-01-02' }).success).toBe(false);
    expect(api({ detectedAt: '2026-01-02T03:04:05+02:00' }).success).toBe(true);
  });
});
