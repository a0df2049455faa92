// The WHAUTO_* variables a run sets are the ones `check` says an entry's env cannot set.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { whautoVars } from '../../src/runs/run-env.ts';
import { RUN_VARS } from '../../src/settings/run-vars.ts';
import type { Entry } from '../../src/settings/types.ts';
import type { RunRequest } from '../../src/runs/types.ts';

test('whautoVars sets exactly RUN_VARS (with on_failure\'s WHAUTO_FAILED_STEP)', () => {
  const req = { id: 'r', entry: { name: 'e', repo: null } as unknown as Entry, trigger: 'manual', target: { kind: 'branch', name: 'main' }, deliveries: [], payloadFile: null } as RunRequest;
  assert.deepEqual(Object.keys(whautoVars(req, { previous: null, after: null, failedStep: 'commands: x' })).sort(), [...RUN_VARS].sort());
});
