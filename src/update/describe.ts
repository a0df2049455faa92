import type { Plan } from './types.ts';

/**
 * A plan in words, for the dry run: notes, each step with what it reads and changes (a step
 * already made while planning is marked so), what a dry run cannot tell, and the refusal with
 * git's own lines under it. Every line starts with `git: `; git's own lines are indented.
 */
export function describePlan(plan: Plan, repodir: string | null): string[] {
  const lines: string[] = [];
  if (plan.mode === 'none') {
    lines.push(`git: update none: no git work; ${repodir ?? '(no repodir)'} stays at ${plan.previous ?? '(no commit)'}`);
    return lines;
  }
  lines.push(`git: update ${plan.mode}: ${plan.previous ?? '(nothing)'} -> ${plan.tip ?? '(the remote tip, unknown)'}`);
  for (const note of plan.notes) lines.push(`git: note: ${note}`);
  for (const step of plan.steps) lines.push(`git: ${step.name}   (reads ${step.reads}; changes ${step.changes})`);
  for (const step of plan.after) lines.push(`after the commands: ${step.name}   (reads ${step.reads}; changes ${step.changes})`);
  for (const step of plan.undo) lines.push(`if a command fails: ${step.name}`);
  for (const unknown of plan.unknowns) lines.push(`git: cannot check: ${unknown}`);
  if (plan.refusal) {
    lines.push(`git: would fail: ${plan.refusal.message}`);
    for (const l of plan.refusal.gitLines) lines.push(`    ${l}`);
  }
  return lines;
}
