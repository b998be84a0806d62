import { Sequencer } from '../support/sequencer';

/** A page's conversation: what was applied, in order, and a catch-up that answers from a server's log. */
function page(applied = 0, serverSeq = () => 0) {
  const shown: number[] = [];
  const asked: number[] = [];
  const sequencer = new Sequencer(applied, {
    apply: (seq) => shown.push(seq as number),
    catchUp: async (from) => {
      asked.push(from);
      return serverSeq();
    },
    gapMs: 20,
  });
  return { sequencer, shown, asked };
}
const later = (ms = 50) => new Promise((r) => setTimeout(r, ms));

describe('the page’s sequencer', () => {
  it('applies changes in order however they arrive, and each once', () => {
    const { sequencer, shown } = page();
    for (const seq of [2, 1, 1, 4, 3, 2, 5]) sequencer.offer(seq, seq);
    expect(shown).toEqual([1, 2, 3, 4, 5]);
    sequencer.close();
  });

  it('asks for what is missing when a gap stays open, from the last change applied in order', async () => {
    const { sequencer, shown, asked } = page(0, () => 3);
    sequencer.offer(1, 1);
    sequencer.offer(3, 3);
    await later();
    expect(asked).toEqual([1]);
    expect(sequencer.applied).toBe(3);
    expect(shown).toEqual([1]);
    sequencer.offer(3, 3);
    sequencer.offer(4, 4);
    expect(shown).toEqual([1, 4]);
    sequencer.close();
  });

  it('does not ask when the missing change arrives in time', async () => {
    const { sequencer, shown, asked } = page();
    sequencer.offer(2, 2);
    sequencer.offer(1, 1);
    await later();
    expect(asked).toEqual([]);
    expect(shown).toEqual([1, 2]);
    sequencer.close();
  });

  it('catches up when the server stays ahead, once for several checks', async () => {
    let server = 5;
    const { sequencer, asked } = page(2, () => server);
    sequencer.check(5);
    sequencer.check(5);
    server = 7;
    await later();
    expect(asked).toEqual([2]);
    expect(sequencer.applied).toBe(7);
    sequencer.check(7);
    await later();
    expect(asked).toEqual([2]);
    sequencer.close();
  });

  it('lets the pushes on their way arrive before catching up with a check', async () => {
    const { sequencer, shown, asked } = page(0, () => 2);
    sequencer.check(2);
    sequencer.offer(1, 1);
    sequencer.offer(2, 2);
    await later();
    expect(asked).toEqual([]);
    expect(shown).toEqual([1, 2]);
    sequencer.close();
  });

  it('runs one catch-up at a time, and another right after when asked meanwhile', async () => {
    let release = () => undefined as void;
    const asked: number[] = [];
    const sequencer = new Sequencer(0, {
      apply: () => undefined,
      catchUp: async (from) => {
        asked.push(from);
        await new Promise<void>((r) => (release = r));
        return from + 1;
      },
    });
    const first = sequencer.resync();
    void sequencer.resync();
    void sequencer.resync();
    release();
    await later();
    release();
    await first;
    expect(asked).toEqual([0, 1]);
    expect(sequencer.applied).toBe(2);
    sequencer.close();
  });

  it('drops changes held back that a catch-up already covered, and applies the newer ones after it', async () => {
    const { sequencer, shown } = page(0, () => 3);
    sequencer.offer(2, 2);
    sequencer.offer(5, 5);
    sequencer.offer(4, 4);
    await sequencer.resync();
    expect(sequencer.applied).toBe(5);
    expect(shown).toEqual([4, 5]);
    sequencer.close();
  });

  it('keeps its place when a catch-up fails, and tries again on the next check', async () => {
    let fails = true;
    const shown: number[] = [];
    const sequencer = new Sequencer(1, {
      apply: (seq) => shown.push(seq as number),
      catchUp: async () => {
        if (fails) throw new Error('offline');
        return 4;
      },
      gapMs: 20,
    });
    await sequencer.resync();
    expect(sequencer.applied).toBe(1);
    fails = false;
    sequencer.check(4);
    await later();
    expect(sequencer.applied).toBe(4);
    sequencer.close();
  });
});
