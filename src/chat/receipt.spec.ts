import { receiptFor } from './message.view';

describe('receiptFor', () => {
  const member = (userId: number, lastRead: number) => ({ userId, name: `User ${userId}`, lastRead });

  it('is green only when every other member has read, naming who has', () => {
    const state = { members: [member(1, 0), member(2, 5), member(3, 4)] };
    expect(receiptFor(5, 1, state)).toEqual({ read: false, readers: ['User 2'], moreReaders: 0 });
    expect(receiptFor(4, 1, state)).toEqual({ read: true, readers: ['User 2', 'User 3'], moreReaders: 0 });
  });

  it('names ten readers of a big group and counts the rest, so a tick stays small', () => {
    const members = [member(1, 0), ...Array.from({ length: 999 }, (_, i) => member(i + 2, i < 500 ? 9 : 0))];
    const receipt = receiptFor(9, 1, { members });
    expect(receipt.read).toBe(false);
    expect(receipt.readers).toHaveLength(10);
    expect(receipt.moreReaders).toBe(490);
  });
});
