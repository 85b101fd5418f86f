import type { QueueEvent, QueueEventType } from '../types.ts';

/** Typed listeners of the lifecycle event stream; a throwing listener does not stop the others. */
export class Emitter {
  private readonly listeners = new Map<QueueEventType, Set<(event: QueueEvent) => void>>();

  on<T extends QueueEventType>(type: T, listener: (event: Extract<QueueEvent, { type: T }>) => void): () => void {
    let set = this.listeners.get(type);
    if (set === undefined) {
      set = new Set();
      this.listeners.set(type, set);
    }
    const wrapped = listener as (event: QueueEvent) => void;
    set.add(wrapped);
    return () => {
      set.delete(wrapped);
    };
  }

  emit(event: QueueEvent): void {
    const set = this.listeners.get(event.type);
    if (set === undefined) return;
    for (const listener of set) {
      try {
        listener(event);
      } catch {
        // A listener's bug must not break the queue or the other listeners.
      }
    }
  }
}
