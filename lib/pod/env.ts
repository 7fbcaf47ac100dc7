import { k8s } from 'cdk8s-plus-28';
import { _looksSecret, _secretShape } from '../secrets';
import { _Problems, _checkDnsSubdomain } from '../validation';

/** An environment variable read from a Kubernetes Secret (the only way secrets reach a workload). */
export interface SecretEnvVar {
  /** Variable name in the container. */
  readonly name: string;
  /** Name of the Secret in the workload's namespace. */
  readonly secretName: string;
  /** Key in the Secret. */
  readonly key: string;
  /**
   * Start the container even if the Secret or key is missing.
   * @default false
   */
  readonly optional?: boolean;
}

/** A key of a Kubernetes Secret, e.g. an API key or an access token. */
export interface SecretKeyRef {
  /** Name of the Secret (in the namespace of the object that reads it). */
  readonly secretName: string;
  /** Key in the Secret. */
  readonly key: string;
}

/**
 * Checks the names of a Secret key reference (its type was checked with the props) and returns it as an env var that
 * reads it (`prop` names it in messages).
 * @internal
 */
export function _secretKeyEnv(p: _Problems, prop: string, name: string, ref: SecretKeyRef | undefined): k8s.EnvVar | undefined {
  if (ref === undefined) return undefined;
  _checkDnsSubdomain(p, `${prop}.secretName`, ref.secretName);
  if (!/^[-._a-zA-Z0-9]+$/.test(ref.key)) p.error(`${prop}.key`, ref.key, 'must be a Secret key: letters, digits, \'-\', \'_\' and \'.\'');
  return { name, valueFrom: { secretKeyRef: { name: ref.secretName, key: ref.key } } };
}

