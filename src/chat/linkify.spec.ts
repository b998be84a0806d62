import { segments } from './linkify';

describe('message text to segments', () => {
  it('keeps markup as text, for the template to escape', () => {
    expect(segments('<script>alert("x")</script> & more')).toEqual([{ type: 'text', text: '<script>alert("x")</script> & more' }]);
  });

  it('finds http and https URLs, leaving trailing punctuation outside', () => {
    expect(segments('see https://example.com/a?b=1&c=2.')).toEqual([
      { type: 'text', text: 'see ' },
      { type: 'url', url: 'https://example.com/a?b=1&c=2' },
      { type: 'text', text: '.' },
    ]);
  });

  it('does not link other schemes', () => {
    expect(segments('javascript:alert(1) data:text/html,x')).toEqual([{ type: 'text', text: 'javascript:alert(1) data:text/html,x' }]);
  });

  it('does not let a URL run into an attribute-breaking quote', () => {
    expect(segments('http://x.test/"onmouseover="alert(1)')[0]).toEqual({ type: 'url', url: 'http://x.test/' });
  });

  it('turns the URL of a known object into an object link, and an unknown one into a plain link', () => {
    const task = { kind: 'tasks', id: 5, name: 'Telefon', statusKey: 'crm.status.in_progress', href: '/crm/tasks/5' };
    const parts = segments('https://gwar.test/crm/tasks/5 and https://gwar.test/crm/tasks/6', new Map([['tasks:5', task]]));
    expect(parts).toEqual([
      { type: 'object', object: task },
      { type: 'text', text: ' and ' },
      { type: 'url', url: 'https://gwar.test/crm/tasks/6' },
    ]);
  });
});
