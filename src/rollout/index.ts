export * from './instance-refresh-on-image-change';
