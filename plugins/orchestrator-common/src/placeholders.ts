/**
 * A placeholder as score-go reads it: `${…}` (group 2 is its reference), or
 * `$$`, the escape for a literal `$`. Global: use it with `matchAll` or
 * `replace`, which do not share its position between calls.
 *
 * @public
 */
export const PLACEHOLDER_PATTERN = /\$((?:\$?\{([^}]*)\})|\$)/g;
