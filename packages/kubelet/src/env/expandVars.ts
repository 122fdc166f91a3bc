/**
 * Expands `$(NAME)` references in `input` as upstream's `expansion.Expand` does: `mapping` gives a
 * name's value, `$$` is an escaped `$`, and an unterminated `$(` or a lone `$` stays as written.
 */
export function expandVars(input: string, mapping: (name: string) => string): string {
  let out = '';
  let checkpoint = 0;
  for (let cursor = 0; cursor < input.length; cursor++) {
    if (input[cursor] !== '$' || cursor + 1 >= input.length) continue;
    out += input.slice(checkpoint, cursor);
    const rest = input.slice(cursor + 1);
    const next = rest[0];
    if (next === '$') {
      out += '$';
      cursor += 1;
    } else if (next === '(') {
      const close = rest.indexOf(')', 1);
      if (close >= 0) {
        out += mapping(rest.slice(1, close));
        cursor += close + 1;
      } else {
        // Incomplete reference: upstream copies `$(` and carries on after it.
        out += '$(';
        cursor += 1;
      }
    } else {
      out += `$${next ?? ''}`;
      cursor += 1;
    }
    checkpoint = cursor + 1;
  }
  return out + input.slice(checkpoint);
}

/**
 * The mapping upstream's `MappingFuncFor` builds: the first context holding the name wins, and
 * an unknown name expands to its own reference `$(NAME)`, unchanged.
 */
export function mappingFor(...contexts: readonly ReadonlyMap<string, string>[]): (name: string) => string {
  return (name) => {
    for (const vars of contexts) {
      const value = vars.get(name);
      if (value !== undefined) return value;
    }
    return `$(${name})`;
  };
}
