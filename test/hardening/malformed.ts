/**
 * What a careless or hostile client can send in place of a field, an id, a body or an event's arguments.
 * Each entry has a label, so a failure names exactly what was sent.
 */

export interface Labelled<T> {
  label: string;
  value: T;
}

const MB = 1024 * 1024;

function nested(depth: number, leaf: unknown = 1): unknown {
  let value = leaf;
  for (let i = 0; i < depth; i++) value = { a: value };
  return value;
}

/** An object whose key is `__proto__` as JSON.parse makes it (an own property), not an object literal's prototype. */
const protoKey = (): Record<string, unknown> => JSON.parse('{"__proto__": {"polluted": true}, "constructor": {"prototype": {"polluted": true}}}');

/** Values for one field of a form or a JSON body: everything but what the field expects. */
export const FIELD_VALUES: Labelled<unknown>[] = [
  { label: 'NUL inside text', value: 'a\u0000b' },
  { label: 'only NUL', value: '\u0000' },
  { label: 'a lone surrogate', value: 'x\ud800y' },
  { label: 'right-to-left override and zero-width joiners', value: '\u202e\u200d\u200d1' },
  { label: 'a path with a line break and letters beyond Latin-1', value: '/x\r\nSet-Cookie: a=b/zażółć' },
  { label: '10,001 characters', value: 'x'.repeat(10_001) },
  { label: 'negative id', value: '-1' },
  { label: 'zero', value: '0' },
  { label: '1e308', value: '1e308' },
  { label: '2^63', value: '9223372036854775808' },
  { label: 'int4 max + 1', value: '2147483648' },
  { label: 'a float', value: '1.5' },
  { label: 'non-numeric', value: 'abc' },
  { label: 'padded number', value: ' 1 ' },
  { label: 'a date in year zero', value: '0000-01-01' },
  { label: 'a date in month 13', value: '2026-13-45' },
  { label: 'full-width digits', value: '１２' },
  { label: 'a number 1e308', value: 1e308 },
  { label: 'a number 2^63', value: 2 ** 63 },
  { label: 'a negative number', value: -1 },
  { label: 'true', value: true },
  { label: 'null', value: null },
  { label: 'an empty object', value: {} },
  { label: 'an object with toString null', value: { toString: null } },
  { label: 'an object with valueOf and toString null', value: { valueOf: null, toString: null } },
  { label: 'an object with toString a string', value: { toString: 'x', valueOf: 'y' } },
  { label: 'a query operator object', value: { $ne: null, $gt: 0 } },
  { label: '__proto__ and constructor keys', value: protoKey() },
  { label: 'an array of strings', value: ['1', '2'] },
  { label: 'an array of objects with toString null', value: [{ toString: null }] },
  { label: 'nested 12 deep', value: nested(12) },
];

/** The values each field of a known form is tried with, one field at a time, the others left valid. */
export const SHARP_FIELD_VALUES = FIELD_VALUES.filter((v) =>
  [
    'NUL inside text',
    'a lone surrogate',
    'a path with a line break and letters beyond Latin-1',
    '10,001 characters',
    'negative id',
    '2^63',
    'non-numeric',
    'a date in month 13',
    'null',
    'an object with toString null',
    'a query operator object',
    'an array of objects with toString null',
  ].includes(v.label),
);

/** What a route's path parameter may be instead of an id (raw, sent as is in the request line). */
export const PATH_VALUES: Labelled<string>[] = [
  { label: 'zero', value: '0' },
  { label: 'negative', value: '-1' },
  { label: 'non-numeric', value: 'abc' },
  { label: 'a float', value: '1.5' },
  { label: '1e308', value: '1e308' },
  { label: '2^63', value: '9223372036854775808' },
  { label: 'int4 max + 1', value: '2147483648' },
  { label: 'an encoded NUL', value: '%00' },
  { label: 'invalid percent-encoding', value: '%E0%A4%A' },
  { label: 'percent-encoded invalid UTF-8', value: '%FF%FE' },
  { label: 'raw invalid UTF-8 bytes', value: '\xff\xfe' },
  { label: 'an encoded lone surrogate', value: '%ED%A0%80' },
  { label: 'dot segments', value: '..%2F..%2Fetc%2Fpasswd' },
  { label: '5,000 characters', value: '9'.repeat(5_000) },
];

