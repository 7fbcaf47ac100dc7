import { Yaml } from 'cdk8s';

/**
 * YAML that kubectl reads back as it was written. cdk8s writes YAML 1.1 with the `yaml` package, which quotes every
 * string the YAML 1.1 schema would read as something else. kubectl reads it with go-yaml v2 (sigs.k8s.io/yaml), whose
 * resolver differs: it strips every `_` and hands digits to Go's strconv.ParseInt/ParseUint(s, 0, 64), which also take
 * `0o17`, `0O17`, `0X1F`, `0B101` and signs before them. The `yaml` package leaves those plain, so kubectl turns
 * the string "0o17" into the number 15 (an env value, a label, an argument...), and a string field gets "15" or an
 * error. Found by test/yaml-safety.test.ts against a reimplementation of go-yaml v2's resolve(); the strings are:
 * Go-only base prefixes (`0o`/`0O` octal, `0X` hex, `0B` binary, with optional sign) and underscores where YAML 1.1
 * allows none (`0_x1F`, `0o_17`, `+_1`, `1e_5`, `0b+1`).
 *
 * The fix works for every string of every object: `Yaml.stringify` (which `App.synth` uses to write dist/) is wrapped
 * so that each string go-yaml v2 would not read as a string is written double-quoted. Quoting more never changes a
 * value: any YAML parser reads a quoted scalar as a string.
 */

/** go-yaml v2's resolveMap: spellings of booleans, nulls and special floats (resolve.go). */
const GO_YAML_V2_WORDS = new Set([
  'y', 'Y', 'yes', 'Yes', 'YES', 'n', 'N', 'no', 'No', 'NO', 'true', 'True', 'TRUE', 'false', 'False', 'FALSE',
  'on', 'On', 'ON', 'off', 'Off', 'OFF', '', '~', 'null', 'Null', 'NULL',
  '.nan', '.NaN', '.NAN', '.inf', '.Inf', '.INF', '+.inf', '+.Inf', '+.INF', '-.inf', '-.Inf', '-.INF',
]);

/**
 * Whether go-yaml v2 (kubectl) may read a plain scalar as something other than a string: a superset of its resolver
 * (integers out of 64-bit range count too: quoting them is harmless). Timestamps are not included: kubectl keeps them as
 * strings.
 * @internal
 */
export function _kubectlMayMisread(s: string): boolean {
  if (GO_YAML_V2_WORDS.has(s)) return true;
  const first = s[0];
  // A leading '.': strconv.ParseFloat of the scalar as written.
  if (first === '.') return /^\.[0-9]+([eE][-+]?[0-9]+)?$/.test(s);
  if (!/[-+0-9]/.test(first)) return false;
  // A sign or a digit: every '_' removed, then ParseInt/ParseUint(base 0), the float pattern, and the 0b branch.
  const plain = s.replace(/_/g, '');
  return /^[-+]?(0[bB][01]+|0[oO][0-7]+|0[xX][0-9a-fA-F]+|[0-9]+)$/.test(plain)
    || /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/.test(plain)
    || /^-?0b[-+]?[01]+$/.test(plain);
}

const INSTALLED = Symbol.for('cdk8s-gpu-ml.kubectl-safe-yaml');

/**
 * Wraps `Yaml.stringify` once per process: strings that kubectl may misread are replaced by unique plain placeholders
 * (one walk; unchanged subtrees are not copied), the original stringifier writes the YAML, and each placeholder
 * becomes the JSON-quoted string (a valid YAML double-quoted scalar). Should a placeholder not come out exactly once
 * (a user string holding it, data that is no plain JSON), the original's own output is returned instead.
 * @internal
 */
export function _installKubectlSafeYaml(): void {
  const y = Yaml as unknown as { [INSTALLED]?: boolean; stringify: (...docs: any[]) => string };
  if (y[INSTALLED]) return;
  const original = y.stringify;
  y.stringify = function stringify(this: unknown, ...docs: any[]): string {
    const prefix = `cdk8sgpumlq${Math.random().toString(36).slice(2, 10)}n`;
    const quoted: string[] = [];
    const placeholder = (s: string) => {
      if (!_kubectlMayMisread(s)) return s;
      quoted.push(s);
      return `${prefix}${quoted.length - 1}z`;
    };
    const walk = (v: any): any => {
      if (typeof v === 'string') return placeholder(v);
      if (Array.isArray(v)) {
        const out = v.map(walk);
        return out.some((x, i) => x !== v[i]) ? out : v;
      }
      if (isPlainObject(v)) {
        let changed = false;
        const out: { [key: string]: any } = {};
        for (const [k, x] of Object.entries(v)) {
          const key = placeholder(k);
          const value = walk(x);
          if (key !== k || value !== x) changed = true;
          out[key] = value;
        }
        return changed ? out : v;
      }
      return v;
    };
    let replaced: any[];
    try {
      replaced = docs.map(walk);
    } catch {
      return original.apply(this, docs); // e.g. a cycle: the original handles it its own way
    }
    if (quoted.length === 0) return original.apply(this, docs);
    const yaml: string = original.apply(this, replaced);
    const pattern = new RegExp(`${prefix}([0-9]+)z`, 'g');
    const found = yaml.match(pattern) ?? [];
    if (found.length !== quoted.length || yaml.split(prefix).length - 1 !== quoted.length) return original.apply(this, docs);
    return yaml.replace(pattern, (_m, i) => JSON.stringify(quoted[Number(i)]));
  };
  y[INSTALLED] = true;
}

const isPlainObject = (v: any) => v !== null && typeof v === 'object' && (Object.getPrototypeOf(v) === Object.prototype || Object.getPrototypeOf(v) === null);
