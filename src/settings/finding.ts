/** One problem (or remark) about a settings file, at a 1-based line and column. */
export interface Finding {
  level: 'error' | 'warning' | 'note';
  /** Stable machine-readable code, e.g. 'unknown-key' (tests check it, not the wording). */
  code: string;
  /** Human text; never contains a secret value. */
  message: string;
  file: string;
  /** 1-based; 1 for problems of the whole file. */
  line: number;
  /** 1-based. */
  col: number;
}

/** `FILE:LINE:COL: level: message`, the format of compilers and editors. */
export function formatFinding(f: Finding): string {
  return `${f.file}:${f.line}:${f.col}: ${f.level}: ${f.message}`;
}
