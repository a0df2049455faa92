/** Hides the user-info part of URLs (`https://user:token@host` → `https://***@host`) for logs. */
export function redactUrl(text: string): string {
  return text.replace(/([a-z][a-z0-9+.-]*:\/\/)[^/@\s]+@/gi, '$1***@');
}
