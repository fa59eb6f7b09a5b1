/**
 * The `$Context.id.history` and `$ResourceLink.id.history` substitution variables: the ids of
 * the course (or link) this one was copied from, most recent copy first, comma-separated with
 * commas inside an id escaped as `\,`. A platform that does not support a variable sends it
 * back unsubstituted (starting with `$`): that is no history.
 */
export function parseIdHistory(value: string | undefined): string[] {
  if (value === undefined) return [];
  const text = value.trim();
  if (text === '' || text.startsWith('$')) return [];
  const ids: string[] = [];
  let current = '';
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '\\' && i + 1 < text.length) {
      current += text[++i];
    } else if (ch === ',') {
      ids.push(current.trim());
      current = '';
    } else {
      current += ch;
    }
  }
  ids.push(current.trim());
  return ids.filter((id, index) => id !== '' && ids.indexOf(id) === index);
}

/** The custom parameter names this tool asks platforms to fill with the history variables. */
export const HISTORY_CUSTOM_KEYS = {
  context: 'context_id_history',
  resourceLink: 'resource_link_id_history',
} as const;
