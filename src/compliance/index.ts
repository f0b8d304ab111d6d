export * from './approval-source';
export * from './resource-type';
export * from './remediation';
export * from './compliance-rule';
export * from './member-role';
export * from './managed-rule';
export * from './member-stack-set';
