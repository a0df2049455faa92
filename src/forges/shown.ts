/**
 * A header or payload value made safe to put in a reason or a log line: control characters
 * become '?', and it is cut to 100 characters. For names (events), never for secrets.
 */
export function shown(value: string): string {
  const clean = value.replace(/[\x00-\x1f\x7f]/g, '?');
  return clean.length > 100 ? `${clean.slice(0, 100)}…` : clean;
}
