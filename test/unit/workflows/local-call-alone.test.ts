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

  it('keeps background work held after the call, until released, unless the hold limit passed during the call', () => {
    const quick = newState();
    expect(quick.beginLocalCall()).toBe(true);
    expect(quick.holdingBackground).toBe(true);
    quick.endLocalCall();
    // A call that answered within the limit: its caller decides (releaseBackgroundWork).
    expect(quick.holdingBackground).toBe(true);

    const slow = newState();
    expect(slow.beginLocalCall()).toBe(true);
    slow.holdLimitPassed();
    // The limit does not end the hold while the call runs alone...
    expect(slow.holdingBackground).toBe(true);
    // ...but its end does: a slow provider's fallback activity may retry for minutes.
    slow.endLocalCall();
    expect(slow.holdingBackground).toBe(false);
  });

  it('changes nothing for runs without the patch', () => {
    const state = stateBeforePlanning();
    expect(state.beginLocalCall()).toBe(true);
    expect(state.localCallInProgress).toBe(false);
  });
});
