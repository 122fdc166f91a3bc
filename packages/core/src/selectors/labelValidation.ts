/**
 * Validation of label keys and values with Kubernetes' rules and messages
 * (apimachinery `IsQualifiedName` and `IsValidLabelValue`). Each function returns the list of
 * problems; an empty list means valid.
 */

const nameFmt = '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]';
const nameRe = new RegExp(`^${nameFmt}$`);
const labelValueRe = new RegExp(`^(${nameFmt})?$`);
const dns1123LabelFmt = '[a-z0-9]([-a-z0-9]*[a-z0-9])?';
const dns1123SubdomainRe = new RegExp(`^${dns1123LabelFmt}(\\.${dns1123LabelFmt})*$`);

/** Maximum length of a label value and of the name part of a qualified name. */
export const maxLabelValueLength = 63;
const maxPrefixLength = 253;

/**
 * Problems with a qualified name (a label or annotation key): an optional DNS-subdomain prefix
 * and a slash, then a name of at most 63 alphanumerics, `-`, `_` or `.`.
 */
export function validateQualifiedName(value: string): string[] {
  const errs: string[] = [];
  const parts = value.split('/');
  let name: string;
  if (parts.length === 1) {
    name = parts[0] ?? '';
  } else if (parts.length === 2) {
    const prefix = parts[0] ?? '';
    name = parts[1] ?? '';
    if (prefix.length === 0) {
      errs.push('prefix part must be non-empty');
    } else {
      if (prefix.length > maxPrefixLength)
        errs.push(`prefix part must be no more than ${maxPrefixLength} characters`);
      if (!dns1123SubdomainRe.test(prefix)) {
        errs.push(
          "prefix part a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '" +
            `${dns1123LabelFmt}(\\.${dns1123LabelFmt})*')`,
        );
      }
    }
  } else {
    return [
      "a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '" +
        nameFmt +
        "') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')",
    ];
  }
  if (name.length === 0) {
    errs.push('name part must be non-empty');
  } else if (name.length > maxLabelValueLength) {
    errs.push(`name part must be no more than ${maxLabelValueLength} characters`);
  }
  if (name.length > 0 && !nameRe.test(name)) {
    errs.push(
      "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '" +
        nameFmt +
        "')",
    );
  }
  return errs;
}

/** Problems with a label value: empty, or at most 63 alphanumerics, `-`, `_` or `.`, alphanumeric at both ends. */
export function validateLabelValue(value: string): string[] {
  const errs: string[] = [];
  if (value.length > maxLabelValueLength) errs.push(`must be no more than ${maxLabelValueLength} characters`);
  if (!labelValueRe.test(value)) {
    errs.push(
      "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(" +
        nameFmt +
        ")?')",
    );
  }
  return errs;
}
