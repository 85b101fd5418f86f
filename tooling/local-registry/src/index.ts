// The registry

export type { PublishedPackage, PublishOptions, WorkspacePackage } from './publish.ts';
// Publishing to it
export { listPublishedPackages, publishWorkspace } from './publish.ts';
export type { LocalRegistry, LocalRegistryOptions } from './registry.ts';
export { LOCAL_PACKAGES, NPM_REGISTRY, startLocalRegistry } from './registry.ts';
