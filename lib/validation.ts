import { Construct } from 'constructs';
import { Conventions } from './conventions';

/**
 * Collects every problem with a construct's props so that a synth reports all of them at once,
 * each with the construct path (added by cdk8s), the prop, the bad value and what is allowed.
 *
 * @internal
 */
export class _Problems {
  private readonly errors: string[] = [];
  private readonly warnings: string[] = [];

  /** Records `prop=value` as invalid, with what is allowed. */
  public error(prop: string, value: unknown, allowed: string): void {
    this.errors.push(`${prop}=${_show(value)} is invalid: ${allowed}`);
  }

  /** Records a free-form error message (it must name the prop and the value itself). */
  public raw(message: string): void {
    this.errors.push(message);
  }

  /** Records a warning: printed at synth, fatal only in strict mode. */
  public warn(message: string): void {
    this.warnings.push(message);
  }

  public get ok(): boolean {
    return this.errors.length === 0;
  }

  public get messages(): readonly string[] {
    return this.errors;
  }

  /**
   * Registers the problems as a validation of `scope`: `app.synth()` and `Testing.synth()` then fail with every
   * problem of every construct, each prefixed by its construct path. The list is read when validation runs, so
   * problems recorded after this call count too. Warnings are printed once per construct, or fail in strict mode.
   */
  public attach(scope: Construct): void {
    let printed = false;
    scope.node.addValidation({
      validate: () => {
        const strict = scope.node.tryGetContext(Conventions.STRICT_CONTEXT_KEY) === true
          || scope.node.tryGetContext(Conventions.STRICT_CONTEXT_KEY) === 'true'
          || process.env.CDK8S_GPU_STRICT === '1';
        if (strict) return [...this.errors, ...this.warnings.map(w => `(strict mode) ${w}`)];
        if (!printed) {
          printed = true;
          for (const w of this.warnings) process.stderr.write(`[WARNING] [${scope.node.path}] ${w}\n`);
        }
        return [...this.errors];
      },
    });
  }

  /** Copies another collector's problems into this one, each message passed through `rename`. */
  public absorb(other: _Problems, rename: (message: string) => string = m => m): void {
    for (const e of other.errors) if (!this.errors.includes(rename(e))) this.errors.push(rename(e));
    for (const w of other.warnings) if (!this.warnings.includes(rename(w))) this.warnings.push(rename(w));
  }
}

/** @internal */
export function _show(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'object' && value !== null) {
    const v = value as any;
    if (typeof v.toHumanString === 'function') return v.toHumanString();
    if (typeof v.toMebibytes === 'function') return `${v.toMebibytes({ rounding: 2 })}Mi`;
    if (typeof v.name === 'string') return v.name;
    try { return JSON.stringify(value); } catch { return String(value); }
  }
  return String(value);
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const LABEL_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;

/** @internal */
export function _checkDnsLabel(p: _Problems, prop: string, value: string | undefined, maxLen = 63): void {
  if (value === undefined) return;
  if (typeof value !== 'string' || value.length > maxLen || !DNS_LABEL.test(value)) {
    p.error(prop, value, `must be a DNS-1123 label of at most ${maxLen} characters: lowercase letters, digits and '-', starting and ending with a letter or digit`);
  }
}

/** @internal */
export function _checkDnsSubdomain(p: _Problems, prop: string, value: string | undefined): void {
  if (value === undefined) return;
  if (typeof value !== 'string' || value.length > 253 || !DNS_SUBDOMAIN.test(value)) {
    p.error(prop, value, 'must be a DNS-1123 subdomain of at most 253 characters: lowercase letters, digits, \'-\' and \'.\'');
  }
}

/** Whether `key` is a label (or taint) key: an optional DNS subdomain prefix and '/', then a name. @internal */
export function _isLabelKey(key: unknown): boolean {
  if (typeof key !== 'string') return false;
  const slash = key.lastIndexOf('/');
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  return !((prefix !== undefined && (prefix.length > 253 || !DNS_SUBDOMAIN.test(prefix))) || name.length > 63 || !LABEL_NAME.test(name));
}

