/**
 * Hides what in URLs may be a credential, for logs: the user-info part
 * (`https://user:token@host` → `https://***@host`) and the values of the query string
 * (`https://host/site.git?token=abc` → `https://host/site.git?token=***`).
 */
export function redactUrl(text: string): string {
  return text
    .replace(/([a-z][a-z0-9+.-]*:\/\/)[^/@\s]+@/gi, '$1***@')
    .replace(/([a-z][a-z0-9+.-]*:\/\/[^\s?#]*\?)([^\s#'"]*)/gi, (_, url: string, query: string) => url + query.replace(/=[^&;]*/g, '=***'));
}
