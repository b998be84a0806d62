import { normalizePhone } from './phone';

describe('normalizePhone', () => {
  it('reads national numbers in the default country and international ones as they say', () => {
    expect(normalizePhone('600 100 200', 'PL')).toEqual({ e164: '+48600100200', country: 'PL' });
    expect(normalizePhone('030 901820', 'DE')).toEqual({ e164: '+4930901820', country: 'DE' });
    expect(normalizePhone('(202) 555-0143', 'US')).toEqual({ e164: '+12025550143', country: 'US' });
    expect(normalizePhone('+44 20 7946 0018', 'PL')).toEqual({ e164: '+442079460018', country: 'GB' });
  });

  it('names why a number is refused', () => {
    expect(normalizePhone('  ', 'PL')).toEqual({ problem: 'callback.phone.required' });
    expect(normalizePhone('12', 'PL')).toEqual({ problem: 'callback.phone.tooShort' });
    expect(normalizePhone('600 100 200 300 400 500', 'PL')).toEqual({ problem: 'callback.phone.tooLong' });
    expect(normalizePhone('+999 123 456', 'PL')).toEqual({ problem: 'callback.phone.noCountry' });
    expect(normalizePhone('+48 000 000 000', 'PL')).toEqual({ problem: 'callback.phone.invalid' });
    expect(normalizePhone('600100200; drop table', 'PL')).toEqual({ problem: 'callback.phone.notANumber' });
  });
});
