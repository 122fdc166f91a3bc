import { ApiError, type PluginFactory } from '@tugboat/core';

/**
 * The one explicit plugin registry: plugin name → factory. The in-tree plugins come from
 * `inTreeRegistry()`; out-of-tree plugins are merged in, and a name can be registered only once.
 */
export class PluginRegistry {
  private readonly factories = new Map<string, PluginFactory>();

  /** Registers `factory` under `name`; a second registration of a name is refused. */
  register(name: string, factory: PluginFactory): this {
    if (this.factories.has(name)) {
      throw new ApiError('AlreadyExists', `a scheduler plugin named "${name}" is already registered`, {
        name,
      });
    }
    this.factories.set(name, factory);
    return this;
  }

  /** Registers every plugin of `other`; fails on the first name already taken. */
  merge(other: PluginRegistry | Readonly<Record<string, PluginFactory>>): this {
    const entries = other instanceof PluginRegistry ? [...other.factories] : Object.entries(other);
    for (const [name, factory] of entries) this.register(name, factory);
    return this;
  }

  get(name: string): PluginFactory | undefined {
    return this.factories.get(name);
  }

  names(): string[] {
    return [...this.factories.keys()];
  }
}
