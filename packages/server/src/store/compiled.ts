import type { Compilable, CompiledQuery } from "kysely";

/**
 * A query built and compiled once, then bound to each call's arguments: Kysely builds and
 * compiles a query afresh every time it runs, which costs more than the statement itself on
 * the hot lookups. `build` is called once (`arity`: how many arguments, when it takes a rest parameter), with a marker for each argument; the arguments must
 * reach the query unchanged (as bound parameters), which the markers check.
 */
export function compiledOnce<R, A extends readonly unknown[]>(
  build: (...args: A) => Compilable<R>,
  arity: number = build.length,
): (...args: A) => CompiledQuery<R> {
  let template: { query: CompiledQuery<R>; slots: (number | undefined)[] } | undefined;
  return (...args) => {
    template ??= compile(build, arity);
    const { query, slots } = template;
    return { ...query, parameters: slots.map((slot, i) => (slot === undefined ? query.parameters[i] : args[slot])) };
  };
}

function compile<R, A extends readonly unknown[]>(build: (...args: A) => Compilable<R>, arity: number) {
  const markers = Array.from({ length: arity }, (_, i) => `\u0000argument ${i}\u0000`);
  const query = build(...(markers as unknown as A)).compile();
  const slots = query.parameters.map((p) => {
    const at = typeof p === "string" ? markers.indexOf(p) : -1;
    return at < 0 ? undefined : at;
  });
  if (markers.some((_, i) => !slots.includes(i))) throw new Error("compiledOnce: an argument does not reach the query as a parameter");
  return { query, slots };
}
