/**
 * The deepest nesting of arrays and objects the reader accepts in AWS documents. AWS CLI output stays far
 * below it; deeper documents would overflow the recursive helpers downstream (policy analysis,
 * JSON.stringify of trusts), so they are refused with a clean error. Kubernetes objects are only read
 * at fixed paths, so their nesting is never walked.
 */
export const MAX_NESTING_DEPTH = 256;

/**
 * The longest string the readers take from evidence, in UTF-16 code units: 256 KiB, what Kubernetes
 * allows for all the annotations of one object together (the longest string it stores); no AWS name,
 * ARN or policy document comes near it. A longer one is forged, and copies of it (a 400 MB annotation
 * quoted in findings) would outgrow the longest string Node can hold.
 */
export const MAX_STRING_CHARS = 256 * 1024;
