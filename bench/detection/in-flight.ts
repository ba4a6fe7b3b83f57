/**
 * Counts the calls in flight through the ports the engine uses, so that `bench:detection` moves virtual
 * time only once every call of a step has been answered. The engine runs on virtual time while its HTTP
 * is real: advancing the clock while a query is on the wire makes the time a run measures depend on how
 * fast the machine answered it, so two runs of one seed could differ by seconds, or a window.
 */
export class InFlight {
  private count = 0;

  get idle(): boolean {
    return this.count === 0;
  }

  /** `target` with every method that returns a promise counted while that promise is pending. */
  track<T extends object>(target: T): T {
    return new Proxy(target, {
      get: (object, key, receiver) => {
        const value = Reflect.get(object, key, receiver);
        if (typeof value !== "function") return value;
        return (...args: unknown[]) => {
          const result = value.apply(object, args);
          if (!(result instanceof Promise)) return result;
          this.count += 1;
          return result.finally(() => {
            this.count -= 1;
          });
        };
      },
    });
  }
}
