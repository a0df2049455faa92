import type { NotifyFormat } from '../model/names.ts';
import type { Format } from './types.ts';
import { json } from './json.ts';
import { slack } from './slack.ts';
import { discord } from './discord.ts';
import { matrix } from './matrix.ts';
import { ntfy } from './ntfy.ts';

/** Every message format by the name a notify target's `format` gives. */
export const FORMATS: Record<NotifyFormat, Format> = { json, slack, discord, matrix, ntfy };
