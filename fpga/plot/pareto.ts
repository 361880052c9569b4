/** The Pareto front of (area, throughput): the points no other point beats on both (less or equal area, more or equal throughput, one strictly). */
export function paretoFront<T>(points: readonly T[], area: (p: T) => number, throughput: (p: T) => number): Set<T> {
  const front = new Set<T>();
  for (const p of points) {
    const dominated = points.some((q) => q !== p && area(q) <= area(p) && throughput(q) >= throughput(p) && (area(q) < area(p) || throughput(q) > throughput(p)));
    if (!dominated) front.add(p);
  }
  return front;
}
