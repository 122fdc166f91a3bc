const base64Re = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** True when a string is standard, padded base64, the JSON form of Kubernetes `[]byte` fields. */
export function isBase64(value: string): boolean {
  return base64Re.test(value);
}