/** Names whose value is a connection URL: a secret only with credentials in it. */
const CONNECTION_URL = /(^|_)(DATABASE_URL|DB_URL|DSN)$/;
/** A URL with user info (`user@`, `user:password@`) whose password, if any, is not a variable reference. */
const URL_WITH_CREDENTIALS = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/[^\s/?#@]+@/;
const URL_WITH_REFERENCE_PASSWORD = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/[^\s/?#@:]*:(\$\([A-Za-z_][A-Za-z0-9_]*\)|\$\{[A-Za-z_][A-Za-z0-9_]*\})@/;
const URL = /^[A-Za-z][A-Za-z0-9+.-]*:\/\//;
const ENV_NAME = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;
/** A value the container (`$(VAR)`) or its shell (`$VAR`, `${VAR}`) expands from another variable, e.g. a secretEnv one. */
const REFERENCE = /^(\$\([A-Za-z_][A-Za-z0-9_]*\)|\$\{[A-Za-z_][A-Za-z0-9_]*\}|\$[A-Za-z_][A-Za-z0-9_]*)$/;
/** An absolute file path: a secret-looking name pointing at a mounted file (`GOOGLE_APPLICATION_CREDENTIALS`). */
const FILE_PATH = /^\/[A-Za-z0-9._/-]*$/;

/**
 * Whether a literal under a secret-looking name is a secret: not empty, not a reference to another variable, not the
 * path of a mounted file.
 */
function isLiteralSecret(value: string): boolean {
  return value.length > 0 && !REFERENCE.test(value) && !FILE_PATH.test(value);
}

/**
 * Whether a connection URL (`DATABASE_URL`, `*_DSN`) holds a secret: user info in it, unless its password is a variable
 * reference (`postgres://app:$(DB_PASSWORD)@db/app`); a connection string that is not a URL always counts.
 */
function isConnectionSecret(value: string): boolean {
  if (!URL.test(value)) return isLiteralSecret(value);
  return URL_WITH_CREDENTIALS.test(value) && !URL_WITH_REFERENCE_PASSWORD.test(value);
}

/** Why a value under `name` is a secret, if it is. @internal */
export function _secretIn(name: string, value: string): string | undefined {
  const connection = CONNECTION_URL.test(name.toUpperCase());
  if (_looksSecret(name) && (connection ? isConnectionSecret(value) : isLiteralSecret(value))) {
    return connection ? `${name} holds credentials` : `${name} looks like a secret`;
  }
  const shape = _secretShape(value, name);
  return shape ? `it contains ${shape}` : undefined;
}

/** How to pass a secret instead, for messages. */
function useSecretEnv(name: string): string {
  const variable = name.replace(/^-+/, '').replace(/[^A-Za-z0-9]+/g, '_').toUpperCase() || 'SECRET';
  return `keep it in a Secret: secretEnv: [{ name: '${variable}', secretName: ..., key: ... }], and refer to it as $(${variable})`;
}

/**
 * The container env: plain variables (a literal secret is refused: a secret-looking name, or a value shaped like a
 * credential), then Secret references.
 * @internal
 */
export function _renderEnv(p: _Problems, env: { [name: string]: string } | undefined, secretEnv: SecretEnvVar[] | undefined): k8s.EnvVar[] {
  const out: k8s.EnvVar[] = [];
  for (const [key, value] of Object.entries(env ?? {})) {
    const prop = `env[${JSON.stringify(key)}]`;
    if (!ENV_NAME.test(key)) p.error(prop, key, 'environment variable names are letters, digits, \'_\', \'-\' and \'.\', not starting with a digit');
    const why = _secretIn(key, value);
    if (why) p.raw(`${prop}=<literal value, not shown> is invalid: ${why}; ${useSecretEnv(key)}`);
    out.push({ name: key, value });
  }
  for (const [i, s] of (secretEnv ?? []).entries()) {
    if (!ENV_NAME.test(s.name)) p.error(`secretEnv[${i}].name`, s.name, 'must be an environment variable name');
    _checkDnsSubdomain(p, `secretEnv[${i}].secretName`, s.secretName);
    if (!/^[-._a-zA-Z0-9]+$/.test(s.key)) p.error(`secretEnv[${i}].key`, s.key, 'must be a Secret key: letters, digits, \'-\', \'_\' and \'.\'');
    out.push({ name: s.name, valueFrom: { secretKeyRef: { name: s.secretName, key: s.key, optional: s.optional } } });
  }
  return out;
}

/**
 * Refuses literal secrets in a command line (`command`, `args`, a preStop command): values shaped like credentials
 * anywhere, `--hf-token=...` or `--token ...` (a flag whose name looks secret, then a literal), and `NAME=...`
 * assignments of a secret-looking variable inside a shell line (`sh -c "WANDB_API_KEY=... python train.py"`). A value
 * that refers to a variable (`$(HF_TOKEN)`, `$HF_TOKEN`), `true`/`false` and short numbers (`--token-budget 512`) are
 * not secrets.
 * @internal
 */
export function _checkCommandLine(p: _Problems, prop: string, line: string[] | undefined): void {
  if (line === undefined) return;
  const flagValue = (v: string) => isLiteralSecret(v) && !/^(true|false|[0-9]{1,6})$/.test(v);
  line.forEach((arg, i) => {
    const where = `${prop}[${i}]=<not shown>`;
    // One message per argument: a construct may have refused it already.
    if (p.messages.some(m => m.startsWith(`${prop}[${i}]=`))) return;
    // Each word of an argument: one word, or the words of a shell line.
    const words = arg.split(/\s+/).map(w => w.replace(/^["']|["';]$/g, '')).filter(w => w.length > 0);
    for (const [j, word] of words.entries()) {
      const assign = /^(--?[A-Za-z][-A-Za-z0-9_.]*|[A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(word);
      const name = assign?.[1] ?? (/^--?[A-Za-z][-A-Za-z0-9_.]*$/.test(word) ? word : undefined);
      const shape = _secretShape(word, name ?? (j > 0 ? words[j - 1] : i > 0 ? line[i - 1] : undefined));
      if (shape) {
        p.raw(`${where} is invalid: it contains ${shape}; ${useSecretEnv(name ?? 'SECRET')}`);
        return;
      }
      if (assign && _looksSecret(assign[1]) && flagValue(assign[2])) {
        p.raw(`${where} is invalid: ${assign[1]}= takes a literal secret; ${useSecretEnv(assign[1])}`);
        return;
      }
      // `--token VALUE`: the value is the next word of a shell line, or the next argument.
      if (!assign && name?.startsWith('-') && _looksSecret(name)) {
        const next = j + 1 < words.length ? words[j + 1] : words.length === 1 && i + 1 < line.length ? line[i + 1] : undefined;
        if (next !== undefined && !next.startsWith('-') && flagValue(next)) {
          p.raw(`${prop}[${j + 1 < words.length ? i : i + 1}]=<not shown> is invalid: ${name} takes a literal secret; ${useSecretEnv(name)}`);
          return;
        }
      }
    }
  });
}

/** Refuses a value with a credential in it (e.g. `storageUri: 's3://KEY:SECRET@bucket'`). @internal */
export function _checkNoCredentials(p: _Problems, prop: string, value: string | undefined, how: string): void {
  if (value === undefined) return;
  const shape = _secretShape(value);
  if (shape) p.raw(`${prop}=<not shown> is invalid: it contains ${shape}; ${how}`);
}

/**
 * Credentials in rendered objects (after escape-hatch patches, in values the library derived): every env entry with a
 * literal secret, and every string shaped like a credential. The safety net behind the props' own checks.
 * @internal
 */
export function _secretsInRendered(json: any): string[] {
  const out: string[] = [];
  const what = `${json?.kind ?? 'object'} ${json?.metadata?.name ?? ''}`.trim();
  // The path is built only for a finding: synthesis scans every string of every object.
  const keys: (string | number)[] = [];
  const path = () => keys.map((k, i) => (typeof k === 'number' ? `[${k}]` : i === 0 ? k : `.${k}`)).join('');
  const walk = (node: any, key: string | number | undefined) => {
    if (typeof node === 'string') {
      const shape = _secretShape(node);
      if (shape) out.push(`${what} ${path()}=<not shown> is invalid: it contains ${shape}; keep credentials in Secrets (secretEnv)`);
      return;
    }
    if (!node || typeof node !== 'object') return;
    if (Array.isArray(node)) {
      for (let i = 0; i < node.length; i++) {
        const n = node[i];
        keys.push(i);
        const why = key === 'env' && typeof n?.name === 'string' && typeof n?.value === 'string' ? _secretIn(n.name, n.value) : undefined;
        if (why) out.push(`${what} ${path()} (${n.name})=<not shown> is invalid: ${why}; ${useSecretEnv(n.name)}`);
        else walk(n, key);
        keys.pop();
      }
      return;
    }
    for (const k of Object.keys(node)) {
      keys.push(k);
      walk(node[k], k);
      keys.pop();
    }
  };
  walk(json, undefined);
  return out;
}
