// Runs contenders round-robin (A B C, A B C, ...) so drift on a shared machine hits them alike.

/** One contender of a comparison. */
export interface Contender<T> {
  readonly name: string;
  run(round: number): Promise<T>;
}

/** Runs `rounds` rounds of every contender, interleaved; returns each contender's results in round order. */
export async function interleavedRounds<T>(
  rounds: number,
  contenders: readonly Contender<T>[],
  log: (line: string) => void = (line) => console.error(line),
): Promise<Map<string, T[]>> {
  const results = new Map<string, T[]>(contenders.map((c) => [c.name, []]));
  for (let round = 0; round < rounds; round++) {
    for (const contender of contenders) {
      const started = Date.now();
      results.get(contender.name)!.push(await contender.run(round));
      log(
        `  ${contender.name}: round ${round + 1}/${rounds} done in ${((Date.now() - started) / 1000).toFixed(1)} s`,
      );
    }
  }
  return results;
}
