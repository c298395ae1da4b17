/** A tool's return value as message content: strings as they are, anything else as JSON. */
export function toolResultContent(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === undefined) return '';
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
