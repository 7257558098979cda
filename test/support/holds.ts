/**
 * A point where a fake or proxy holds a call so a test can crash something while it is in flight.
 * `reached` counts arrivals (observable state to wait on, never a sleep); `released` resolves when
 * the test lets go. `before`: the call has not taken effect at the provider; `after`: it has, and
 * only the answer is held back (a retry of a held `after` call is held without taking effect).
 */
export class Hold {
  reached = 0;
  armed = true;
  /** Whether the first arrival of an `after` hold already took effect. */
  tookEffect = false;
  readonly released: Promise<void>;
  private releaseNow!: () => void;

  constructor(
    readonly name: string,
    readonly when: 'before' | 'after',
  ) {
    this.released = new Promise((resolve) => (this.releaseNow = resolve));
  }

  /** Whether this arrival may take effect at the provider (only the first arrival of an `after` hold). */
  arrive(): boolean {
    this.reached += 1;
    if (this.when === 'after' && !this.tookEffect) {
      this.tookEffect = true;
      return true;
    }
    return false;
  }

  release(): void {
    this.armed = false;
    this.releaseNow();
  }
}
