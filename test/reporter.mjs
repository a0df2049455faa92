// A compact node:test reporter: one line per test file, every failure in full (its file, the
// path of suite and test names, the error and its stack, and the file's own output), then
// node's summary. Events as node:test emits them (https://nodejs.org/api/test.html#event-testfail).
import { relative } from 'node:path';
import { inspect } from 'node:util';

const root = new URL('..', import.meta.url).pathname;

/** Per test file: counts, the names open at each nesting level, and its stdout/stderr. */
function fileState() {
  return { pass: 0, fail: 0, skip: 0, todo: 0, cancelled: 0, names: [], output: '', done: false };
}

/** Stack frames of node's own test machinery say nothing about the test. */
const internal = /^\s+at .*(node:internal|node:async_hooks|\(node:)/;

/** An error as the spec reporter shows it: message, diff and stack, less node's own frames. */
function describeError(error) {
  const shown = error?.cause instanceof Error ? error.cause : error;
  if (typeof shown?.stack === 'string') shown.stack = shown.stack.split('\n').filter((l) => !internal.test(l)).join('\n');
  return typeof shown === 'string' ? shown : inspect(shown, { colors: false, depth: 4 });
}

const indent = (text, by) => text.replace(/^/gm, by);

export default async function* compact(source) {
  const files = new Map();
  const state = (file) => {
    if (!files.has(file)) files.set(file, fileState());
    return files.get(file);
  };
  const rel = (file) => (file ? relative(root, file) : '(no file)');
  const line = (file, s) => {
    const what = [`${s.pass} passed`, s.fail ? `${s.fail} failed` : '', s.cancelled ? `${s.cancelled} cancelled` : '',
      s.skip ? `${s.skip} skipped` : '', s.todo ? `${s.todo} todo` : ''];
    return `${s.fail ? 'FAIL' : 'ok  '} ${rel(file)}  (${what.filter(Boolean).join(', ')})\n`;
  };
  const summary = [];
  let current = null;
  /**
   * The file's line, once; its error when it failed as a whole (a timeout, a throw at load);
   * its output when anything failed. Node reports the files one after another, so a file is
   * done once an event of another file comes.
   */
  function* endFile(file) {
    const s = state(file);
    if (s.done) return;
    s.done = true;
    const details = s.fileFailure ?? s.fileDetails;
    if ((details?.passed === false || s.fileFailure) && s.fail === 0) {
      s.fail = 1;
      yield `\nFAIL ${rel(file)}\n  (the file as a whole)  (${Math.round(details?.duration_ms ?? 0)} ms)\n${indent(describeError(details?.error), '    ')}\n\n`;
    }
    yield line(file, s);
    if (s.fail && s.output) yield `  output of ${rel(file)}:\n${indent(s.output.trimEnd(), '  | ')}\n`;
  }
  function* reporting(file) {
    if (file && current && file !== current) yield* endFile(current);
    if (file) current = file;
  }

  for await (const { type, data } of source) {
    const file = data.file;
    switch (type) {
      case 'test:start':
        yield* reporting(file);
        if (file && data.name !== file) state(file).names[data.nesting] = data.name;
        break;
      case 'test:stdout':
      case 'test:stderr':
        if (file) state(file).output += data.message;
        break;
      case 'test:pass': {
        yield* reporting(file);
        if (!file || data.name === file || data.details?.type === 'suite') break;
        const s = state(file);
        if (data.skip !== undefined) {
          s.skip++;
          // A test left out by --test-name-pattern is counted, not listed.
          if (data.skip === 'test name does not match pattern') break;
          yield `skip ${rel(file)}: ${[...s.names.slice(0, data.nesting), data.name].join(' › ')}${typeof data.skip === 'string' ? ` (${data.skip})` : ''}\n`;
        } else if (data.todo !== undefined) s.todo++;
        else s.pass++;
        break;
      }
      case 'test:fail': {
        yield* reporting(file);
        if (!file) break;
        if (data.name === file) {
          state(file).fileFailure = data.details;
          break;
        }
        const error = data.details?.error;
        // A suite fails when a test in it failed (already shown); show it only for its own fault.
        if (data.details?.type === 'suite' && error?.failureType === 'subtestsFailed') break;
        const s = state(file);
        const where = [...s.names.slice(0, data.nesting), data.name].join(' › ');
        if (error?.failureType === 'cancelledByParent') {
          s.cancelled++;
          yield `cancelled ${rel(file)}: ${where} (its suite failed or ran out of time)\n`;
          break;
        }
        s.fail++;
        yield `\nFAIL ${rel(file)}:${data.line ?? '?'}\n  ${where}  (${Math.round(data.details?.duration_ms ?? 0)} ms)\n${indent(describeError(error), '    ')}\n\n`;
        break;
      }
      case 'test:complete':
        // The file itself finished (node 20 runs each file as one test of its own).
        if (file && data.name === file && data.nesting === 0) state(file).fileDetails = data.details;
        break;
      case 'test:diagnostic':
        if (data.nesting === 0 && !file) summary.push(data.message);
        break;
      default:
        break;
    }
  }
  for (const file of files.keys()) yield* endFile(file);
  yield `\n${summary.map((m) => `# ${m}`).join('\n')}\n`;
}
