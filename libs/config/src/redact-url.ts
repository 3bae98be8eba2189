/** The URL with its password replaced by `***`, also when it does not parse (error messages, logs). */
export function redactUrl(value: string): string {
  try {
    const url = new URL(value);
    // An `@` outside the authority (`user:pass@host` without `//`) parses as a path: hide it all.
    if (!url.username && !url.password && value.includes('@')) return '<redacted>';
    if (url.password) url.password = '***';
    return url.toString();
  } catch {
    // user:password@ of anything URL-like, else the whole value when it might hold a secret.
    const redacted = value.replace(/(\/\/[^/?#@\s]*?:)[^/?#\s]*@/g, '$1***@');
    return redacted !== value || !value.includes('@') ? redacted : '<redacted>';
  }
}
