// A feed in UTF-8 (RFC 5545's charset, and what nearly every server sends) is read from its bytes
// as octets: Latin-1 text with one character per byte, made a stretch at a time, without decoding
// the feed. Decoding a feed of non-ASCII text whole takes several times longer and makes a UTF-16
// string of twice its size, most of it the text of events that can never matter. Every delimiter,
// property name, parameter and date of iCalendar is ASCII, and no byte of a multi-byte UTF-8
// character is, so the first pass reads octets exactly as it reads text; only the lines that are
// read as values are decoded, one by one (`decodedLine`). Unfolding before decoding also mends a
// character a producer folded in the middle of its bytes, which RFC 5545 §3.1 tells readers to expect.

/** A feed as it arrived: text, or its bytes, read as UTF-8. */
export type FeedInput = string | Uint8Array;

/** A feed as the engine reads it: a stretch at a time, by offsets into the whole. */
export interface FeedSource {
  /** In characters of the text, or bytes. */
  readonly length: number;
  /** Whether what `slice` gives is UTF-8 octets (see above), to decode where it is read as text. */
  readonly octets: boolean;
  /** `[at, end)` as a string. */
  slice(at: number, end: number): string;
  /** Where the ASCII `needle` next lies at or after `from`, or -1. */
  indexOf(needle: string, from: number): number;
  /** The text that holds `[at, end)`, and the offset in the feed of its first character. */
  stretch(at: number, end: number): { text: string; base: number };
  /** The feed from `at` on. */
  from(at: number): FeedSource;
}

/** A feed held as one string (text, or octets when `octets`). */
function textSource(text: string, octets: boolean): FeedSource {
  return {
    length: text.length,
    octets,
    slice: (at, end) => text.slice(at, end),
    indexOf: (needle, from) => text.indexOf(needle, from),
    // The whole text: slicing it would only add a level of indirection to every character read.
    stretch: () => ({ text, base: 0 }),
    from: (at) => (at === 0 ? textSource(text, octets) : textSource(text.slice(at), octets)),
  };
}

/** A feed held as its UTF-8 bytes, each stretch read as octets. */
function bytesSource(bytes: Buffer): FeedSource {
  const slice = (at: number, end: number) => bytes.toString("latin1", at, end);
  return {
    length: bytes.length,
    octets: true,
    slice,
    indexOf: (needle, from) => bytes.indexOf(needle, from, "latin1"),
    stretch: (at, end) => ({ text: slice(at, end), base: at }),
    from: (at) => (at === 0 ? bytesSource(bytes) : bytesSource(bytes.subarray(at))),
  };
}

const LF = 10;
const CR = 13;

/**
 * The source of a feed, its line breaks LF or CRLF: bare CR breaks (old Mac exports) become LF. A
 * text with any LF is taken to break its lines with LF or CRLF throughout, so a multi-megabyte
 * feed is not searched for the rare CR on its own. Bytes are read as UTF-8 octets (a UTF-8
 * byte-order mark dropped); bytes with a UTF-16 byte-order mark are decoded as that UTF-16.
 */
export function sourceOf(feed: FeedInput): FeedSource {
  if (typeof feed === "string") return textSource(withLineFeeds(feed), false);
  const bom = bomEncoding(feed);
  if (bom === "utf-16le" || bom === "utf-16be") return textSource(withLineFeeds(new TextDecoder(bom).decode(feed)), false);
  const skip = bom === "utf-8" ? 3 : 0;
  const bytes = Buffer.from(feed.buffer, feed.byteOffset + skip, feed.byteLength - skip);
  if (!bytes.includes(LF) && bytes.includes(CR)) return textSource(withLineFeeds(bytes.toString("latin1")), true);
  return bytesSource(bytes);
}

/** The encoding a byte-order mark at the start of `bytes` names, if there is one. */
export function bomEncoding(bytes: Uint8Array): "utf-8" | "utf-16le" | "utf-16be" | undefined {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return "utf-8";
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return "utf-16le";
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return "utf-16be";
  return undefined;
}

function withLineFeeds(text: string): string {
  return !text.includes("\n") && text.includes("\r") ? text.replaceAll("\r", "\n") : text;
}

/** Any character that is not ASCII: in octets, a byte of a multi-byte UTF-8 character. */
const NON_ASCII = /[\x80-\uffff]/;

/** A line (or value) of the source as text: decoded from UTF-8 when the source is octets and the line is not ASCII. */
export function decodedLine(line: string, octets: boolean): string {
  return octets && NON_ASCII.test(line) ? Buffer.from(line, "latin1").toString("utf8") : line;
}
