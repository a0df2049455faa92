/** POSTs `body` with `headers` and returns the status and the parsed JSON answer. */
export async function post(url: string, headers: Record<string, string>, body: string | Buffer): Promise<{ status: number; json: any; headers: Headers }> {
  const res = await fetch(url, { method: 'POST', headers, body });
  const text = await res.text();
  let json: unknown = null;
  try { json = JSON.parse(text); } catch { json = text; }
  return { status: res.status, json, headers: res.headers };
}
