// A feed in UTF-8 (RFC 5545's charset, and what nearly every server sends) is read as octets: a
// Latin-1 string with one character per byte, made without decoding the feed. Decoding a feed of
// non-ASCII text whole takes several times longer and makes a UTF-16 string of twice its size,
// most of it the text of events that can never matter. Every delimiter, property name, parameter
// and date of iCalendar is ASCII, and no byte of a multi-byte UTF-8 character is, so the first pass
// reads octets exactly as it reads text; only the lines that are read as values are decoded, one
// by one (`decodedLine`). Unfolding before decoding also mends a character a producer folded in the
// middle of its bytes, which RFC 5545 §3.1 tells readers to expect.

/** A feed as it arrived: text, or its bytes, read as UTF-8. */
export type FeedInput = string | Uint8Array;

/** The text the engine walks: the feed's text, or its octets (see above). */
export interface FeedSource {
  text: string;
  /** Whether `text` holds UTF-8 octets, one character per byte, rather than decoded text. */
  octets: boolean;
}

/**
 * The source of a feed. Bytes are read as UTF-8 octets (a UTF-8 byte-order mark dropped); bytes
 * with a UTF-16 byte-order mark are decoded as that UTF-16.
 */
export function sourceOf(feed: FeedInput): FeedSource {
  if (typeof feed === "string") return { text: feed, octets: false };
  if ((feed[0] === 0xff && feed[1] === 0xfe) || (feed[0] === 0xfe && feed[1] === 0xff)) {
    return { text: new TextDecoder(feed[0] === 0xff ? "utf-16le" : "utf-16be").decode(feed), octets: false };
  }
  const skip = feed[0] === 0xef && feed[1] === 0xbb && feed[2] === 0xbf ? 3 : 0;
  // Node's Latin-1 decoding copies the bytes as they are (a large one into a string outside V8's heap).
  return { text: Buffer.from(feed.buffer, feed.byteOffset + skip, feed.byteLength - skip).toString("latin1"), octets: true };
}

/** Any character that is not ASCII: in octets, a byte of a multi-byte UTF-8 character. */
const NON_ASCII = /[\x80-\uffff]/;

/** A line (or value) of the source as text: decoded from UTF-8 when the source is octets and the line is not ASCII. */
export function decodedLine(line: string, octets: boolean): string {
  return octets && NON_ASCII.test(line) ? Buffer.from(line, "latin1").toString("utf8") : line;
}
