import { Converter } from 'opencc-js/cn2t';

/** A Simplified text as a Hong Kong phone shows it: what the checker must read as the same words. */
export const toTraditional: (text: string) => string = Converter({ from: 'cn', to: 'hk' });
