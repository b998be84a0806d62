import { Slots } from './thumbnails';

describe('slots for thumbnails', () => {
  it('runs at most its size at once, the rest in turn, and frees a slot when a task fails', async () => {
    const slots = new Slots(2);
    let running = 0;
    let most = 0;
    const finish: (() => void)[] = [];
    const order: number[] = [];
    const task = (n: number) =>
      slots.run(async () => {
        running++;
        most = Math.max(most, running);
        await new Promise<void>((resolve) => finish.push(resolve));
        running--;
        order.push(n);
        if (n === 1) throw new Error('not an image');
        return n;
      });
    const results = [1, 2, 3, 4, 5].map((n) => task(n).catch(() => 'failed'));
    const settle = () => new Promise((r) => setImmediate(r));
    await settle();
    expect(running).toBe(2);
    while (finish.length) {
      finish.shift()!();
      await settle();
      expect(running).toBeLessThanOrEqual(2);
    }
    expect(await Promise.all(results)).toEqual(['failed', 2, 3, 4, 5]);
    expect(order).toEqual([1, 2, 3, 4, 5]);
    expect(most).toBe(2);
  });
});
