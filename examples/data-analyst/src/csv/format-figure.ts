/** A figure for people: `7608.8` → `7,608.80`, `156` → `156`. */
export function formatFigure(value: number): string {
  const decimals = Number.isInteger(value) ? 0 : 2;
  return value.toLocaleString('en', {
    minimumFractionDigits: decimals,
    maximumFractionDigits: decimals,
  });
}
