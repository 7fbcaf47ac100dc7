/**
 * What a credential looks like, whatever it is called: the shapes the library refuses to put into YAML and never
 * prints in a message. Imports nothing, so the problem collector can scrub messages with it.
 */

/** Words and pairs of words that make a variable or flag name look like it carries a secret. */
const SECRET_WORDS = ['PASSWORD', 'PASSWD', 'PASS', 'PWD', 'PASSPHRASE', 'SECRET', 'TOKEN', 'APIKEY', 'CREDENTIAL', 'CREDENTIALS',
  'CREDS', 'PRIVATEKEY', 'DSN'];
const SECRET_PAIRS = ['API_KEY', 'ACCESS_KEY', 'PRIVATE_KEY', 'SECRET_KEY', 'AUTH_KEY', 'DATABASE_URL', 'DB_URL', 'CONNECTION_STRING',
  'WEBHOOK_URL'];
/** Whether an environment variable (or flag) name looks like it carries a secret. @internal */
export function _looksSecret(name: string): boolean {
  // Flags too: --api-key is API_KEY.
  const upper = name.replace(/^-+/, '').replace(/[-.]/g, '_').toUpperCase();
  const parts = upper.split(/[^A-Z0-9]+/);
  if (parts.some(part => SECRET_WORDS.includes(part))) return true;
  return SECRET_PAIRS.some(pair => upper === pair || upper.endsWith(`_${pair}`) || upper.includes(`${pair}_`));
}

/** Credential shapes recognized anywhere in a value. Each: pattern (global), what it is. */
const SHAPES: [RegExp, string][] = [
  // AWS access key IDs: long-term (AKIA) and temporary (ASIA) keys, 20 upper-case letters and digits.
  [/\b(?:AKIA|ASIA)[A-Z0-9]{16}\b/g, 'an AWS access key'],
  // Hugging Face user access tokens.
  [/\bhf_[A-Za-z0-9]{30,}\b/g, 'a Hugging Face token'],
  // GitHub tokens: classic (ghp_), OAuth (gho_), user-to-server (ghu_), server-to-server (ghs_), refresh (ghr_),
  // fine-grained (github_pat_).
  [/\b(?:gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{20,})\b/g, 'a GitHub token'],
  // user:password@ in a URL (https://user:pass@host, s3://KEY:SECRET@bucket, postgres://u:p@db), unless the password
  // is a variable reference ($(VAR), ${VAR}, $VAR) that the container or its shell expands from a Secret.
  [/\b[A-Za-z][A-Za-z0-9+.-]*:\/\/[^\s/?#@:]*:(?!\$\(|\$\{|\$[A-Za-z_])[^\s/?#@]+@/g, 'credentials in a URL'],
];

/** What every shape of SHAPES contains (a superset test). */
const QUICK = /AKIA|ASIA|hf_|gh[pousr]_|github_pat_|:\/\/[^\s]*@/;

/** A W&B API key: 40 lower-case hex digits (the shape of a git commit id too, so only where the name does not say so). */
const HEX40 = /\b[0-9a-f]{40}\b/g;
/** Names under which 40 hex digits are a revision, not a key. */
const REVISION_NAME = /SHA|COMMIT|REV|HASH|DIGEST|VERSION|CHECKSUM/i;

/**
 * What kind of credential `value` contains, if any. `name` is the variable, flag or field the value belongs to: 40 hex
 * digits (a W&B key) count unless the name says they are a revision (`GIT_SHA`, `--revision`). Without a name they do
 * not count (a label value may be a commit id).
 * @internal
 */
export function _secretShape(value: string, name?: string): string | undefined {
  // Most values hold none of the shapes' fixed parts: one cheap test first (synthesis scans every rendered string).
  if (!QUICK.test(value) && (name === undefined || value.length < 40)) return undefined;
  for (const [re, what] of SHAPES) {
    re.lastIndex = 0;
    if (re.test(value)) return what;
  }
  HEX40.lastIndex = 0;
  if (name !== undefined && !REVISION_NAME.test(name) && HEX40.test(value)) return 'a 40-hex API key (the shape of a W&B key)';
  return undefined;
}

/** Replaces every credential shape in a message (40 hex digits included) with a placeholder. @internal */
export function _scrubSecrets(message: string): string {
  let out = message;
  // URL credentials first: a key shape replaced inside them (s3://AKIA...:SECRET@) would hide the rest from the URL shape.
  for (const [re, what] of [...SHAPES].sort((a, b) => Number(b[1] === 'credentials in a URL') - Number(a[1] === 'credentials in a URL'))) {
    out = out.replace(re, m => (what === 'credentials in a URL' ? `${m.slice(0, m.indexOf('://') + 3)}<credentials, not shown>@` : `<${what}, not shown>`));
  }
  return out.replace(HEX40, '<40 hex digits, not shown>');
}
