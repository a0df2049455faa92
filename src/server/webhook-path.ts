/** Whether a request URL (query ignored) is the webhook path `base` or under it (`base/<entry>`). */
export function isWebhookPath(url: string | undefined, base: string): boolean {
  const path = (url ?? '/').split('?')[0]!;
  return path === base || path.startsWith(`${base}/`);
}
