/**
 * Input bytes to text. Only UTF-8 is YAML here (as for kubectl and kpt); bytes that are not UTF-8 are
 * an error that says where, never silently replaced by U+FFFD.
 */
const decoder = new TextDecoder('utf-8', { fatal: true });

export type Decoded = { text: string; error?: undefined } | { error: string; text?: undefined };

export function decodeUTF8(bytes: Uint8Array): Decoded {
  try {
    return { text: decoder.decode(bytes) };
  } catch {
    return { error: `not UTF-8 text: ${whereInvalid(bytes)}; save the file as UTF-8` };
  }
}

/** "byte 0xff at line 3, column 5": the first byte that is not part of a UTF-8 character. */
function whereInvalid(bytes: Uint8Array): string {
  const lossy = new TextDecoder('utf-8').decode(bytes);
  const bom = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0; // the decoder drops it
  let from = 0;
  for (;;) {
    const at = lossy.indexOf('\uFFFD', from);
    if (at < 0) return 'an invalid byte sequence';
    const prefix = lossy.slice(0, at);
    const offset = bom + Buffer.byteLength(prefix, 'utf8');
    // A real U+FFFD in the input is EF BF BD; anything else here is where decoding failed.
    if (!(bytes[offset] === 0xef && bytes[offset + 1] === 0xbf && bytes[offset + 2] === 0xbd)) {
      const line = prefix.split('\n').length;
      const column = at - (prefix.lastIndexOf('\n') + 1) + 1;
      return `byte 0x${bytes[offset].toString(16).padStart(2, '0')} at line ${line}, column ${column}`;
    }
    from = at + 1;
  }
}
