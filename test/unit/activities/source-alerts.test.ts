import { resolutionComment } from '../../../activities/source-alerts';

describe('the comment a closed GitHub alert carries', () => {
  it('names the incident and links its audit page', () => {
    expect(resolutionComment('leak-abc-1234', 'https://t.example/')).toBe(
      'Revoked by Tourniquet, incident leak-abc-1234: https://t.example/audit/incidents/leak-abc-1234',
    );
  });

  it('keeps the link whole within 270 characters, dropping the words before it first', () => {
    const base = `https://${'a'.repeat(200)}.example`;
    const comment = resolutionComment('leak-abc-1234', base);
    expect(comment).toBe(`${base}/audit/incidents/leak-abc-1234`);
    expect(comment.length).toBeLessThanOrEqual(270);
  });

  it('names the incident alone when no public URL is known', () => {
    expect(resolutionComment('leak-abc-1234', undefined)).toBe('Revoked by Tourniquet, incident leak-abc-1234');
  });
});
