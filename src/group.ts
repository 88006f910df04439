/** Appends `value` to the list under `key`, creating it. */
export function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/** The map under `key`, created when missing. */
export function mapIn<K1, K2, V>(map: Map<K1, Map<K2, V>>, key: K1): Map<K2, V> {
  let nested = map.get(key);
  if (!nested) map.set(key, (nested = new Map<K2, V>()));
  return nested;
}

/** Appends `value` to the list under `outer`, then `inner`, creating both. */
export function pushIn<K1, K2, V>(map: Map<K1, Map<K2, V[]>>, outer: K1, inner: K2, value: V): void {
  push(mapIn(map, outer), inner, value);
}

/** The items grouped by key, groups and items in first-seen order; items without a key are left out. */
export function group<T, K = string>(items: Iterable<T>, key: (t: T) => K | undefined): Map<K, T[]> {
  const map = new Map<K, T[]>();
  for (const item of items) {
    const k = key(item);
    if (k !== undefined) push(map, k, item);
  }
  return map;
}
