import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';

import ts from 'typescript';

import { builtinPatchSchema } from '../../patch/strategic/patchSchema.js';

/** An OpenAPI v3 schema object (the subset Tugboat generates). */
export type Schema = { [key: string]: unknown };

/** The generated schemas of every built-in type, and which schema each served kind has. */
export interface GeneratedSchemas {
  /** Schema name (`io.k8s.api.core.v1.Pod`) → schema. */
  readonly schemas: ReadonlyMap<string, Schema>;
  /** `group/version/Kind` (`/v1/Pod` for core) → schema name. */
  readonly kinds: ReadonlyMap<string, string>;
}

/**
 * Generates OpenAPI v3 schemas for every type in the `kubernetes-types` package by reading its
 * `.d.ts` files with the TypeScript compiler API: interfaces become object schemas (descriptions
 * from the doc comments, required from non-optional members), `number | string` is
 * int-or-string, `apiVersion`/`kind` literal types give `x-kubernetes-group-version-kind`, and
 * the strategic-merge metadata of {@link builtinPatchSchema} gives the patch extensions.
 */
export function generateSchemas(): GeneratedSchemas {
  const require = createRequire(import.meta.url);
  const root = dirname(require.resolve('kubernetes-types/package.json'));
  const schemas = new Map<string, Schema>();
  const kinds = new Map<string, string>();
  for (const file of listDts(root)) {
    const module = relative(root, file).replace(/\.d\.ts$/, '');
    const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
    const ctx = new ModuleContext(module, source);
    for (const stmt of source.statements) {
      if (ts.isInterfaceDeclaration(stmt)) {
        const name = schemaName(module, stmt.name.text);
        const { schema, gvk } = ctx.interfaceSchema(stmt);
        schemas.set(name, schema);
        if (gvk !== undefined) kinds.set(`${gvk.group}/${gvk.version}/${gvk.kind}`, name);
      } else if (ts.isTypeAliasDeclaration(stmt)) {
        schemas.set(schemaName(module, stmt.name.text), { ...ctx.typeSchema(stmt.type), ...describe(stmt) });
      }
    }
  }
  return { schemas, kinds };
}

function listDts(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory() && entry.name !== 'node_modules') out.push(...listDts(path));
    else if (entry.name.endsWith('.d.ts')) out.push(path);
  }
  return out;
}

/** The upstream-style schema name of type `name` in a kubernetes-types module (`core/v1`). */
export function schemaName(module: string, name: string): string {
  const prefix =
    module === 'meta/v1'
      ? 'io.k8s.apimachinery.pkg.apis.meta.v1'
      : module === 'api/resource'
        ? 'io.k8s.apimachinery.pkg.api.resource'
        : module === 'runtime'
          ? 'io.k8s.apimachinery.pkg.runtime'
          : module === 'version'
            ? 'io.k8s.apimachinery.pkg.version'
            : module.startsWith('apiextensions/')
              ? `io.k8s.apiextensions-apiserver.pkg.apis.${module.replace('/', '.')}`
              : `io.k8s.api.${module.replace('/', '.')}`;
  return `${prefix}.${name}`;
}

function describe(node: ts.Node): { description?: string } {
  const docs = ts.getJSDocCommentsAndTags(node).filter(ts.isJSDoc);
  const text = docs
    .map((d) => (typeof d.comment === 'string' ? d.comment : (ts.getTextOfJSDocComment(d.comment) ?? '')))
    .join('\n')
    .trim();
  return text === '' ? {} : { description: text };
}

class ModuleContext {
  /** Imported name → the module it comes from. */
  private readonly imports = new Map<string, string>();

