/**
 * What a log line, a metric or `notify --test` may show of a target's URL: its scheme and
 * host (and port). Slack's and Discord's paths, ntfy's topic and a URL's user info are
 * secrets. 'an invalid URL' when it does not parse.
 */
export function shownUrl(url: string): string {
  try {
    const { origin } = new URL(url);
    return origin === 'null' ? 'an invalid URL' : origin;
  } catch {
    return 'an invalid URL';
  }
}
