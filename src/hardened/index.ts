export * from './operating-system';
export * from './hardening';
export * from './cloudwatch-agent-config';
export * from './security-agent';
export * from './hardened-base-recipe';
