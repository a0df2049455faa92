import { parseArgs } from 'node:util';
import { settingsReference } from '../settings/reference.ts';
import { settingsJsonSchema } from '../settings/schema.ts';
import { argsError, EXIT, usageError, type Io } from './io.ts';

const HELP = `usage: whauto schema

Prints the JSON Schema (draft 2020-12) of the settings file, generated from the same
definition the validator uses. Editors with the YAML language server use it through a
first line '# yaml-language-server: $schema=PATH-OR-URL' in the settings file.
`;

/** The settings JSON Schema as committed in schema/settings.schema.json: 2-space JSON, one trailing newline. */
export function schemaText(): string {
  return JSON.stringify(settingsJsonSchema(), null, 2) + '\n';
}

/** docs/settings.md as committed: the settings reference, generated like the schema. */
export function referenceText(): string {
  return settingsReference();
}

/** `whauto schema`: prints schemaText() on stdout. EXIT.usage on any argument but --help. */
export async function runSchema(io: Io, args: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args, options: { help: { type: 'boolean', short: 'h' } } });
  } catch (err) {
    return usageError(io, 'schema', HELP, argsError(err));
  }
  if (parsed.values.help) {
    io.stdout(HELP);
    return EXIT.ok;
  }
  io.stdout(schemaText());
  return EXIT.ok;
}
