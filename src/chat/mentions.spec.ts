import { mentionedIn } from './mentions';

describe('mentions', () => {
  const members = [
    { userId: 1, name: 'Anna Nowak' },
    { userId: 2, name: 'Anna Kowalska' },
    { userId: 3, name: 'Piotr Zieliński' },
  ];

  it('finds @Full Name and a first name that only one member has, case-insensitive, at word edges', () => {
    expect(mentionedIn('@anna nowak, please check', members)).toEqual([1]);
    expect(mentionedIn('cc @Piotr.', members)).toEqual([3]);
    expect(mentionedIn('@Anna — which one?', members)).toEqual([]);
    expect(mentionedIn('mail piotr@example.com or @Piotrek', members)).toEqual([]);
    expect(mentionedIn('@Piotr Zieliński i @Anna Kowalska', members)).toEqual([2, 3]);
  });

  it('takes @all and @everyone for every member, and nothing without an @', () => {
    expect(mentionedIn('Deploy at 5, @all', members)).toEqual([1, 2, 3]);
    expect(mentionedIn('@everyone: lunch', members)).toEqual([1, 2, 3]);
    expect(mentionedIn('all of you', members)).toEqual([]);
    expect(mentionedIn('a@all.test', members)).toEqual([]);
  });
});
