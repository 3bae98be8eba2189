/**
 * A shallow copy without null-valued properties: at the edge, null is "absent" (class-validator's IsOptional
 * always took it so), and a required property then fails as missing, naming the field.
 */
export function withoutNulls(value: object): object {
  if (!Object.values(value).includes(null)) return value;
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== null));
}
