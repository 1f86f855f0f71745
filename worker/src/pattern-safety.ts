// Custom field patterns (`regexp`) run on visitors' input, so a pattern that backtracks
// exponentially would let one request burn the Worker's CPU. Checked once, when the setting loads.
// ret's index module reassigns its exports in a way Vitest's module runner refuses: import its parts.
import { tokenizer as tokenize } from 'ret/dist/tokenizer.js'
import { types, type Tokens } from 'ret/dist/types/index.js'
import safeRegex from 'safe-regex2'

/** Unbounded repetition of a group with alternatives, e.g. `(a|a)*`: the alternatives can overlap,
 * and safe-regex2's star-height test does not see it. (A character class, `[ab]*`, is safe.) */
function repeatsAlternatives(token: Tokens, repeated: boolean): boolean {
  if (token.type === types.REPETITION) return repeatsAlternatives(token.value, repeated || token.max === Infinity)
  if (token.type !== types.ROOT && token.type !== types.GROUP) return false
  if (token.options) return (repeated && token.options.length > 1) || token.options.flat().some((t) => repeatsAlternatives(t, repeated))
  return (token.stack ?? []).some((t) => repeatsAlternatives(t, repeated))
}

/** Whether a valid pattern is free of the shapes known to backtrack exponentially: nested
 * quantifiers (`(a+)+`, found by safe-regex2) and repeated alternatives. */
export const isSafePattern = (pattern: string): boolean =>
  safeRegex(pattern) && !repeatsAlternatives(tokenize(pattern), false)
