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

describe('Markdown-lite and labelled links', () => {
  it('styles **strong**, *em*, _em_ and `code`, one level, leaving the markers out', () => {
    expect(segments('a **big** and *small* or _tiny_ `x*y*z` end')).toEqual([
      { type: 'text', text: 'a ' },
      { type: 'text', text: 'big', style: 'strong' },
      { type: 'text', text: ' and ' },
      { type: 'text', text: 'small', style: 'em' },
      { type: 'text', text: ' or ' },
      { type: 'text', text: 'tiny', style: 'em' },
      { type: 'text', text: ' ' },
      { type: 'text', text: 'x*y*z', style: 'code' },
      { type: 'text', text: ' end' },
    ]);
  });

  it('leaves arithmetic, snake_case, lone markers and markers across lines as typed', () => {
    for (const text of ['2*3*4 = 24', 'call my_var_name now', 'a * b * c', 'price: 5 * 2', '**not\nbold**', '_a_b', 'x**']) {
      expect(segments(text)).toEqual([{ type: 'text', text }]);
    }
  });

  it('links Slack’s <url|label> and <url>, and Markdown’s [label](url), with the label as text', () => {
    expect(segments('see <https://shop.test/o/7|order #7> and <https://x.test/a> or [docs](https://d.test/p?q=1).')).toEqual([
      { type: 'text', text: 'see ' },
      { type: 'url', url: 'https://shop.test/o/7', label: 'order #7' },
      { type: 'text', text: ' and ' },
      { type: 'url', url: 'https://x.test/a' },
      { type: 'text', text: ' or ' },
      { type: 'url', url: 'https://d.test/p?q=1', label: 'docs' },
      { type: 'text', text: '.' },
    ]);
  });

  it('never links a label to anything but http(s), and keeps markup in labels and styles as text', () => {
    expect(segments('[x](javascript:alert(1)) <javascript:alert(1)|y>')).toEqual([{ type: 'text', text: '[x](javascript:alert(1)) <javascript:alert(1)|y>' }]);
    expect(segments('<https://a.test|<b>hi</b>>')[0]).toEqual({ type: 'text', text: '<' });
    expect(segments('**<img src=x onerror=alert(1)>**')).toEqual([{ type: 'text', text: '<img src=x onerror=alert(1)>', style: 'strong' }]);
  });
});
