import { counted } from '../../../workflows/activity-stubs';
import { unlessLocalCall } from '../../../workflows/handlers';
import { stateBeforePlanning } from '../../support/incident-state';
import { LOCAL_CALL_REFUSAL } from '../../../workflows/messages';

/** The rules of patch 'local-call-alone' on the incident's state, outside a workflow (no Temporal calls). */
describe('a local activity runs alone', () => {
  const newState = () => {
    const state = stateBeforePlanning();
    state.localCallAlone = true;
    return state;
  };

  it('does not begin while an activity is in flight, and begins once it answered', async () => {
    let answer!: () => void;
    const stubs = counted({ slow: () => new Promise<void>((resolve) => (answer = resolve)) });
    const inFlight = stubs.slow();
    expect(newState().beginLocalCall()).toBe(false);
    answer();
    await inFlight;
    expect(newState().beginLocalCall()).toBe(true);
  });

  it('refuses updates while it runs (asked again by the service), and validates them again after', () => {
    const state = newState();
    const seen: string[] = [];
    const validator = unlessLocalCall(state, (request: string) => void seen.push(request));
    expect(state.beginLocalCall()).toBe(true);
    expect(() => validator('during')).toThrow(expect.objectContaining({ type: LOCAL_CALL_REFUSAL }));
    state.endLocalCall();
    validator('after');
    expect(seen).toEqual(['after']);
  });

  it('changes nothing for runs without the patch', () => {
    const state = stateBeforePlanning();
    expect(state.beginLocalCall()).toBe(true);
    expect(state.localCallInProgress).toBe(false);
  });
});
