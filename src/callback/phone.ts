import { CountryCode, isSupportedCountry, parsePhoneNumberWithError, ParseError, validatePhoneNumberLength } from 'libphonenumber-js/max';

/** Why a number was refused, as a message key the visitor reads in their language. */
export type PhoneProblem =
  | 'callback.phone.required'
  | 'callback.phone.notANumber'
  | 'callback.phone.noCountry'
  | 'callback.phone.tooShort'
  | 'callback.phone.tooLong'
  | 'callback.phone.wrongLength'
  | 'callback.phone.invalid';

export type PhoneResult = { e164: string; country?: string } | { problem: PhoneProblem };

export function isCountry(code: string): code is CountryCode {
  return /^[A-Z]{2}$/.test(code) && isSupportedCountry(code);
}

/**
 * A number as a visitor types it ("600 100 200", "+49 30 901820", "(202) 555-0143"), read in the company's default
 * country first, then stored as E.164. The "max" metadata checks each country's real number ranges, not only the
 * length, so "+48 000 000 000" is refused as well as "12".
 */
export function normalizePhone(input: string, defaultCountry: string): PhoneResult {
  const text = input.trim();
  if (!text) return { problem: 'callback.phone.required' };
  if (text.length > 40 || !/^[+\d\s().\-/]+$/.test(text)) return { problem: 'callback.phone.notANumber' };
  const country = isCountry(defaultCountry) ? defaultCountry : undefined;
  try {
    const number = parsePhoneNumberWithError(text, { defaultCountry: country });
    if (!number.isValid()) {
      const length = validatePhoneNumberLength(text, { defaultCountry: country });
      if (length === 'TOO_SHORT') return { problem: 'callback.phone.tooShort' };
      if (length === 'TOO_LONG') return { problem: 'callback.phone.tooLong' };
      if (length === 'INVALID_LENGTH') return { problem: 'callback.phone.wrongLength' };
      return { problem: 'callback.phone.invalid' };
    }
    return { e164: number.number, country: number.country };
  } catch (err) {
    if (!(err instanceof ParseError)) throw err;
    if (err.message === 'INVALID_COUNTRY') return { problem: 'callback.phone.noCountry' };
    if (err.message === 'TOO_SHORT') return { problem: 'callback.phone.tooShort' };
    if (err.message === 'TOO_LONG') return { problem: 'callback.phone.tooLong' };
    return { problem: 'callback.phone.notANumber' };
  }
}
