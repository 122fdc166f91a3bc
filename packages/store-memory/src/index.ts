export { MemoryStore } from './MemoryStore.js';
export { MemoryStoreOptions } from './MemoryStoreOptions.js';
export { memoryStoreModule } from './module.js';
