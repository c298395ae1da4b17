import { stableStringify } from '@promethean-os/pantheon-core/adapter-kit';

/** SHA-256 (hex) of `stableStringify(value)`, with the platform's Web Crypto. */
export async function stableHash(value: unknown): Promise<string> {
  const bytes = new TextEncoder().encode(stableStringify(value));
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
  let hex = '';
  for (const byte of digest) hex += byte.toString(16).padStart(2, '0');
  return hex;
}
