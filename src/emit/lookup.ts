/** The element at `index`, which the caller knows to be there; an internal error when it is not. */
export function at<T>(items: readonly T[], index: number): T {
  if (!Number.isInteger(index) || index < 0 || index >= items.length) throw new Error(`internal: no element ${String(index)} of ${String(items.length)}`);
  return items[index] as T;
}

/** The value under `key`, which the caller knows to be there; an internal error when it is not. */
export function got<K, V>(map: ReadonlyMap<K, V>, key: K): V {
  const value = map.get(key);
  if (value === undefined) throw new Error(`internal: nothing under ${JSON.stringify(key)}`);
  return value;
}
