import { k8s } from 'cdk8s-plus-28';
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
 * Checks a Secret key reference and returns it as an env var that reads it (`prop` names it in messages).
 * @internal
 */
export function _secretKeyEnv(p: _Problems, prop: string, name: string, ref: SecretKeyRef | undefined): k8s.EnvVar | undefined {
  if (ref === undefined) return undefined;
  if (!ref || typeof ref !== 'object') {
    p.error(prop, ref, 'must be { secretName, key } naming a key of a Kubernetes Secret');
    return undefined;
  }
  _checkDnsSubdomain(p, `${prop}.secretName`, ref.secretName ?? '');
  if (typeof ref.key !== 'string' || !/^[-._a-zA-Z0-9]+$/.test(ref.key)) p.error(`${prop}.key`, ref.key, 'must be a Secret key: letters, digits, \'-\', \'_\' and \'.\'');
  return { name, valueFrom: { secretKeyRef: { name: ref.secretName, key: ref.key } } };
}

const SECRET_WORDS = ['PASSWORD', 'PASSWD', 'SECRET', 'TOKEN', 'APIKEY', 'CREDENTIAL', 'CREDENTIALS', 'PRIVATEKEY'];
const SECRET_PAIRS = ['API_KEY', 'ACCESS_KEY', 'PRIVATE_KEY', 'SECRET_KEY', 'AUTH_KEY'];
const ENV_NAME = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;

/** Whether an environment variable name looks like it carries a secret. @internal */
export function _looksSecret(name: string): boolean {
  const upper = name.toUpperCase();
  const parts = upper.split(/[^A-Z0-9]+/);
  if (parts.some(part => SECRET_WORDS.includes(part))) return true;
  return SECRET_PAIRS.some(pair => upper === pair || upper.endsWith(`_${pair}`) || upper.includes(`${pair}_`));
}

/**
 * The container env: plain variables (a literal under a secret-looking name is refused), then Secret references.
 * @internal
 */
export function _renderEnv(p: _Problems, env: { [name: string]: string } | undefined, secretEnv: SecretEnvVar[] | undefined): k8s.EnvVar[] {
  const out: k8s.EnvVar[] = [];
  if (env !== undefined && (env === null || typeof env !== 'object' || Array.isArray(env))) {
    p.error('env', env, 'must be a map of environment variable names to values');
    env = undefined;
  }
  for (const [key, value] of Object.entries(env ?? {})) {
    if (!ENV_NAME.test(key)) p.error(`env[${JSON.stringify(key)}]`, key, 'environment variable names are letters, digits, \'_\', \'-\' and \'.\', not starting with a digit');
    if (typeof value !== 'string') p.error(`env[${JSON.stringify(key)}]`, value, 'values must be strings');
    else if (_looksSecret(key) && value.length > 0 && !/^\$\([A-Za-z_][A-Za-z0-9_]*\)$/.test(value)) {
      p.raw(`env[${JSON.stringify(key)}]=<literal value, not shown> is invalid: ${key} looks like a secret; pass it with secretEnv: [{ name: '${key}', secretName: ..., key: ... }] so it stays in a Secret`);
    }
    out.push({ name: key, value });
  }
  if (secretEnv !== undefined && !Array.isArray(secretEnv)) {
    p.error('secretEnv', secretEnv, 'must be a list of { name, secretName, key }');
    return out;
  }
  for (const [i, s] of (secretEnv ?? []).entries()) {
    if (!s || typeof s !== 'object') { p.error(`secretEnv[${i}]`, s, 'must be { name, secretName, key }'); continue; }
    if (typeof s.name !== 'string' || !ENV_NAME.test(s.name)) p.error(`secretEnv[${i}].name`, s.name, 'must be an environment variable name');
    _checkDnsSubdomain(p, `secretEnv[${i}].secretName`, s.secretName ?? '');
    if (typeof s.key !== 'string' || !/^[-._a-zA-Z0-9]+$/.test(s.key)) p.error(`secretEnv[${i}].key`, s.key, 'must be a Secret key: letters, digits, \'-\', \'_\' and \'.\'');
    out.push({ name: s.name, valueFrom: { secretKeyRef: { name: s.secretName, key: s.key, optional: s.optional } } });
  }
  return out;
}
