// Keeps one conversation's changes in order. Every change the server makes to a conversation's messages has a
// number (its change sequence); pushes may come late, out of order or not at all, so the page applies them in
// order, holds back the early ones, and catches up from the last one it applied when one stays missing.
// No DOM here: the page and the tests drive the same code.

export class Sequencer {
  /**
   * @param {number} applied the sequence the shown messages are at
   * @param {{ apply: (change: unknown) => void, catchUp: (from: number) => Promise<number | null>, gapMs?: number }} hooks
   *   apply shows one change; catchUp fetches and shows everything after `from` and answers the sequence that
   *   brought the page to (null when it failed, to be tried again later)
   */
  constructor(applied, { apply, catchUp, gapMs = 400 }) {
    this.applied = applied;
    /** The newest change known to exist, from a push that came early or from the server's word. */
    this.known = applied;
    this.early = new Map();
    this.hooks = { apply, catchUp };
    this.gapMs = gapMs;
    this.gapTimer = null;
    this.running = null;
    this.again = false;
    this.closed = false;
  }

  /** A change that arrived: shown now if it is the next one, kept if it came early, dropped if already shown. */
  offer(seq, change) {
    if (this.closed || !(seq > this.applied)) return;
    this.early.set(seq, change);
    this.known = Math.max(this.known, seq);
    this.drain();
  }

  /**
   * The server says the conversation is at `seq`. Pushes on their way are given a moment to arrive; a page still
   * behind after it catches up.
   */
  check(seq) {
    if (this.closed) return;
    if (seq > this.known) this.known = seq;
    this.watch();
  }

  /** Fetches everything after what was applied: one catch-up at a time, another right after if asked meanwhile. */
  resync() {
    if (this.closed) return Promise.resolve();
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      do {
        this.again = false;
        let reached = null;
        try {
          reached = await this.hooks.catchUp(this.applied);
        } catch {
          reached = null;
        }
        if (reached !== null && reached !== undefined) this.caughtUp(reached);
      } while (this.again && !this.closed);
      this.running = null;
    })();
    return this.running;
  }

  /** A catch-up showed everything up to `seq`: what was held back and is older is dropped, the rest applied. */
  caughtUp(seq) {
    if (seq > this.applied) this.applied = seq;
    this.known = Math.max(this.known, this.applied);
    for (const held of [...this.early.keys()]) if (held <= this.applied) this.early.delete(held);
    this.drain();
  }

  drain() {
    while (this.early.has(this.applied + 1)) {
      const change = this.early.get(this.applied + 1);
      this.early.delete(this.applied + 1);
      this.applied += 1;
      this.hooks.apply(change);
    }
    this.watch();
  }

  /** While something known is not yet applied, a timer runs; when it ends with the page still behind, it catches up. */
  watch() {
    if (this.known <= this.applied || this.closed) {
      clearTimeout(this.gapTimer);
      this.gapTimer = null;
      return;
    }
    this.gapTimer ??= setTimeout(() => {
      this.gapTimer = null;
      if (this.known > this.applied) this.resync();
    }, this.gapMs);
  }

  close() {
    this.closed = true;
    clearTimeout(this.gapTimer);
    this.early.clear();
  }
}
