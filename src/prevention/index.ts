export * from './allowed-images-policy';
export * from './golden-image-scp';
