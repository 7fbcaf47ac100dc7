import { Construct } from 'constructs';
import { Conventions } from './conventions';
import { _TypeSpecs, _typeSpecs } from './generated/type-specs';
import { _installKubectlSafeYaml } from './kubectl-yaml';
import { _looksSecret, _scrubSecrets } from './secrets';

// Every construct imports this module: from here on, what cdk8s writes is read back by kubectl as it was written.
_installKubectlSafeYaml();

/**
 * Collects every problem with a construct's props so that a synth reports all of them at once,
 * each with the construct path (added by cdk8s), the prop, the bad value and what is allowed.
 *
 * Messages never show a credential (`_scrubSecrets`), and once a prop failed the runtime type check, later messages
 * about the same prop are dropped: they would only describe the consequences of the wrong type.
 *
 * @internal
 */
export class _Problems {
  private readonly errors: string[] = [];
  private readonly warnings: string[] = [];
  private readonly typeFailed = new Set<string>();
  private attached = false;

  /** Records `prop=value` as invalid, with what is allowed (the value is not shown under a secret-looking key). */
  public error(prop: string, value: unknown, allowed: string): void {
    const key = /\["([^"]*)"\]$|([A-Za-z_$][\w$]*)$/.exec(prop);
    const secret = value !== undefined && value !== null && _looksSecret(key?.[1] ?? key?.[2] ?? '');
    this.raw(`${prop}=${secret ? '<not shown>' : _show(value)} is invalid: ${allowed}`);
  }

  /** Records a free-form error message (it must name the prop and the value itself). */
  public raw(message: string): void {
    if (this.aboutFailedType(message)) return;
    this.push(this.errors, message);
  }

  /** Records a warning: printed once per synth, fatal only in strict mode. */
  public warn(message: string): void {
    if (this.aboutFailedType(message)) return;
    this.push(this.warnings, message);
  }

  public get ok(): boolean {
    return this.errors.length === 0;
  }

  public get messages(): readonly string[] {
    return this.errors;
  }

  /** The warnings recorded so far. */
  public get warningMessages(): readonly string[] {
    return this.warnings;
  }

  /**
   * Registers the problems as a validation of `scope`: `app.synth()` and `Testing.synth()` then fail with every
   * problem of every construct, each prefixed by its construct path. The list is read when validation runs, so
   * problems recorded after this call count too. Warnings are printed once per synth (each distinct warning once), or
   * fail in strict mode.
   */
  public attach(scope: Construct): void {
    if (this.attached) return;
    this.attached = true;
    scope.node.addValidation({
      validate: () => {
        const strict = scope.node.tryGetContext(Conventions.STRICT_CONTEXT_KEY) === true
          || scope.node.tryGetContext(Conventions.STRICT_CONTEXT_KEY) === 'true'
          || process.env.CDK8S_GPU_STRICT === '1';
        if (strict) return [...this.errors, ...this.warnings.map(w => `(strict mode) ${w}`)];
        // Validation runs once per synth: each synth prints each warning once.
        for (const w of this.warnings) process.stderr.write(`[WARNING] [${scope.node.path}] ${w}\n`);
        return [...this.errors];
      },
    });
  }

  /** Copies another collector's problems into this one, each message passed through `rename`. */
  public absorb(other: _Problems, rename: (message: string) => string = m => m): void {
    for (const e of other.errors) this.raw(rename(e));
    for (const w of other.warnings) this.warn(rename(w));
    for (const t of other.typeFailed) this.typeFailed.add(t);
  }

  /** Records the messages of the runtime type check and marks the props they are about. */
  public _typeProblems(messages: string[], failedProps: Iterable<string>): void {
    for (const m of messages) this.push(this.errors, m);
    for (const prop of failedProps) this.typeFailed.add(prop);
  }

  private push(list: string[], message: string): void {
    const clean = _scrubSecrets(message);
    if (!list.includes(clean)) list.push(clean);
  }

  /** Whether a message is about a prop (`prop=`, `prop[...]=`, `prop.x=` anywhere in it) whose type was wrong. */
  private aboutFailedType(message: string): boolean {
    if (this.typeFailed.size === 0) return false;
    for (const m of message.matchAll(/(?:^|[\s,(])([A-Za-z_$][\w$]*)(?:\[[^\]]*\]|\.[\w$]+)*(?:=| is )/g)) {
      if (this.typeFailed.has(m[1])) return true;
    }
    return false;
  }
}

