/**
 * Loading Kubernetes objects for the kube fake from `kubectl get -o yaml|json` output.
 * @module
 */
import { readFile } from 'node:fs/promises';
import { parseAllDocuments } from 'yaml';
import type { KubeObject } from './kube-fake.js';

/**
 * Flattens parsed documents into objects: `List`/`<Kind>List` documents contribute their items
 * (items without `kind`/`apiVersion`, as in raw API lists, inherit them from the list), null
 * documents are skipped.
 */
export function flattenKubeDocuments(docs: unknown[]): KubeObject[] {
  const out: KubeObject[] = [];
  const visit = (doc: unknown, inherited?: { kind: string; apiVersion: string }): void => {
    if (doc === null || doc === undefined) return;
    if (typeof doc !== 'object' || Array.isArray(doc)) throw new Error('kube objects: a document is not an object');
    const o = doc as Record<string, unknown>;
    const kind = typeof o.kind === 'string' ? o.kind : inherited?.kind;
    const apiVersion = typeof o.apiVersion === 'string' ? o.apiVersion : inherited?.apiVersion;
    if (Array.isArray(o.items) && (kind === undefined || kind.endsWith('List'))) {
      const itemKind = kind && kind !== 'List' ? kind.slice(0, -'List'.length) : undefined;
      for (const item of o.items) {
        visit(item, itemKind && apiVersion ? { kind: itemKind, apiVersion } : undefined);
      }
      return;
    }
    if (!kind || !apiVersion) throw new Error('kube objects: an object has no kind/apiVersion');
    out.push({ ...o, kind, apiVersion } as KubeObject);
  };
  for (const d of docs) visit(d);
  return out;
}

/** Parses YAML or JSON text (one List, or several `---`-separated documents) into objects. */
export function objectsFromText(text: string): KubeObject[] {
  const docs = parseAllDocuments(text);
  const values: unknown[] = [];
  for (const d of docs) {
    if ('errors' in d && d.errors.length > 0) throw new Error(`kube objects: ${d.errors[0]!.message}`);
    values.push(d.toJS());
  }
  return flattenKubeDocuments(values);
}

/** Loads a `kubectl get -o yaml` (or `-o json`) List, or a multi-document YAML file, into objects. */
export async function objectsFromFile(file: string): Promise<KubeObject[]> {
  return objectsFromText(await readFile(file, 'utf8'));
}
