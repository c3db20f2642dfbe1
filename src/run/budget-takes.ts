/**
 * `render --takes N` multiplies what a render can spend by up to N. Up to this many takes a scene
 * a director compares by habit (a first try, a second, a third); beyond it, the render asks for
 * `--max-cost` so that nobody pays for 20 takes of a film by a typo.
 */
export const TAKES_WITHOUT_BUDGET = 3;
