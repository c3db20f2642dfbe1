/**
 * Figures for docs/reliability.md: each test prints what it tried, and appends it as one JSON line to
 * $RELIABILITY_FIGURES when set (scripts/soak.ts sets it and adds the lines up).
 */
import { appendFileSync } from 'node:fs';

export type FigureSet = Record<string, number | string>;

export function reportFigures(section: string, figures: FigureSet): void {
  console.log(`[reliability] ${section}: ${JSON.stringify(figures)}`);
  const file = process.env.RELIABILITY_FIGURES;
  if (file) appendFileSync(file, `${JSON.stringify({ section, ...figures })}\n`);
}
