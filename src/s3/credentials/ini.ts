/**
 * The AWS shared config/credentials file format.
 * https://docs.aws.amazon.com/sdkref/latest/guide/file-format.html
 */

/** Sections by name as written ('default', 'profile dev', 'sso-session corp', 'services local'). */
export type IniSections = Record<string, Record<string, string>>;

/**
 * Parses `[section]` headers, `key = value` lines (split at the first '=': session tokens end in
 * '='), full-line comments with '#' or ';', inline comments after whitespace, and indented sub-keys
 * stored as `parent.key` (e.g. `s3 =` then `  endpoint_url = http://…` gives `s3.endpoint_url`).
 * Section names are kept as written, whitespace collapsed, e.g. 'profile dev'.
 */
export function parseIni(text: string): IniSections {
  // Null-prototype records: a section or key named __proto__ stays a plain entry.
  const sections: IniSections = Object.create(null) as IniSections;
  let section: Record<string, string> | undefined;
  let parent: string | undefined;
  for (const raw of text.replace(/^\uFEFF/, '').split(/\r?\n/)) {
    const line = raw.replace(/(^|\s)[#;].*$/, '');
    if (line.trim() === '') continue;
    const header = /^\s*\[([^\]]*)\]\s*$/.exec(line);
    if (header) {
      const name = (header[1] ?? '').trim().replace(/\s+/g, ' ');
      section = sections[name] ??= Object.create(null) as Record<string, string>;
      parent = undefined;
      continue;
    }
    const eq = line.indexOf('=');
    if (!section || eq === -1) continue;
    const key = line.slice(0, eq).trim();
    const value = line.slice(eq + 1).trim();
    if (/^\s/.test(raw) && parent !== undefined) {
      section[`${parent}.${key}`] = value;
    } else {
      section[key] = value;
      parent = value === '' ? key : undefined;
    }
  }
  return sections;
}
