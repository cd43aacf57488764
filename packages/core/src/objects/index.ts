// Barrel of the objects layer (re-exported by the package index).
export * from './sync-object';
export * from './object-change';
export * from './object-change-listener';
export * from './change-scope';
export * from './object-apply-error';
export * from './object-types';
export * from './object-serializer';
export * from './object-applier';
export * from './canonical-data';
export * from './object-changes';
export * from './change-capture-error';
