declare const WHAUTO_VERSION: string | undefined;

/** whauto's version: set by the build (esbuild define); 'dev' when run from source. */
export const VERSION: string = typeof WHAUTO_VERSION === 'string' ? WHAUTO_VERSION : 'dev';
