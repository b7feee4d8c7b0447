/**
 * The result of resolving one placeholder reference or substituting a whole
 * string. `secret` is true when any part of the value was read from a secret
 * output; such values must never be written in plain text (see DESIGN.md).
 *
 * @public
 */
export interface ResolvedValue<T = unknown> {
  value: T;
  secret: boolean;
}

/**
 * Resolves the text inside `${…}` to a value, or throws an Error whose
 * message follows score-go, e.g. `key 'x' not found` (the caller prefixes
 * `invalid ref '<ref>': `). `parts` is the reference split on `.` with `\.`
 * unescaped; `ref` the raw text, for references whose ids contain dots.
 *
 * @public
 */
export type PlaceholderLookup = (parts: string[], ref: string) => ResolvedValue;

/**
 * A reference from a resource definition to another resource's outputs:
 * `${resources.<type>[.<class>][#<resId>].outputs.<key>…}`. `resId` is
 * undefined when omitted (it then means the referencing node's own resId).
 *
 * @public
 */
export interface ResourceReference {
  type: string;
  class: string;
  resId?: string;
  /** Output path after `outputs.`; empty for a reference to the whole outputs map. */
  outputPath: string[];
  /** The placeholder text as written, for messages. */
  placeholder: string;
}
