import { bomEncoding, type FeedInput } from "../calendar/octets.ts";

/**
 * What the calendar engine is handed of a feed's bytes. RFC 5545 §3.1.4 says UTF-8, but servers
 * send what their calendars were saved in: a byte order mark says UTF-8 or UTF-16 (Outlook
 * exports), and the `charset` of `Content-Type` says Latin-1 or Windows-1252 (older CMS and CalDAV
 * servers). The BOM wins over the header, as the WHATWG Encoding standard has it ("BOM sniffing").
 * UTF-8, the common case, stays bytes: the engine reads them without decoding the whole feed
 * (`src/calendar/octets.ts`). Anything else is decoded into text here.
 */
export function decodeFeed(bytes: Uint8Array, contentType: string | undefined): FeedInput {
  const bom = bomEncoding(bytes);
  const label = bom ?? charsetOf(contentType) ?? "utf-8";
  let decoder: InstanceType<typeof TextDecoder>;
  try {
    decoder = new TextDecoder(label);
  } catch {
    // An unknown label (a typo in a server's configuration) is read as the standard says.
    decoder = new TextDecoder("utf-8");
  }
  return decoder.encoding === "utf-8" ? bytes : decoder.decode(bytes);
}

/** The `charset` parameter of a Content-Type header, unquoted and lower-cased. */
export function charsetOf(contentType: string | undefined): string | undefined {
  const match = /;\s*charset\s*=\s*"?([^";\s]+)"?/i.exec(contentType ?? "");
  return match?.[1]?.toLowerCase();
}
