/** Why a formula could not be parsed. */
export type FormulaErrorCode =
  | 'empty'
  | 'unknown-element'
  | 'wrong-case'
  | 'invalid-amount'
  | 'non-positive-amount'
  | 'unbalanced-bracket'
  | 'unsupported-notation'
  | 'unexpected-character'
  | 'too-many-elements';

/** A parse failure that says what went wrong and where (0-based character position in the input). */
export interface FormulaError {
  readonly code: FormulaErrorCode;
  readonly message: string;
  readonly position: number;
  readonly input: string;
}

/** Thrown by the throwing variants of the parser; carries the typed error. */
export class FormulaParseError extends Error {
  readonly detail: FormulaError;
  constructor(detail: FormulaError) {
    super(`${detail.message} (in "${detail.input}" at position ${detail.position + 1})`);
    this.name = 'FormulaParseError';
    this.detail = detail;
  }
}

export type ParseResult<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: FormulaError };
