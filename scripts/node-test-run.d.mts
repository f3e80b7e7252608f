/** The arguments of a `node --test` run: the spec reporter on stdout, the summary reporter into `summaryFile`. */
export declare function nodeTestArguments(summaryFile: string): string[];
