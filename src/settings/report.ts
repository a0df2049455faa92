import type { Node } from 'yaml';
import type { Finding } from './finding.ts';

/**
 * How inner code hands a problem out instead of throwing: the node it is about (its
 * position is looked up once, by the collector), level, code and message. `null` node:
 * the file as a whole (line 1, column 1).
 */
export type Report = (node: Node | null | undefined, level: Finding['level'], code: string, message: string) => void;
