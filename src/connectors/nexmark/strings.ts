/**
 * The strings of Nexmark events, drawn as Nexmark draws them but without building them a
 * character at a time on the hot path.
 *
 * Nexmark's `nextString(maxLength)` is a string of uniform length in [3, maxLength) whose
 * characters are independent: a space (or `_` in URLs) with probability 1/13, else a
 * uniform letter; then trimmed. A window of a long string made the same way has exactly
 * that distribution, so {@link nextString} takes a substring of such a pool at a random
 * offset (V8 slices it without copying when it is 13 characters or longer). The padding
 * (`extra`) is, as in Nexmark, a substring of one long random string of letters.
 *
 * The pools are built once per thread, from fixed seeds; a channel's URL on its first use,
 * from a seed of its own.
 */
import { EventRandom } from './event-random.ts';

const MIN_STRING_LENGTH = 3;
const WORD_POOL_LENGTH = 1 << 16;
/** As Nexmark's reusable extra string: 1 MiB. */
const EXTRA_POOL_LENGTH = 1 << 20;

/** Random characters, independent and alike: `special` with probability 1/13, else a letter. */
function randomText(random: EventRandom, length: number, special: number): string {
  const codes = Buffer.allocUnsafe(length);
  for (let i = 0; i < length; i++) codes[i] = random.nextInt(13) === 0 ? special : 97 + random.nextInt(26);
  return codes.toString('latin1');
}

/** Random letters; six per 32 random bits, as Nexmark's `nextExactString`. */
function lettersOnly(random: EventRandom, length: number): string {
  const codes = Buffer.allocUnsafe(length);
  for (let i = 0; i < length; i += 6) {
    let bits = random.nextUint32();
    for (let j = i; j < Math.min(i + 6, length); j++) {
      codes[j] = 97 + (bits % 26);
      bits = Math.floor(bits / 26);
    }
  }
  return codes.toString('latin1');
}

function seeded(seed: number): EventRandom {
  const r = new EventRandom(seed);
  r.reset(0);
  return r;
}

let wordPool: string | undefined;
let extraPool: string | undefined;

function words(): string {
  return (wordPool ??= randomText(seeded(0x6e65786d), WORD_POOL_LENGTH, 32));
}

function letters(): string {
  return (extraPool ??= lettersOnly(seeded(0x65787472), EXTRA_POOL_LENGTH));
}

/** Nexmark's `nextString(random, maxLength)`: length uniform in [3, maxLength), then trimmed. */
export function nextString(random: EventRandom, maxLength: number): string {
  const pool = words();
  const length = MIN_STRING_LENGTH + random.nextInt(maxLength - MIN_STRING_LENGTH);
  const offset = random.nextInt(WORD_POOL_LENGTH - length);
  const s = pool.substring(offset, offset + length);
  return s.charCodeAt(0) === 32 || s.charCodeAt(length - 1) === 32 ? s.trim() : s;
}

/** Nexmark's `nextExtra`: letters so that `currentSize` plus their number averages `averageSize`. */
export function nextExtra(random: EventRandom, currentSize: number, averageSize: number): string {
  if (currentSize > averageSize) return '';
  const wanted = averageSize - currentSize;
  const delta = Math.round(wanted * 0.2);
  const length = Math.min(wanted - delta + (delta === 0 ? 0 : random.nextInt(2 * delta)), EXTRA_POOL_LENGTH);
  const offset = random.nextInt(EXTRA_POOL_LENGTH - length + 1);
  return letters().substring(offset, offset + length);
}

// ---- persons

export const US_STATES: readonly string[] = ['AZ', 'CA', 'ID', 'OR', 'WA', 'WY'];
export const US_CITIES: readonly string[] = ['Phoenix', 'Los Angeles', 'San Francisco', 'Boise', 'Portland', 'Bend', 'Redmond', 'Seattle', 'Kent', 'Cheyenne'];
const FIRST_NAMES = ['Peter', 'Paul', 'Luke', 'John', 'Saul', 'Vicky', 'Kate', 'Julie', 'Sarah', 'Deiter', 'Walter'];
const LAST_NAMES = ['Shultz', 'Abrams', 'Spencer', 'White', 'Bartels', 'Walton', 'Smith', 'Jones', 'Noris'];
/** Every "first last" name, so a name is one draw and no concatenation. */
const PERSON_NAMES: readonly string[] = FIRST_NAMES.flatMap((f) => LAST_NAMES.map((l) => `${f} ${l}`));
const CARD_GROUPS: readonly string[] = Array.from({ length: 10_000 }, (_, i) => String(i).padStart(4, '0'));

