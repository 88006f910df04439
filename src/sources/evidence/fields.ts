import { InputError } from '../../errors.js';
import { MAX_STRING_CHARS } from './limits.js';

/** Shared by every absent or empty map: a cluster's pods mostly carry no node selector. */
export const EMPTY_MAP: Readonly<Record<string, string>> = Object.freeze({});

/** Reads typed fields out of parsed evidence, failing with the file and the field path. */
export class Fields {
  /**
   * @param at the path to the value as written, or the object it is a field of
   * @param key with `at` an object: the field, and `index` its list position when it is a list item
   * @param impliedKind the `kind` its list implies, for list items that leave it out
   */
  constructor(
    readonly file: string,
    readonly value: Record<string, unknown>,
    private readonly at: string | Fields,
    private readonly key?: string,
    private readonly index?: number,
    readonly impliedKind?: string,
  ) {}

  /** The path to the value, like `$.items[3].metadata`; spelled out only when asked for. */
  get path(): string {
    if (typeof this.at === 'string') return this.at;
    return `${this.at.path}.${this.key}${this.index === undefined ? '' : `[${this.index}]`}`;
  }

  static of(file: string, value: unknown, path: string): Fields {
    return Fields.at(file, value, path);
  }

  private static at(file: string, value: unknown, at: string | Fields, key?: string, index?: number, impliedKind?: string): Fields {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw new InputError(`${new Fields(file, {}, at, key, index).path} must be an object`, file);
    }
    return new Fields(file, value as Record<string, unknown>, at, key, index, impliedKind);
  }

  private fail(key: string, what: string): never {
    throw new InputError(`${this.path}.${key} must be ${what}`, this.file);
  }

  /** Refuses a string at `where` (a path below this value) longer than {@link MAX_STRING_CHARS}. */
  private held(text: string, where: string): string {
    if (text.length <= MAX_STRING_CHARS) return text;
    const shown = where.length > 120 ? `${where.slice(0, 117)}...` : where;
    throw new InputError(`${this.path}.${shown} is ${text.length} characters long, more than the ${MAX_STRING_CHARS} Kubernetes or AWS ever hold`, this.file);
  }

  str(key: string): string {
    const v = this.value[key];
    if (typeof v !== 'string' || v === '') this.fail(key, 'a non-empty string');
    return this.held(v, key);
  }

  optStr(key: string): string | undefined {
    const v = this.value[key];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'string') this.fail(key, 'a string');
    return this.held(v, key);
  }

  optBool(key: string): boolean | undefined {
    const v = this.value[key];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'boolean') this.fail(key, 'true or false');
    return v;
  }

  obj(key: string): Fields {
    return Fields.at(this.file, this.value[key], this, key);
  }

  optObj(key: string): Fields | undefined {
    const v = this.value[key];
    return v === undefined || v === null ? undefined : this.obj(key);
  }

  list(key: string): unknown[] {
    const v = this.value[key];
    if (!Array.isArray(v)) this.fail(key, 'a list');
    return v;
  }

  optList(key: string): unknown[] {
    const v = this.value[key];
    return v === undefined || v === null ? [] : this.list(key);
  }

  objects(key: string, impliedKind?: string): Fields[] {
    return this.optList(key).map((item, index) => this.element(key, index, item, impliedKind));
  }

  /** Element `index` of the list at `key`, for a list whose elements are handed over one at a time. */
  element(key: string, index: number, item: unknown, impliedKind?: string): Fields {
    return Fields.at(this.file, item, this, key, index, impliedKind);
  }

  strings(key: string): string[] {
    const list = this.optList(key);
    if (!list.every((x) => typeof x === 'string')) this.fail(key, 'a list of strings');
    list.forEach((x, i) => this.held(x, `${key}[${i}]`));
    return list;
  }

  /**
   * A string-to-string map such as Kubernetes labels or annotations, checked and returned as parsed (a
   * copy would cost an object per map, and assigning a `__proto__` key to one would drop it); absent or
   * empty maps share one frozen empty object.
   */
  stringMap(key: string): Readonly<Record<string, string>> {
    const v = this.value[key];
    if (v === undefined || v === null) return EMPTY_MAP;
    if (typeof v !== 'object' || Array.isArray(v)) this.fail(key, 'a map of strings');
    let empty = true;
    for (const k in v) {
      if (!Object.hasOwn(v, k)) continue;
      const value = (v as Record<string, unknown>)[k];
      if (typeof value !== 'string') throw new InputError(`${this.path}.${key}.${k} must be a string`, this.file);
      this.held(k, `${key}.${k}`);
      this.held(value, `${key}.${k}`);
      empty = false;
    }
    return empty ? EMPTY_MAP : (v as Record<string, string>);
  }
}
