/**
 * Quoting of values placed in generated bash and PowerShell. Everything a user passes goes
 * through these (or is validated to a set of characters with no meaning to the shell), so no
 * value can end its string and run as code on a build instance or host.
 */

/** A single-quoted bash word: nothing inside expands; a `'` closes, escapes and reopens. */
export function bashQuote(value: string): string {
  return `'${value.replace(/'/g, "'\\''")}'`;
}

/**
 * The characters PowerShell takes as a single quote: the ASCII apostrophe and the typographic
 * ones U+2018, U+2019, U+201A and U+201B. Microsoft's about_Quoting_Rules: "PowerShell treats
 * smart quotation marks, also called typographic or curly quotes, as normal quotation marks
 * for strings", and a quote inside a single-quoted string is written twice
 * (https://learn.microsoft.com/powershell/module/microsoft.powershell.core/about/about_quoting_rules).
 */
export const POWERSHELL_SINGLE_QUOTES = /['\u2018\u2019\u201A\u201B]/g;

/**
 * A single-quoted PowerShell string: nothing inside expands; each single-quote character
 * (any of the five PowerShell recognizes) is doubled, which PowerShell reads as that one character.
 */
export function powershellQuote(value: string): string {
  return `'${value.replace(POWERSHELL_SINGLE_QUOTES, quote => quote + quote)}'`;
}