/** Query string values (each is put under every query name a route might read). */
export const QUERY_VALUES: Labelled<string>[] = [
  { label: 'an encoded NUL', value: '%00' },
  { label: 'percent-encoded invalid UTF-8', value: '%FF%FE' },
  { label: 'invalid percent-encoding', value: '%E0%A4%A' },
  { label: 'negative', value: '-1' },
  { label: '1e308', value: '1e308' },
  { label: '2^63', value: '9223372036854775808' },
  { label: 'non-numeric', value: 'abc' },
  { label: 'a float', value: '1.5' },
  { label: 'an encoded lone surrogate', value: '%ED%A0%80' },
  { label: 'raw invalid UTF-8 bytes', value: '\xff\xfe' },
  { label: '1,000 characters', value: 'q'.repeat(1_000) },
];

/** Headers a route never expects, sent with the request it does expect. A Cookie is added to the visitor's own. */
export const ODD_HEADERS: Labelled<Record<string, string>>[] = [
  { label: 'a 5,000-character Accept-Language with broken weights', value: { 'Accept-Language': `pl;q=abc, en;q=NaN, *;q=-1, ${'x-'.repeat(2500)}` } },
  { label: 'cookies that do not decode', value: { Cookie: 'gwar_lang=%E0%A4%A; gwar_anon=\xff\xfe; gwar_session' } },
  { label: 'a Referer that is no URL', value: { Referer: 'http://[::1' } },
  { label: 'Origin null', value: { Origin: 'null' } },
  { label: 'a Host with a port out of range', value: { Host: 'localhost:99999' } },
  { label: 'an HX-Request and a CSRF token in raw bytes', value: { 'HX-Request': '\xff', 'X-CSRF-Token-Extra': '\xff\xfe' } },
  { label: 'an Idempotency-Key and Authorization in raw bytes', value: { 'Idempotency-Key': '\xff\xfe', Authorization: 'Bearer \xff' } },
];

export interface RawBody {
  contentType?: string;
  headers?: Record<string, string>;
  body: Buffer;
}

export const json = (value: unknown): RawBody => ({ contentType: 'application/json', body: Buffer.from(JSON.stringify(value)) });
const text = (contentType: string | undefined, body: string | Buffer, headers?: Record<string, string>): RawBody => ({
  contentType,
  headers,
  body: typeof body === 'string' ? Buffer.from(body) : body,
});

