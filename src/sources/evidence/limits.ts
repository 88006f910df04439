/**
 * The deepest nesting of arrays and objects the reader accepts in AWS documents. AWS CLI output stays far
 * below it; deeper documents would overflow the recursive helpers downstream (policy analysis,
 * JSON.stringify of trusts), so they are refused with a clean error. Kubernetes objects are only read
 * at fixed paths, so their nesting is never walked.
 */
export const MAX_NESTING_DEPTH = 256;
