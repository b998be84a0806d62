/** The page's own sequencer (public/js/chat/sequencer.js), typed for the tests that drive it. */
export interface SequencerHooks {
  apply: (change: unknown) => void;
  catchUp: (from: number) => Promise<number | null>;
  gapMs?: number;
}

export interface SequencerType {
  readonly applied: number;
  offer(seq: number, change: unknown): void;
  check(seq: number): void;
  resync(): Promise<void>;
  caughtUp(seq: number): void;
  close(): void;
}

// eslint-disable-next-line @typescript-eslint/no-require-imports
export const { Sequencer } = require('../../public/js/chat/sequencer.js') as { Sequencer: new (applied: number, hooks: SequencerHooks) => SequencerType };
