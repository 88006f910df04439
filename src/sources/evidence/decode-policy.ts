import { InputError } from '../../errors.js';
import { policyShapeProblem, type PolicyDocument } from '../../iam/policy.js';

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
  const problem = policyShapeProblem(doc);
  if (problem) throw new InputError(`${where}: ${problem}`, file);
  return doc as PolicyDocument;
}
