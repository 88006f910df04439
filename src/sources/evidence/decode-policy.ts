import { InputError } from '../../errors.js';
import { policyShapeProblem, type PolicyDocument } from '../../iam/policy.js';
import { MAX_STRING_CHARS } from './limits.js';

/** The first string in `value` (its keys included) longer than {@link MAX_STRING_CHARS}, by its length. */
function overlong(value: unknown): number | undefined {
  const stack = [value];
  while (stack.length > 0) {
    const v = stack.pop();
    if (typeof v === 'string' && v.length > MAX_STRING_CHARS) return v.length;
    if (typeof v !== 'object' || v === null) continue;
    for (const [key, child] of Object.entries(v)) {
      if (key.length > MAX_STRING_CHARS) return key.length;
      stack.push(child);
    }
  }
  return undefined;
}

/**
 * A policy document as evidence carries it: an object (AWS CLI output), a JSON string,
 * or a URL-encoded JSON string (the raw IAM API and SDK dumps).
 */
export function decodePolicy(value: unknown, file: string, where: string): PolicyDocument {
  let doc = value;
  if (typeof value === 'string') {
    let text = value.trim();
    if (!text.startsWith('{')) {
      try {
        text = decodeURIComponent(text);
      } catch {
        throw new InputError(`${where} is not valid URL-encoding`, file);
      }
    }
    try {
      doc = JSON.parse(text);
    } catch (e) {
      throw new InputError(`${where} is not valid JSON (${(e as Error).message})`, file);
    }
  }
  const long = overlong(doc);
  if (long !== undefined) throw new InputError(`${where} holds a string ${long} characters long, more than the ${MAX_STRING_CHARS} AWS ever holds`, file);
  const problem = policyShapeProblem(doc);
  if (problem) throw new InputError(`${where}: ${problem}`, file);
  return doc as PolicyDocument;
}
