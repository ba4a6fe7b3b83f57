/**
 * The world's future: events (a task reaching RUNNING, a target turning healthy, draining finishing)
 * scheduled at a time and run in (time, scheduling order) when the world catches up to that time. The
 * world's state between events is constant, which is what lets traffic be simulated in closed form.
 */

interface QueuedEvent {
  at: number;
  seq: number;
  run: () => void;
}

export class SimulationQueue {
  private heap: QueuedEvent[] = [];
  private seq = 0;

  schedule(at: number, run: () => void): void {
    this.heap.push({ at, seq: this.seq++, run });
    this.up(this.heap.length - 1);
  }

  /** Time of the earliest pending event. */
  nextAt(): number | undefined {
    return this.heap[0]?.at;
  }

  /** Removes and returns the earliest event if it is due at or before `time`. */
  takeDue(time: number): (() => void) | undefined {
    const top = this.heap[0];
    if (!top || top.at > time) return undefined;
    const last = this.heap.pop();
    if (last && this.heap.length > 0) {
      this.heap[0] = last;
      this.down(0);
    }
    return top.run;
  }

  get size(): number {
    return this.heap.length;
  }

  private before(a: QueuedEvent, b: QueuedEvent): boolean {
    return a.at < b.at || (a.at === b.at && a.seq < b.seq);
  }

  private up(index: number): void {
    let i = index;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const [child, above] = [this.heap[i], this.heap[parent]];
      if (!child || !above || !this.before(child, above)) return;
      this.heap[i] = above;
      this.heap[parent] = child;
      i = parent;
    }
  }

  private down(index: number): void {
    let i = index;
    for (;;) {
      let smallest = i;
      for (const c of [2 * i + 1, 2 * i + 2]) {
        const candidate = this.heap[c];
        const best = this.heap[smallest];
        if (candidate && best && this.before(candidate, best)) smallest = c;
      }
      if (smallest === i) return;
      const [a, b] = [this.heap[i], this.heap[smallest]];
      if (!a || !b) return;
      this.heap[i] = b;
      this.heap[smallest] = a;
      i = smallest;
    }
  }
}
