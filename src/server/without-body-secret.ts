/** JSON's insignificant whitespace (RFC 8259 section 2). */
const SPACE = new Set([0x20, 0x09, 0x0a, 0x0d]);

/** One member of the top-level object: its key, and where it starts and its value ends (byte offsets). */
interface Member {
  key: string;
  start: number;
  valueEnd: number;
}

/**
 * The payload a run's commands get (WHAUTO_PAYLOAD): `payload`, a verified delivery's JSON
 * object, without its top-level `"secret"` members (older Gogs put the webhook secret in the
 * body). Every other byte stays as the forge sent it; a payload without such a member comes
 * back as it is. Call it after verifying, never on what is verified. `payload` must hold a
 * JSON object (handleVerified has parsed it); it works on bytes, as every JSON structural
 * character is ASCII and UTF-8 never puts an ASCII byte inside a longer character.
 */
export function withoutBodySecret(payload: Buffer): Buffer {
  const members = topLevelMembers(payload);
  const last = members.at(-1);
  if (last === undefined || !members.some((m) => m.key === 'secret')) return payload;
  const kept = members.filter((m) => m.key !== 'secret');
  const lastKept = kept.at(-1);
  // Byte ranges to drop: a member with a kept one after it goes with its comma; those after
  // the last kept member go with the comma before them.
  const cuts: Array<[number, number]> = [];
  members.forEach((m, i) => {
    if (m.key === 'secret' && lastKept !== undefined && m.start < lastKept.start) cuts.push([m.start, members[i + 1]!.start]);
  });
  if (last.key === 'secret') cuts.push([lastKept?.valueEnd ?? members[0]!.start, last.valueEnd]);
  const parts: Buffer[] = [];
  let at = 0;
  for (const [from, to] of cuts) {
    parts.push(payload.subarray(at, from));
    at = to;
  }
  parts.push(payload.subarray(at));
  return Buffer.concat(parts);
}

/** The members of the JSON object in `json`, in order. */
function topLevelMembers(json: Buffer): Member[] {
  const members: Member[] = [];
  let i = skipSpace(json, 0) + 1; // past '{'
  for (;;) {
    i = skipSpace(json, i);
    if (json[i] !== 0x22) return members; // '}' (or not an object after all: nothing to find)
    const start = i;
    const keyEnd = endOfString(json, i);
    const key = JSON.parse(json.subarray(start, keyEnd).toString('utf8')) as string;
    i = skipSpace(json, skipSpace(json, keyEnd) + 1); // past ':'
    const valueEnd = endOfValue(json, i);
    members.push({ key, start, valueEnd });
    i = skipSpace(json, valueEnd);
    if (json[i] !== 0x2c) return members; // not ',': the end
    i++;
  }
}

function skipSpace(json: Buffer, i: number): number {
  while (i < json.length && SPACE.has(json[i]!)) i++;
  return i;
}

/** The offset just past the string that starts (with its quote) at `i`. */
function endOfString(json: Buffer, i: number): number {
  for (i++; i < json.length; i++) {
    if (json[i] === 0x5c) i++; // a backslash escapes the next byte
    else if (json[i] === 0x22) return i + 1;
  }
  return json.length;
}

/** The offset just past the value that starts at `i`: a string, an object or array (nested), or a literal. */
function endOfValue(json: Buffer, i: number): number {
  if (json[i] === 0x22) return endOfString(json, i);
  if (json[i] === 0x7b || json[i] === 0x5b) {
    let depth = 0;
    while (i < json.length) {
      const c = json[i]!;
      if (c === 0x22) {
        i = endOfString(json, i);
        continue;
      }
      if (c === 0x7b || c === 0x5b) depth++;
      else if (c === 0x7d || c === 0x5d) depth--;
      i++;
      if (depth === 0) return i;
    }
    return i;
  }
  while (i < json.length && !SPACE.has(json[i]!) && json[i] !== 0x2c && json[i] !== 0x7d && json[i] !== 0x5d) i++;
  return i;
}
