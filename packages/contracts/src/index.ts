export * from './topics';
export * from './common';
export * from './catalogue';
export * from './asyncapi';
export * from './events/document-created';
export * from './events/document-version-added';