  constructor(
    private readonly module: string,
    source: ts.SourceFile,
  ) {
    for (const stmt of source.statements) {
      if (!ts.isImportDeclaration(stmt) || !ts.isStringLiteral(stmt.moduleSpecifier)) continue;
      const target = join(dirname(module), stmt.moduleSpecifier.text).replace(/^\.\//, '');
      const bindings = stmt.importClause?.namedBindings;
      if (bindings && ts.isNamedImports(bindings)) {
        for (const el of bindings.elements) this.imports.set(el.name.text, target);
      }
    }
  }

  interfaceSchema(decl: ts.InterfaceDeclaration): {
    schema: Schema;
    gvk?: { group: string; version: string; kind: string };
  } {
    const properties: Record<string, Schema> = {};
    const required: string[] = [];
    let apiVersion: string | undefined;
    let kind: string | undefined;
    const patchMeta = builtinPatchSchema[decl.name.text] ?? {};
    for (const member of decl.members) {
      if (!ts.isPropertySignature(member) || member.type === undefined) continue;
      const name = member.name.getText().replace(/^["']|["']$/g, '');
      const literal = stringLiteral(member.type);
      if (name === 'apiVersion' && literal !== undefined) apiVersion = literal;
      if (name === 'kind' && literal !== undefined) kind = literal;
      const prop: Schema = { ...this.propertySchema(member.type, describe(member)) };
      const meta = patchMeta[name];
      if (meta?.merge) {
        prop['x-kubernetes-patch-strategy'] = meta.retainKeys ? 'merge,retainKeys' : 'merge';
        if (meta.mergeKey !== undefined) prop['x-kubernetes-patch-merge-key'] = meta.mergeKey;
      } else if (meta?.retainKeys) prop['x-kubernetes-patch-strategy'] = 'retainKeys';
      properties[name] = prop;
      if (member.questionToken === undefined) required.push(name);
    }
    const schema: Schema = { ...describe(decl), type: 'object' };
    if (decl.members.length === 0) schema['x-kubernetes-preserve-unknown-fields'] = true;
    else schema['properties'] = properties;
    if (required.length > 0) schema['required'] = required;
    if (apiVersion !== undefined && kind !== undefined) {
      const slash = apiVersion.indexOf('/');
      const gvk =
        slash < 0
          ? { group: '', version: apiVersion, kind }
          : { group: apiVersion.slice(0, slash), version: apiVersion.slice(slash + 1), kind };
      schema['x-kubernetes-group-version-kind'] = [gvk];
      return { schema, gvk };
    }
    return { schema };
  }

  /** A property's schema: references wrap in allOf so the description stays beside them, as upstream. */
  private propertySchema(type: ts.TypeNode, description: { description?: string }): Schema {
    const schema = this.typeSchema(type);
    if ('$ref' in schema) return { ...description, allOf: [schema] };
    return { ...schema, ...description };
  }

  typeSchema(type: ts.TypeNode): Schema {
    if (type.kind === ts.SyntaxKind.StringKeyword) return { type: 'string' };
    if (type.kind === ts.SyntaxKind.NumberKeyword) return { type: 'integer' };
    if (type.kind === ts.SyntaxKind.BooleanKeyword) return { type: 'boolean' };
    if (ts.isLiteralTypeNode(type)) {
      const literal = stringLiteral(type);
      return literal !== undefined ? { type: 'string', enum: [literal] } : {};
    }
    if (ts.isArrayTypeNode(type)) return { type: 'array', items: this.typeSchema(type.elementType) };
    if (ts.isParenthesizedTypeNode(type)) return this.typeSchema(type.type);
    if (ts.isUnionTypeNode(type)) {
      const kinds = new Set(type.types.map((t) => t.kind));
      if (
        kinds.size === 2 &&
        kinds.has(ts.SyntaxKind.NumberKeyword) &&
        kinds.has(ts.SyntaxKind.StringKeyword)
      ) {
        return { 'x-kubernetes-int-or-string': true, anyOf: [{ type: 'integer' }, { type: 'string' }] };
      }
      const literals = type.types.map(stringLiteral);
      if (literals.every((l) => l !== undefined)) return { type: 'string', enum: literals };
      return { 'x-kubernetes-preserve-unknown-fields': true };
    }
    if (ts.isTypeLiteralNode(type)) {
      const index = type.members.find(ts.isIndexSignatureDeclaration);
      if (index !== undefined) return { type: 'object', additionalProperties: this.typeSchema(index.type) };
      return { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };
    }
    if (ts.isTypeReferenceNode(type) && ts.isIdentifier(type.typeName)) {
      const name = type.typeName.text;
      const arg = type.typeArguments?.[0];
      if (name === 'Array' && arg !== undefined) return { type: 'array', items: this.typeSchema(arg) };
      const module = this.imports.get(name) ?? this.module;
      return { $ref: `#/components/schemas/${schemaName(module, name)}` };
    }
    return { 'x-kubernetes-preserve-unknown-fields': true };
  }
}

function stringLiteral(type: ts.TypeNode): string | undefined {
  return ts.isLiteralTypeNode(type) && ts.isStringLiteral(type.literal) ? type.literal.text : undefined;
}
