import { confusionTable, formatConfusion, SCAMS } from './corpus.ts';
import { HELD_OUT_SCAMS } from './corpus-held-out.ts';
import { LENDERS } from './fixtures.ts';

/**
 * Prints the checker's confusion table as README-risk-model.md shows it:
 * `npx node test/core/checker/confusion.ts` (the corpus test prints and checks the same table).
 */
const count = (lang: string) => SCAMS.filter((s) => s.lang === lang).length;
console.log(
  `${SCAMS.length} scams (${count('zh-Hans')} Simplified, ${count('zh-Hant')} Traditional, ${count('en')} English; ${HELD_OUT_SCAMS.length} of them first run unseen), against ${LENDERS.map((l) => l.slug).join(' and ')}:\n`,
);
console.log(formatConfusion(confusionTable(LENDERS), 'genuine texts and carrier variants'));
