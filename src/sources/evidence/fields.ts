import { InputError } from '../../errors.js';

/** Reads typed fields out of parsed evidence, failing with the file and the field path. */
export class Fields {
  constructor(
    readonly file: string,
    readonly value: Record<string, unknown>,
    readonly path: string,
  ) {}

  static of(file: string, value: unknown, path: string): Fields {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw new InputError(`${path} must be an object`, file);
    }
    return new Fields(file, value as Record<string, unknown>, path);
  }

  private fail(key: string, what: string): never {
    throw new InputError(`${this.path}.${key} must be ${what}`, this.file);
  }

  str(key: string): string {
    const v = this.value[key];
    if (typeof v !== 'string' || v === '') this.fail(key, 'a non-empty string');
    return v;
  }

  optStr(key: string): string | undefined {
    const v = this.value[key];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'string') this.fail(key, 'a string');
    return v;
  }

  optBool(key: string): boolean | undefined {
    const v = this.value[key];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'boolean') this.fail(key, 'true or false');
    return v;
  }

  obj(key: string): Fields {
    return Fields.of(this.file, this.value[key], `${this.path}.${key}`);
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

  objects(key: string): Fields[] {
    return this.optList(key).map((item, i) => Fields.of(this.file, item, `${this.path}.${key}[${i}]`));
  }

  strings(key: string): string[] {
    const list = this.optList(key);
    if (!list.every((x) => typeof x === 'string')) this.fail(key, 'a list of strings');
    return list as string[];
  }

  /** A string-to-string map such as Kubernetes labels or annotations. */
  stringMap(key: string): Record<string, string> {
    const v = this.value[key];
    if (v === undefined || v === null) return {};
    if (typeof v !== 'object' || Array.isArray(v)) this.fail(key, 'a map of strings');
    const out: Record<string, string> = {};
    for (const [k, x] of Object.entries(v)) {
      if (typeof x !== 'string') throw new InputError(`${this.path}.${key}.${k} must be a string`, this.file);
      out[k] = x;
    }
    return out;
  }
}
