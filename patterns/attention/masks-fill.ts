// When a finite fill masks keys as surely as -inf does. HF fills masked keys with
// finfo(dtype).min, not -inf, so a query row whose every key is masked (left padding under
// the causal band, an all-zero attention_mask row) is finite: every score of the row is the
// same number, and softmax over equal numbers is the uniform average of v over ALL keys.
//
// Claim, for a fill F with |F| >= 2^94 and every score |s| < 2^40 (SCORE_BOUND):
// (1) s + F rounds to F exactly, in float64 and in any narrower float that holds F: the
//     floats nearest |F| are at least 2^41 apart (2^(94-53) below 2^94, more above), so
//     a shift of less than half that gap rounds back to F, and cannot overflow past it;
// (2) so a row whose every key is masked holds one value F: its softmax is uniform;
// (3) a row that keeps a key k has max >= s_k > -2^40, and each masked key weighs
//     exp(F - max) <= exp(-2^94 + 2^40), which is 0 in every float: exactly as -inf.
// float16's finfo.min (-65504) fails (1) as soon as |s| > 16, so its fully masked rows
// depend on the scores: such masks stay as written.
//
// Scores of magnitude 2^40 (1.1e12) are beyond what attention meets: float32 softmax already
// saturates past a score gap of 104, and a float32 score this large needs |q·k| ~ 1e12.

/** Scores whose magnitude reaches this are outside what `swampsScores` promises. */
export const SCORE_BOUND = 2 ** 40;

/** The smallest |fill| for which (1)-(3) above hold for every score |s| < SCORE_BOUND. */
const SWAMPING_FILL = 2 ** 94;

/** Whether a finite fill F rounds every score it is added to back to F (see the claim above). */
export function swampsScores(fill: number): boolean {
  return Number.isFinite(fill) && fill <= -SWAMPING_FILL;
}
