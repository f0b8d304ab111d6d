/**
 * The SSM parameter hierarchy GoldenImage publishes to by default
 * (`/golden-ami/<imageName>/latest`), and that RequireGoldenImages approves by default.
 */
export const DEFAULT_CATALOG_PREFIX = '/golden-ami/';
