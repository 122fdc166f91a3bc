import { isIP } from 'node:net';

const dns1123LabelRe = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const dns1123SubdomainRe = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const dns1035LabelRe = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const qualifiedNamePartRe = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const labelValueRe = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const envVarNameRe = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;
const configKeyRe = /^[-._a-zA-Z0-9]+$/;
const percentRe = /^[0-9]+%$/;
const portNameCharsRe = /^[-a-z0-9]+$/;
const hasLetterRe = /[a-z]/;

const dns1123LabelMsg =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
const dns1123SubdomainMsg =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const dns1035LabelMsg =
  "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";
const qualifiedNamePartMsg =
  "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
const qualifiedNameMsg =
  "a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')";
const labelValueMsg =
  "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";
const envVarNameMsg =
  "a valid environment variable name must consist of alphabetic characters, digits, '_', '-', or '.', and must not start with a digit (e.g. 'my.env-name',  or 'MY_ENV.NAME',  or 'MyEnvName1', regex used for validation is '[-._a-zA-Z][-._a-zA-Z0-9]*')";
const configKeyMsg =
  "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')";

const maxLen = (n: number): string => `must be no more than ${n} characters`;

function dns1123Label(value: string): string[] {
  const errs: string[] = [];
  if (value.length > 63) errs.push(maxLen(63));
  if (!dns1123LabelRe.test(value)) errs.push(dns1123LabelMsg);
  return errs;
}

function dns1123Subdomain(value: string): string[] {
  const errs: string[] = [];
  if (value.length > 253) errs.push(maxLen(253));
  if (!dns1123SubdomainRe.test(value)) errs.push(dns1123SubdomainMsg);
  return errs;
}

function qualifiedName(value: string): string[] {
  const parts = value.split('/');
  let name: string;
  const errs: string[] = [];
  if (parts.length === 1) {
    name = parts[0] ?? '';
  } else if (parts.length === 2) {
    const prefix = parts[0] ?? '';
    name = parts[1] ?? '';
    if (prefix.length === 0) errs.push('prefix part must be non-empty');
    else errs.push(...dns1123Subdomain(prefix).map((m) => `prefix part ${m}`));
  } else {
    return [qualifiedNameMsg];
  }
  if (name.length === 0) errs.push('name part must be non-empty');
  else if (name.length > 63) errs.push(`name part ${maxLen(63)}`);
  if (name.length > 0 && !qualifiedNamePartRe.test(name)) errs.push(qualifiedNamePartMsg);
  return errs;
}

/**
 * The string formats of Kubernetes names and keys. Each check returns upstream's error details
 * (empty when the value is valid), one per broken rule.
 */
export const formats = {
  /** An RFC 1123 label: namespace names, container and volume names. */
  dns1123Label,
  /** An RFC 1123 subdomain: most object names. */
  dns1123Subdomain,
  /** An RFC 1035 label: Service names and port names of Services. */
  dns1035Label(value: string): string[] {
    const errs: string[] = [];
    if (value.length > 63) errs.push(maxLen(63));
    if (!dns1035LabelRe.test(value)) errs.push(dns1035LabelMsg);
    return errs;
  },
  /** A name usable as one URL path segment (Roles, ClusterRoles, bindings). */
  pathSegmentName(value: string): string[] {
    if (value === '.' || value === '..') return [`may not be '${value}'`];
    const errs: string[] = [];
    for (const bad of ['/', '%']) if (value.includes(bad)) errs.push(`may not contain '${bad}'`);
    return errs;
  },
  /** A qualified name (`example.com/my-name`): label and annotation keys, finalizers. */
  qualifiedName,
  /** A label value. */
  labelValue(value: string): string[] {
    const errs: string[] = [];
    if (value.length > 63) errs.push(maxLen(63));
    if (!labelValueRe.test(value)) errs.push(labelValueMsg);
    return errs;
  },
  /** A named port (`http`): IANA service name rules. */
  portName(value: string): string[] {
    const errs: string[] = [];
    if (value.length > 15) errs.push(maxLen(15));
    if (!portNameCharsRe.test(value))
      errs.push('must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)');
    if (!hasLetterRe.test(value)) errs.push('must contain at least one letter (a-z)');
    if (value.includes('--')) errs.push('must not contain consecutive hyphens');
    if (value.startsWith('-') || value.endsWith('-')) errs.push('must not begin or end with a hyphen');
    return errs;
  },
  /** An environment variable name. */
  envVarName(value: string): string[] {
    return envVarNameRe.test(value) ? [] : [envVarNameMsg];
  },
  /** A key of a ConfigMap or Secret (`data[key]`). */
  configMapKey(value: string): string[] {
    const errs: string[] = [];
    if (value.length > 253) errs.push(maxLen(253));
    if (!configKeyRe.test(value)) errs.push(configKeyMsg);
    if (value === '.') errs.push("must not be '.'");
    else if (value === '..') errs.push("must not be '..'");
    else if (value.startsWith('..')) errs.push("must not start with '..'");
    return errs;
  },
  /** An IPv4 or IPv6 address. */
  ip(value: string): string[] {
    return isIP(value) === 0 ? ['must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)'] : [];
  },
  /** A percent string (`25%`), as used by rolling update parameters. */
  percent(value: string): string[] {
    return percentRe.test(value)
      ? []
      : [
          "a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')",
        ];
  },
};

/** The name of one of {@link formats}' checks. */
export type FormatName = keyof typeof formats;