/** A first and a last name, uniform over Nexmark's lists. */
export function nextPersonName(random: EventRandom): string {
  return PERSON_NAMES[random.nextInt(PERSON_NAMES.length)]!;
}

/** `nextString(7)@nextString(5).com`. */
export function nextEmail(random: EventRandom): string {
  return `${nextString(random, 7)}@${nextString(random, 5)}.com`;
}

/** Four groups of four digits: `0123 4567 8901 2345`. */
export function nextCreditCard(random: EventRandom): string {
  const n = CARD_GROUPS.length;
  return `${CARD_GROUPS[random.nextInt(n)]!} ${CARD_GROUPS[random.nextInt(n)]!} ${CARD_GROUPS[random.nextInt(n)]!} ${CARD_GROUPS[random.nextInt(n)]!}`;
}

// ---- bids: channels and their URLs

/** Half of the bids come from one of these channels, each with one URL. */
export const HOT_CHANNELS: readonly string[] = ['Google', 'Facebook', 'Baidu', 'Apple'];
/** The other half from `channel-0` ... `channel-9999`. */
export const CHANNELS_NUMBER = 10_000;

/** Nexmark's URL shape: three random path segments of 3 or 4 characters, `_` as the special one (not trimmed). */
function baseUrl(random: EventRandom): string {
  const char = (): number => (random.nextInt(13) === 0 ? 95 : 97 + random.nextInt(26));
  const segment = (): string =>
    random.nextInt(2) === 0 ? String.fromCharCode(char(), char(), char()) : String.fromCharCode(char(), char(), char(), char());
  return `https://www.nexmark.com/${segment()}/${segment()}/${segment()}/item.htm?query=1`;
}

/** Java's `Integer.reverse`: the 32 bits in reverse order, as a signed 32-bit integer. */
function reverseBits32(i: number): number {
  let x = i | 0;
  let r = 0;
  for (let b = 0; b < 32; b++) {
    r = (r << 1) | (x & 1);
    x >>>= 1;
  }
  return r | 0;
}

const urlRandom = new EventRandom(0x75726c73);
// Packed arrays of undefined (not holey ones): a read of a hole would look up the prototype chain.
const channelNames: (string | undefined)[] = Array.from({ length: CHANNELS_NUMBER }, () => undefined);
const channelUrls: (string | undefined)[] = Array.from({ length: CHANNELS_NUMBER }, () => undefined);
const hotUrls: (string | undefined)[] = Array.from({ length: HOT_CHANNELS.length }, () => undefined);

/** `channel-<i>`, for i in [0, CHANNELS_NUMBER). */
export function channelName(i: number): string {
  return (channelNames[i] ??= `channel-${i}`);
}

/**
 * The URL of channel i, as Nexmark's `CHANNEL_URL_CACHE`: nine in ten carry a `channel_id`
 * parameter. Made on first use from a stream seeded by i, so it is the same in every thread
 * whatever the order channels are first used in.
 */
export function channelUrl(i: number): string {
  let url = channelUrls[i];
  if (url === undefined) {
    urlRandom.reset(i);
    url = baseUrl(urlRandom);
    if (urlRandom.nextInt(10) > 0) url = `${url}&channel_id=${Math.abs(reverseBits32(i))}`;
    channelUrls[i] = url;
  }
  return url;
}

/** The URL of hot channel i (one per hot channel, as in Nexmark). */
export function hotChannelUrl(i: number): string {
  let url = hotUrls[i];
  if (url === undefined) {
    urlRandom.reset(CHANNELS_NUMBER + i);
    url = hotUrls[i] = baseUrl(urlRandom);
  }
  return url;
}
