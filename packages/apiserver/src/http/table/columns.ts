/** A Table column definition, as `meta/v1 TableColumnDefinition`. */
export interface ColumnDefinition {
  readonly name: string;
  readonly type: string;
  readonly format: string;
  readonly description: string;
  readonly priority: number;
}

/** A column definition; `priority` 1 shows only with `-o wide`. */
export function column(
  name: string,
  type = 'string',
  priority = 0,
  format = '',
  description = '',
): ColumnDefinition {
  return { name, type, format, description, priority };
}

/** The Name column every printer starts with; `format: name` lets kubectl print `kind/name`. */
export const nameColumn: ColumnDefinition = column(
  'Name',
  'string',
  0,
  'name',
  'Name must be unique within a namespace. Cannot be updated.',
);

/** The Age column: the object's creation time as a human duration. */
export const ageColumn: ColumnDefinition = column(
  'Age',
  'string',
  0,
  '',
  'CreationTimestamp is a timestamp representing the server time when this object was created.',
);

/** How one resource prints: its columns and one row of cells per object. */
export interface Printer {
  readonly columns: readonly ColumnDefinition[];
  cells(object: Record<string, unknown>, now: number): unknown[];
}