const BOUNDARY = 'fuzz-boundary';
const part = (disposition: string, content: string | Buffer) => {
  const type = disposition.includes('filename') ? 'Content-Type: application/octet-stream\r\n' : '';
  return Buffer.concat([
    Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; ${disposition}\r\n${type}\r\n`),
    Buffer.from(content),
    Buffer.from('\r\n'),
  ]);
};
const multipart = (label: string, ...parts: Buffer[]): Labelled<RawBody> => ({
  label,
  value: { contentType: `multipart/form-data; boundary=${BOUNDARY}`, body: Buffer.concat([...parts, Buffer.from(`--${BOUNDARY}--\r\n`)]) },
});
const clientIdPart = part('name="clientId"', '6d1c1f4e-0b7a-4c55-9d3e-0f5a8b6c7d8e');

/** Uploads gone wrong: the names, sizes and shapes a multipart parser meets in the wild. */
const MULTIPART_BODIES: Labelled<RawBody>[] = [
  multipart('multipart with NUL and 1,000 characters in the file name', clientIdPart, part(`name="file"; filename="a\u0000${'x'.repeat(1000)}.png"`, 'data')),
  multipart('multipart with a file name in an unknown charset', clientIdPart, part(`name="file"; filename*=x-unknown''%FF%FE.txt`, 'data')),
  multipart('multipart with two files', clientIdPart, part('name="file"; filename="a.txt"', 'a'), part('name="file"; filename="b.txt"', 'b')),
  multipart('multipart with an empty file', clientIdPart, part('name="file"; filename="empty.txt"', '')),
  multipart('multipart with a 100 kB field', part('name="clientId"', 'x'.repeat(100_000)), part('name="file"; filename="a.txt"', 'a')),
  multipart('multipart with a part without a name', part('filename="a.txt"', 'a')),
  {
    label: 'multipart that ends in the middle of a part',
    value: {
      contentType: `multipart/form-data; boundary=${BOUNDARY}`,
      body: Buffer.concat([clientIdPart, part('name="file"; filename="a.txt"', 'a').subarray(0, 60)]),
    },
  },
];

/**
 * Bodies that are wrong as a whole: content types nobody parses, JSON that does not parse, bodies past the 200 kB
 * limit (413), nesting past the input cleaner's depth, bytes that are not UTF-8. The parsers run before any route,
 * so a route that reads no body gets the few of them that reach a parser in a different way (`forEveryRoute`).
 */
export const BROKEN_BODIES: (Labelled<RawBody> & { forEveryRoute?: true })[] = [
  { label: 'text/plain', value: text('text/plain', 'body=hello&name=x'), forEveryRoute: true },
  { label: 'application/xml', value: text('application/xml', '<?xml version="1.0"?><!DOCTYPE a [<!ENTITY e SYSTEM "file:///etc/passwd">]><a>&e;</a>') },
  {
    label: 'multipart without a boundary',
    value: text('multipart/form-data', '--x\r\nContent-Disposition: form-data; name="a"\r\n\r\nb\r\n--x--\r\n'),
    forEveryRoute: true,
  },
  {
    label: 'multipart with a boundary and a broken part',
    value: text('multipart/form-data; boundary=zz', '--zz\r\nContent-Disposition: form-data\r\n\r\n\u0000'),
  },
  ...MULTIPART_BODIES,
  { label: 'JSON that does not parse', value: text('application/json', '{"body": "x", '), forEveryRoute: true },
  { label: 'a JSON array', value: json([1, { toString: null }]) },
  { label: 'a JSON string', value: text('application/json', '"text"') },
  { label: 'JSON null', value: text('application/json', 'null') },
  { label: 'JSON in an unknown charset', value: text('application/json; charset=x-unknown', '{}'), forEveryRoute: true },
  { label: 'JSON as UTF-16', value: text('application/json; charset=utf-16', Buffer.from('{"a":1}', 'utf16le')) },
  { label: 'gzip that is not gzip', value: text('application/json', 'not gzip', { 'Content-Encoding': 'gzip' }), forEveryRoute: true },
  { label: 'an unknown content encoding', value: text('application/json', '{}', { 'Content-Encoding': 'x-unknown' }) },
  { label: 'no content type', value: text(undefined, '{"a": 1}') },
  { label: 'a malformed content type', value: text('application/;;;=', '{"a": 1}'), forEveryRoute: true },
  { label: 'JSON of 1 MB', value: json({ body: 'x'.repeat(MB) }), forEveryRoute: true },
  { label: 'a form of 1 MB', value: text('application/x-www-form-urlencoded', `body=${'x'.repeat(MB)}`), forEveryRoute: true },
  { label: 'a form with 2,000 fields', value: text('application/x-www-form-urlencoded', Array.from({ length: 2000 }, (_, i) => `f${i}=1`).join('&')) },
  { label: 'JSON nested 100 deep', value: json(nested(100)), forEveryRoute: true },
  { label: 'JSON nested 5,000 deep', value: text('application/json', `${'['.repeat(5000)}${']'.repeat(5000)}`) },
  {
    label: 'JSON with invalid UTF-8',
    value: text('application/json', Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0xc3, 0x22, 0x7d])),
    forEveryRoute: true,
  },
  { label: 'a form with invalid UTF-8', value: text('application/x-www-form-urlencoded', Buffer.concat([Buffer.from('a='), Buffer.from([0xff, 0xc0, 0x80])])) },
  { label: 'a form with percent-encoded invalid UTF-8 keys', value: text('application/x-www-form-urlencoded', '%FF%FE=1&%00=2&__proto__=3&constructor=4') },
  { label: 'JSON with __proto__ keys', value: text('application/json', '{"__proto__": {"isAdmin": true}, "constructor": {"prototype": {"x": 1}}}') },
];

/**
 * Bodies of the right shape with the wrong values: every field a route is known to read set to each value of
 * FIELD_VALUES at once, and big values in one field only, so that the body stays under the limit.
 */
export function spoiltBodies(fields: string[]): Labelled<RawBody>[] {
  const every = (value: unknown) => Object.fromEntries(fields.map((name) => [name, value]));
  const first = (value: unknown) => ({ [fields[0] ?? 'body']: value });
  return [
    { label: 'JSON with 10,000 array items', value: json(first(Array.from({ length: 10_000 }, (_, i) => i))) },
    { label: 'a 10,001-character field', value: form(first('x'.repeat(10_001))) },
    ...FIELD_VALUES.filter((v) => v.label !== '10,001 characters').map((v) => ({ label: `every field ${v.label}`, value: encoded(every(v.value)) })),
  ];
}

/** A form body as a browser encodes it; arrays repeat the name. */
export function form(fields: Record<string, unknown>): RawBody {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(fields)) {
    for (const item of Array.isArray(value) ? value : [value]) params.append(name, String(item));
  }
  return text('application/x-www-form-urlencoded', params.toString());
}

/** An upload as the page's script sends it: the fields, then a small text file. */
export function upload(fields: Record<string, string>): RawBody {
  const parts = Object.entries(fields).map(([name, value]) => part(`name="${name}"`, value));
  return multipart('upload', ...parts, part('name="file"; filename="notes.txt"', 'fuzzed notes')).value;
}

/** As a form when a browser could send it (strings, lists of strings), as JSON otherwise. */
export function encoded(fields: Record<string, unknown>): RawBody {
  const formable = Object.values(fields).every((v) => typeof v === 'string' || (Array.isArray(v) && v.every((i) => typeof i === 'string')));
  return formable ? form(fields) : json(fields);
}

/** Arguments a socket event may bring instead of the ones it expects (binary included: Socket.IO carries Buffers). */
export const SOCKET_ARGS: Labelled<unknown[]>[] = [
  { label: 'no arguments', value: [] },
  { label: 'undefined', value: [undefined] },
  { label: 'null', value: [null] },
  { label: 'true', value: [true] },
  { label: 'zero', value: [0] },
  { label: 'negative', value: [-1] },
  { label: 'a float', value: [1.5] },
  { label: '1e308', value: [1e308] },
  { label: '2^63', value: [2 ** 63] },
  { label: 'a numeric string', value: ['1'] },
  { label: 'non-numeric', value: ['abc'] },
  { label: 'NUL', value: ['\u0000'] },
  { label: 'a lone surrogate', value: ['\ud800'] },
  { label: '100 kB string', value: ['9'.repeat(100_000)] },
  { label: 'an empty object', value: [{}] },
  { label: 'an object with toString null', value: [{ toString: null }] },
  { label: 'an object with valueOf and toString null', value: [{ valueOf: null, toString: null }] },
  { label: 'an object with toString a string', value: [{ toString: 'x' }] },
  { label: 'an object with valueOf a number', value: [{ valueOf: 1, toString: 2 }] },
  { label: '__proto__ and constructor keys', value: [protoKey()] },
  { label: 'an array', value: [[1, 2]] },
  { label: 'an array with an object with toString null', value: [[{ toString: null }]] },
  { label: 'nested 200 deep', value: [nested(200)] },
  { label: 'a Buffer', value: [Buffer.from([0xff, 0xfe, 0x00])] },
  { label: 'an object holding a Buffer', value: [{ id: Buffer.from('1'), toString: Buffer.from('x') }] },
  { label: 'a non-function where the ack goes', value: [1, 'not a function'] },
  { label: 'extra arguments', value: [1, { extra: true }, [1], 'more'] },
];

/** Event names nobody listens to, including Object.prototype's and EventEmitter's own. */
export const UNKNOWN_EVENTS = ['no:such:event', '', 'toString', 'constructor', '__proto__', 'hasOwnProperty', 'error', 'connection', 'x'.repeat(10_000)];

/**
 * Engine.IO messages that are not well-formed Socket.IO packets: the server's parser refuses them and closes
 * that one connection, and nothing else.
 */
export const RAW_PACKETS: Labelled<string | Buffer>[] = [
  { label: 'an event packet with broken JSON', value: '42["conversation:join",' },
  { label: 'an event packet whose data is not an array', value: '42{"toString":null}' },
  { label: 'a reserved event name', value: '42["disconnect"]' },
  { label: 'a numeric event name', value: '42[1,2]' },
  { label: 'an unknown packet type', value: '9' },
  { label: 'a binary event announcing attachments that never come', value: '451-["conversation:join",{"_placeholder":true,"num":0}]' },
  { label: 'a placeholder pointing past the attachments', value: '451-["conversation:join",{"_placeholder":true,"num":7}]' },
  { label: 'binary data with no packet waiting for it', value: Buffer.from([0xff, 0xfe, 0xfd]) },
  { label: 'an ack for nothing', value: '43999[true]' },
  { label: 'a namespace that does not exist', value: '42/nowhere,["conversation:join",1]' },
];

export const ONE_MB_STRING = 'x'.repeat(MB + 1);