/** @internal */
export function _checkLabels(p: _Problems, prop: string, labels: { [key: string]: string } | undefined): void {
  if (labels === undefined) return;
  if (typeof labels !== 'object' || labels === null) {
    p.error(prop, labels, 'must be a map of label keys to label values');
    return;
  }
  for (const [key, value] of Object.entries(labels)) {
    if (!_isLabelKey(key)) {
      p.error(`${prop}[${JSON.stringify(key)}]`, key, 'label keys are an optional DNS subdomain prefix and \'/\' followed by a name of at most 63 characters ([A-Za-z0-9] at both ends, \'-\', \'_\' and \'.\' inside)');
    }
    if (typeof value !== 'string' || value.length > 63 || !LABEL_VALUE.test(value)) {
      p.error(`${prop}[${JSON.stringify(key)}]`, value, 'label values are strings of at most 63 characters: empty, or [A-Za-z0-9] at both ends with \'-\', \'_\' and \'.\' inside');
    }
  }
}

/** Checks an integer prop lies in [min, max]. @internal */
export function _checkInt(p: _Problems, prop: string, value: number | undefined, min: number, max = Number.MAX_SAFE_INTEGER): void {
  if (value === undefined) return;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `an integer >= ${min}` : `an integer from ${min} to ${max}`;
    p.error(prop, value, `must be ${range}`);
  }
}

/**
 * Checks that `value` is one of a string enum's values (what TypeScript guarantees, and JavaScript and jsii callers
 * may not). `enumName` names the enum in the message, e.g. `CapacityType`.
 * @internal
 */
export function _checkEnum<T extends string>(p: _Problems, prop: string, value: T | undefined, values: { [key: string]: T },
  enumName: string): boolean {
  if (value === undefined) return true;
  if (Object.values(values).includes(value)) return true;
  p.error(prop, value, `must be one of ${Object.keys(values).map(k => `${enumName}.${k}`).join(', ')}`);
  return false;
}

/** Checks a cdk8s Duration is a positive whole number of seconds and returns it. @internal */
export function _durationSeconds(p: _Problems, prop: string, value: any, opts: { allowZero?: boolean; max?: number } = {}): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'object' || value === null || typeof value.toSeconds !== 'function') {
    p.error(prop, value, 'must be a cdk8s Duration, e.g. Duration.minutes(30)');
    return undefined;
  }
  let seconds: number;
  try {
    seconds = value.toSeconds({ integral: false });
  } catch {
    p.error(prop, value, 'must be a cdk8s Duration');
    return undefined;
  }
  const lowest = opts.allowZero ? 0 : 1;
  if (!Number.isFinite(seconds) || seconds < lowest || !Number.isInteger(seconds)) {
    p.error(prop, value, `must be a whole number of seconds, at least ${lowest}s`);
    return undefined;
  }
  if (opts.max !== undefined && seconds > opts.max) {
    p.error(prop, value, `must be at most ${opts.max}s`);
    return undefined;
  }
  return seconds;
}

/** Returns a cdk8s Size in MiB, or records an error. @internal */
export function _sizeMebibytes(p: _Problems, prop: string, value: any, minMebibytes = 1): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'object' || value === null || typeof value.toMebibytes !== 'function') {
    p.error(prop, value, 'must be a cdk8s Size, e.g. Size.gibibytes(16)');
    return undefined;
  }
  let mib: number;
  try {
    mib = value.toMebibytes({ rounding: 2 /* SizeRoundingBehavior.NONE */ });
  } catch {
    p.error(prop, value, 'must be a cdk8s Size');
    return undefined;
  }
  if (!Number.isFinite(mib) || mib < minMebibytes) {
    p.error(prop, value, `must be at least ${minMebibytes}Mi`);
    return undefined;
  }
  return mib;
}

/** Renders MiB as a Kubernetes quantity (Gi when whole). @internal */
export function _quantityMebibytes(mib: number): string {
  if (mib % 1024 === 0) return `${mib / 1024}Gi`;
  return `${Math.round(mib)}Mi`;
}

/** Returns an escape-hatch object, or explains why it does not exist. @internal */
export function _ensure<T>(scope: Construct, value: T | undefined, problems: _Problems): T {
  if (value === undefined) {
    throw new Error(`[${scope.node.path}] has invalid props, so it emitted no objects: ${problems.messages.join('; ')}`);
  }
  return value;
}
