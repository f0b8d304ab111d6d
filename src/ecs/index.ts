export * from './parent-image';
export * from './log-shipping-agent';
export * from './ansible-playbook';
export * from './rebuild-on-parent';
export * from './golden-image-ecs-capacity';
export * from './ecs-application-image';