/** A value for a message: strings quoted, objects as short JSON, never a function's source or a credential. @internal */
export function _show(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (typeof value === 'string') return JSON.stringify(value.length > 200 ? `${value.slice(0, 200)}...` : value);
  if (typeof value === 'function') return 'a function';
  if (typeof value === 'object' && value !== null) {
    const v = value as any;
    try {
      if (typeof v.toHumanString === 'function') return v.toHumanString();
      if (typeof v.toMebibytes === 'function') return `${v.toMebibytes({ rounding: 2 })}Mi`;
      if (typeof v.name === 'string') return v.name;
      const json = JSON.stringify(value);
      if (json === undefined) return String(value);
      return json.length > 120 ? `${json.slice(0, 120)}...` : json;
    } catch {
      return Array.isArray(value) ? 'a list' : 'an object';
    }
  }
  return String(value);
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const LABEL_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;

/** @internal */
export function _checkDnsLabel(p: _Problems, prop: string, value: string | undefined, maxLen = 63, what = ''): void {
  if (value === undefined) return;
  if (typeof value !== 'string' || value.length > maxLen || !DNS_LABEL.test(value)) {
    p.error(prop, value, `${what}must be a DNS-1123 label of at most ${maxLen} characters: lowercase letters, digits and '-', starting and ending with a letter or digit`);
  }
}

/**
 * Checks that a name that also names a Service (or a KServe InferenceService) starts with a letter: those are DNS-1035
 * labels. Other defects of the name are the DNS-1123 label check's to report. `what` says why.
 * @internal
 */
export function _checkDns1035(p: _Problems, prop: string, value: string | undefined, what: string): void {
  if (value !== undefined && DNS_LABEL.test(value) && /^[0-9]/.test(value)) {
    p.error(prop, value, `must start with a letter: ${what} (a DNS-1035 label)`);
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

/** Whether a value is a label value. @internal */
export function _isLabelValue(value: unknown): boolean {
  return typeof value === 'string' && value.length <= 63 && LABEL_VALUE.test(value);
}

/** @internal */
export function _checkLabels(p: _Problems, prop: string, labels: { [key: string]: string } | undefined): void {
  if (labels === undefined) return;
  for (const [key, value] of Object.entries(labels)) {
    if (!_isLabelKey(key)) {
      p.error(`${prop}[${JSON.stringify(key)}]`, key, 'label keys are an optional DNS subdomain prefix and \'/\' followed by a name of at most 63 characters ([A-Za-z0-9] at both ends, \'-\', \'_\' and \'.\' inside)');
    }
    if (typeof value !== 'string' || value.length > 63 || !LABEL_VALUE.test(value)) {
      p.error(`${prop}[${JSON.stringify(key)}]`, value, 'label values are strings of at most 63 characters: empty, or [A-Za-z0-9] at both ends with \'-\', \'_\' and \'.\' inside');
    }
  }
}

/** The most GPUs a machine carries that the library accepts in an accelerator's shapes (no machine has more). */
const MAX_GPUS_PER_MACHINE = 64;

/** The GPU counts of an accelerator (a custom one is user input). @internal */
export interface _AcceleratorCounts {
  readonly name: string;
  readonly autopilotCounts: number[];
  readonly gkeMachines: { readonly gpus: number }[];
  readonly awsInstanceFamilies: { readonly gpusPerInstance: number[] }[];
}

/**
 * Checks the GPU counts of an accelerator are whole numbers from 1 to 64: platforms enumerate the counts up to the
 * largest one, so `Accelerator.custom({ autopilotCounts: [1e9] })` must be refused before anything allocates.
 * @internal
 */
export function _checkAcceleratorCounts(p: _Problems, prop: string, acc: _AcceleratorCounts): boolean {
  const counts: [string, number][] = [
    ...acc.autopilotCounts.map((n, i) => [`autopilotCounts[${i}]`, n] as [string, number]),
    ...acc.gkeMachines.map((m, i) => [`gkeMachines[${i}].gpus`, m.gpus] as [string, number]),
    ...acc.awsInstanceFamilies.flatMap((f, i) => f.gpusPerInstance.map((n, j) => [`awsInstanceFamilies[${i}].gpusPerInstance[${j}]`, n] as [string, number])),
  ];
  let ok = true;
  for (const [where, n] of counts) {
    if (!Number.isInteger(n) || n < 1 || n > MAX_GPUS_PER_MACHINE) {
      p.raw(`${prop}.${where}=${_show(n)} is invalid: a GPU count of accelerator ${_show(acc.name)} must be a whole number from 1 to ${MAX_GPUS_PER_MACHINE}`);
      ok = false;
    }
  }
  return ok;
}

/**
 * Why `value` cannot be used as the RE2 regular expression of a PromQL matcher (`label=~"..."`), if it cannot:
 * Prometheus compiles matchers with Go's regexp (RE2), which has no lookaround and no backreferences; a pattern
 * JavaScript cannot compile either is no regular expression at all. PromQL anchors the pattern at both ends.
 * @internal
 */
export function _promRegexProblem(value: string): string | undefined {
  if (value.length === 0) return 'must not be empty';
  if (/[\n\r]/.test(value)) return 'must be one line';
  if (/\(\?<?[=!]|\(\?>|\\[1-9]|\\k</.test(value)) return 'uses lookaround, an atomic group or a backreference, which Prometheus\' RE2 regular expressions do not support';
  try {
    new RegExp(value);
  } catch (e) {
    return `is not a regular expression (${e instanceof Error ? e.message : String(e)})`;
  }
  return undefined;
}

/**
 * A literal value inside a PromQL regex matcher (`label=~"..."`): RE2 metacharacters escaped, then quoted as a PromQL
 * string (JSON escapes are valid PromQL escapes), so a value such as `NVIDIA A100-SXM4-80GB (MIG 1g.10gb)` matches only
 * itself.
 * @internal
 */
export function _promRegexLiteral(value: string): string {
  return JSON.stringify(value.replace(/[\\.+*?()|[\]{}^$]/g, c => `\\${c}`));
}

/** An image tag (distribution/reference: `[\w][\w.-]{0,127}`). */
const IMAGE_TAG = /^[\w][\w.-]{0,127}$/;

/**
 * Why `ref` is not a container image reference a kubelet can pull, if it is not. The grammar of
 * distribution/reference (`[domain[:port]/]path[:tag][@digest]`): the path is lowercase letters and digits separated by
 * `.`, `_`, `__` or dashes; the first component is a registry when it has a `.` or `:` or is `localhost`; at most 255
 * characters of name.
 * @internal
 */
export function _imageProblem(ref: string): string | undefined {
  if (ref.length === 0) return 'must not be empty';
  if (/\s/.test(ref)) return 'must not contain spaces';
  let rest = ref;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!/^[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}$/.test(digest)) {
      return `has an invalid digest ${JSON.stringify(digest)} (allowed: algorithm:hex, e.g. sha256:<64 hex digits>)`;
    }
  }
  const slash = rest.lastIndexOf('/');
  const colon = rest.lastIndexOf(':');
  let tag: string | undefined;
  if (colon > slash) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!IMAGE_TAG.test(tag)) return `has an invalid tag ${JSON.stringify(tag)} (allowed: up to 128 letters, digits, '_', '.' and '-', not starting with '.' or '-')`;
  }
  if (rest.length > 255) return 'has a name longer than 255 characters';
  const parts = rest.split('/');
  const first = parts[0];
  const hasDomain = parts.length > 1 && (/[.:]/.test(first) || first === 'localhost' || first !== first.toLowerCase());
  if (hasDomain) {
    parts.shift();
    if (!/^(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*|\[[0-9A-Fa-f:.]+\])(?::[0-9]+)?$/.test(first)) {
      return `has an invalid registry ${JSON.stringify(first)}`;
    }
  }
  for (const part of parts) {
    if (part !== part.toLowerCase()) return `has upper-case letters in the repository ${JSON.stringify(parts.join('/'))} (registries refuse them: use lowercase)`;
    if (!/^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/.test(part)) {
      return `has an invalid repository path component ${JSON.stringify(part)} (allowed: lowercase letters and digits separated by '.', '_', '__' or '-')`;
    }
  }
  return undefined;
}

/** Whether a string is an image tag. @internal */
export function _isImageTag(tag: string): boolean {
  return IMAGE_TAG.test(tag);
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

/** Largest value of a 32-bit Kubernetes integer field (ttlSecondsAfterFinished, progressDeadlineSeconds, ports...). */
const INT32_MAX = 2147483647;

/** Largest value of a 32-bit Kubernetes integer field. @internal */
export function _int32Max(): number {
  return INT32_MAX;
}

/**
 * Checks a cdk8s Duration is a positive whole number of seconds and returns it. Every duration the library emits goes
 * into a 32-bit field (`ttlSecondsAfterFinished`), a 64-bit one or a Go duration string, so none may exceed the 32-bit
 * maximum (2147483647 s, 68 years): a larger value is refused here rather than by the API server.
 * @internal
 */
export function _durationSeconds(p: _Problems, prop: string, value: any, opts: { allowZero?: boolean; max?: number } = {}): number | undefined {
  if (value === undefined) return undefined;
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
  const max = opts.max ?? INT32_MAX;
  if (seconds > max) {
    p.error(prop, value, max === INT32_MAX ? `must be at most ${INT32_MAX}s (68 years; Kubernetes stores it in a 32-bit field)` : `must be at most ${max}s`);
    return undefined;
  }
  return seconds;
}

/** Returns a cdk8s Size in MiB, or records an error. @internal */
export function _sizeMebibytes(p: _Problems, prop: string, value: any, minMebibytes = 1): number | undefined {
  if (value === undefined) return undefined;
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
  // A quantity is written in digits: beyond 2^53 MiB JavaScript writes an exponent, which is no quantity.
  if (mib > Number.MAX_SAFE_INTEGER) {
    p.error(prop, value, `must be at most ${Number.MAX_SAFE_INTEGER}Mi`);
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

/** Options of `_checkProps`. @internal */
export interface _CheckPropsOptions {
  /** Props the type does not declare are accepted (a subclass's props may add some). */
  readonly allowUnknown?: boolean;
  /** Prefix of the prop paths in messages, e.g. `platform.` for a platform's options. */
  readonly prefix?: string;
  /** Whether the object itself may be undefined (optional options). */
  readonly optional?: boolean;
  /** What the object is called in messages. @default 'props' */
  readonly name?: string;
}

/** Longest list the type check walks (a longer one is refused before anything iterates it). */
const MAX_LIST_LENGTH = 10000;

/**
 * The runtime type check of JavaScript and jsii callers, derived from the type definitions (lib/generated/type-specs.ts,
 * written by scripts/type-specs.ts): checks `value` against the struct `type` and records, through `p`, a missing or
 * non-object props object, missing required props, unknown props (with a "did you mean" hint), wrong types (a string
 * for a list, a number for a string, NaN, Infinity or an unsafe integer for a number, a list with holes, a value that is
 * not a member of its enum, a non-object or an object without the members of its class). Never throws.
 *
 * Returns a copy that holds only what is well-typed, so the code that follows never sees a wrong type (the construct
 * emits nothing anyway when anything failed); messages that follow about a prop whose type failed are dropped.
 * @internal
 */
export function _checkProps<T>(p: _Problems, type: string, value: unknown, options: _CheckPropsOptions = {}): T {
  const checker = new _TypeChecker(_typeSpecs(), options.prefix ?? '');
  let clean: any;
  try {
    clean = checker.topLevel(type, value, options);
  } catch (e) {
    // A hostile object (a Proxy, a throwing getter): report it, never let it escape as a TypeError.
    checker.fail('props', `${options.prefix ?? ''}${options.name ?? 'props'} could not be read: ${e instanceof Error ? e.message : String(e)}`);
    for (const prop of Object.keys(_structProps(type))) checker.failedProps.add(prop);
    clean = {};
  }
  p._typeProblems(checker.messages, checker.failedProps);
  return clean as T;
}

/** Struct props with their bases', per type (the specs never change). */
const STRUCT_PROPS = new Map<string, { [prop: string]: string }>();
/** Class instances found well-typed, per type code: library objects are immutable, so one check per process suffices. */
const CHECKED_INSTANCES = new WeakMap<object, Set<string>>();

/** The props of a struct type, its bases' included. @internal */
export function _structProps(type: string): { [prop: string]: string } {
  const cached = STRUCT_PROPS.get(type);
  if (cached) return cached;
  const specs = _typeSpecs();
  const out: { [prop: string]: string } = {};
  const add = (name: string) => {
    const s = specs.structs[name];
    if (!s) return;
    for (const base of (s['^'] ?? '').split(',').filter(Boolean)) add(base);
    for (const [k, v] of Object.entries(s)) if (k !== '^') out[k] = v;
  };
  add(type);
  STRUCT_PROPS.set(type, out);
  return out;
}

const MISSING = Symbol('missing');

class _TypeChecker {
  public readonly messages: string[] = [];
  public readonly failedProps = new Set<string>();
  private readonly seen = new Map<object, Set<string>>();

  constructor(private readonly specs: _TypeSpecs, private readonly prefix: string) {}

  public topLevel(type: string, value: unknown, options: _CheckPropsOptions): any {
    if (value === undefined && options.optional) return {};
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      const required = Object.entries(_structProps(type)).filter(([, c]) => !c.startsWith('?')).map(([k]) => k);
      this.fail('props', `${this.prefix}${options.name ?? 'props'}=${_show(value)} is invalid: must be an object of ${type}${required.length ? ` (required: ${required.join(', ')})` : ''}`);
      // Nothing was given: every prop counts as failed, so no message about a missing one follows.
      for (const prop of Object.keys(_structProps(type))) this.failedProps.add(prop);
      return {};
    }
    return this.struct(value as object, type, '', !options.allowUnknown);
  }

  public fail(prop: string, message: string): void {
    this.messages.push(message);
    this.failedProps.add(prop);
  }

  /** Checks a value against a type code; returns the well-typed copy, or MISSING when it is not well-typed. */
  private check(value: unknown, code: string, path: string, freeText: boolean): any {
    const top = path.split(/[.[]/)[0];
    // Free text (env values, args, labels...) and a value under a secret-looking key (a literal API key given where a
    // Secret reference belongs) may hold a credential: a message names its type, not its value.
    const key = /\["([^"]*)"\]$|([A-Za-z_$][\w$]*)$/.exec(path);
    const secret = _looksSecret(key?.[1] ?? key?.[2] ?? '');
    const hidden = (freeText || secret || code === '[s' || code === '{s') && value !== undefined && value !== null && typeof value !== 'boolean';
    const bad = (what: string) => {
      this.fail(top, `${this.prefix}${path}=${hidden ? `<${_typeName(value)}, not shown>` : _show(value)} is invalid: ${what}`);
      return MISSING;
    };
    const kind = code[0];
    const rest = code.slice(1);
    switch (kind) {
      case '*': return value;
      case 's': return typeof value === 'string' ? value : bad('must be a string');
      case 'b': return typeof value === 'boolean' ? value : bad('must be true or false');
      case 'n':
        if (typeof value !== 'number') return bad('must be a number');
        if (!Number.isFinite(value)) return bad('must be a finite number');
        if (Math.abs(value) > Number.MAX_SAFE_INTEGER) return bad(`must be a number between -${Number.MAX_SAFE_INTEGER} and ${Number.MAX_SAFE_INTEGER}`);
        return value;
      case '[': {
        if (!Array.isArray(value)) {
          const example = rest[0] === '!' ? this.specs.classes[rest.slice(1)]?.example : undefined;
          return bad(`must be a list of ${_plural(rest)}${example ? `, e.g. [${example}]` : ''}${typeof value === 'string' ? ', not a single string' : ''}`);
        }
        if (value.length > MAX_LIST_LENGTH) return bad(`must have at most ${MAX_LIST_LENGTH} items`);
        const out: any[] = [];
        let ok = true;
        for (let i = 0; i < value.length; i++) {
          if (!(i in value)) {
            this.fail(top, `${this.prefix}${path}[${i}] is invalid: the list has a hole there (e.g. [a, , b]); remove it`);
            ok = false;
            continue;
          }
          const item = this.check(value[i], rest, `${path}[${i}]`, rest === 's');
          if (item === MISSING) ok = false; else out.push(item);
        }
        return ok ? out : MISSING;
      }
      case '{': {
        if (value === null || typeof value !== 'object' || Array.isArray(value)) {
          return bad(`must be a map of keys to ${_plural(rest)}${Array.isArray(value) ? ', not a list' : ''}`);
        }
        const out: { [key: string]: any } = {};
        let ok = true;
        for (const [k, v] of Object.entries(value)) {
          const item = this.check(v, rest, `${path}[${JSON.stringify(k)}]`, rest === 's');
          if (item === MISSING) ok = false; else out[k] = item;
        }
        return ok ? out : MISSING;
      }
      case '#': {
        const members = this.specs.enums[rest] ?? {};
        if (Object.values(members).includes(value as any)) return value;
        return bad(`must be one of ${Object.keys(members).map(m => `${rest}.${m}`).join(', ')}`);
      }
      case '@': {
        if (value === null || typeof value !== 'object' || Array.isArray(value)) {
          const example = this.specs.examples[rest];
          const props = Object.entries(_structProps(rest)).map(([k, c]) => `${k}${c.startsWith('?') ? '?' : ''}`);
          return bad(example ? `must be ${_article(rest)} ${rest}, e.g. ${example}` : `must be ${_article(rest)} ${rest} object { ${props.join(', ')} }`);
        }
        if (this.already(value, code)) return value;
        const open = this.specs.open.includes(rest);
        const out = this.struct(value, rest, `${path}.`, !open);
        // An interface a class implements (a construct reference such as ITopology) keeps its identity: the code that
        // takes it may ask what it is (`instanceof`) and call it.
        if (out !== MISSING && open && Object.getPrototypeOf(value) !== Object.prototype) return value;
        return out === MISSING ? MISSING : out;
      }
      case '!': {
        const spec = this.specs.classes[rest];
        const expected = `must be ${_article(rest)} ${rest}${spec?.example ? `, e.g. ${spec.example}` : ''}`;
        if (value === null || typeof value !== 'object') return bad(expected);
        if (CHECKED_INSTANCES.get(value)?.has(code) || this.already(value, code)) return value;
        const missing = (spec?.members ?? []).filter(m => !(m in value));
        if (missing.length) return bad(`${expected} (it has no ${missing.slice(0, 3).join(', ')})`);
        let ok = true;
        for (const [field, fieldCode] of Object.entries(spec?.fields ?? {})) {
          const v = (value as any)[field];
          if (v === undefined && fieldCode.startsWith('?')) continue;
          const opt = fieldCode.replace(/^\?/, '');
          if (this.check(v, opt, `${path}.${field}`, false) === MISSING) ok = false;
        }
        // A class instance is kept as it is (not copied): it is usable only when all of it is well-typed.
        if (!ok) return MISSING;
        CHECKED_INSTANCES.set(value, (CHECKED_INSTANCES.get(value) ?? new Set<string>()).add(code));
        return value;
      }
      default:
        return value;
    }
  }

  /** Checks a struct's props; unknown props are errors when `exact`. */
  private struct(value: object, type: string, pathPrefix: string, exact: boolean): any {
    const props = _structProps(type);
    const out: { [key: string]: any } = {};
    let ok = true;
    for (const [prop, code] of Object.entries(props)) {
      const optional = code.startsWith('?');
      const c = optional ? code.slice(1) : code;
      const v = (value as any)[prop];
      if (v === undefined) {
        if (!optional) {
          this.fail((pathPrefix + prop).split(/[.[]/)[0], `${this.prefix}${pathPrefix}${prop}=undefined is invalid: required (${_describe(c)})`);
          ok = false;
        }
        continue;
      }
      const checked = this.check(v, c, `${pathPrefix}${prop}`, false);
      if (checked === MISSING) ok = false; else out[prop] = checked;
    }
    if (exact) {
      for (const key of Object.keys(value)) {
        if (key in props || (value as any)[key] === undefined) continue;
        const hint = _didYouMean(key, Object.keys(props));
        this.fail((pathPrefix + key).split(/[.[]/)[0], `${this.prefix}${pathPrefix}${key} is not a prop of ${type}${hint ? ` (did you mean ${hint}?)` : ''}`);
        ok = false;
      }
    }
    // Top level: the well-typed props go on (each bad one dropped); nested: a struct with a bad prop is dropped whole.
    return ok || pathPrefix === '' ? out : MISSING;
  }

  /** Whether an object was already checked against a type code (shared and cyclic objects). */
  private already(value: object, code: string): boolean {
    const codes = this.seen.get(value) ?? new Set<string>();
    if (codes.has(code)) return true;
    codes.add(code);
    this.seen.set(value, codes);
    return false;
  }
}

/** A type code in words, for messages. */
function _describe(code: string): string {
  const rest = code.slice(1);
  switch (code[0]) {
    case 's': return 'a string';
    case 'n': return 'a number';
    case 'b': return 'true or false';
    case '*': return 'any value';
    case '[': return `a list of ${_plural(rest)}`;
    case '{': return `a map of keys to ${_plural(rest)}`;
    case '#': return `a ${rest} value`;
    default: return `${_article(rest)} ${rest}`;
  }
}

function _plural(code: string): string {
  switch (code[0]) {
    case 's': return 'strings';
    case 'n': return 'numbers';
    case 'b': return 'booleans';
    case '#': return `${code.slice(1)} values`;
    case '@': case '!': return code.slice(1).replace(/([^aeiou])y$/, '$1ie') + 's';
    default: return 'values';
  }
}

function _article(word: string): string {
  // Names that start with an acronym read letter by letter: "an LlmModel", "an MigProfile".
  return /^([AEIOU]|(Llm|Mig|Mps|Nccl|Rdma|Fsx|Hf|Smi)[A-Z])/.test(word) ? 'an' : 'a';
}

/** The type of a value in words (for values a message does not show). */
function _typeName(value: unknown): string {
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'number' || typeof value === 'bigint') return 'a number';
  if (typeof value === 'boolean') return 'a boolean';
  return `a ${typeof value}`;
}

/** The known prop a typo most likely meant: same letters in another case, a prefix, or at most 2 edits away. */
function _didYouMean(key: string, known: string[]): string | undefined {
  const lower = key.toLowerCase();
  const exact = known.find(k => k.toLowerCase() === lower);
  if (exact) return exact;
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const k of known) {
    const d = _editDistance(lower, k.toLowerCase());
    const prefix = k.toLowerCase().startsWith(lower) || lower.startsWith(k.toLowerCase());
    const score = prefix && Math.min(k.length, key.length) >= 3 ? Math.min(d, 0.5) : d;
    if (score < bestDistance) { bestDistance = score; best = k; }
  }
  return bestDistance <= (key.length <= 4 ? 1 : 2) ? best : undefined;
}

function _editDistance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 3) return 4;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length];
}
