/**
 * How kubectl reads a plain (unquoted) YAML scalar: a faithful reimplementation of `resolve()` of gopkg.in/yaml.v2
 * v2.4.0 (resolve.go, vendored by kubernetes/kubernetes as vendor/gopkg.in/yaml.v2/resolve.go and forked as
 * sigs.k8s.io/yaml/goyaml.v2), with Go's `strconv.ParseInt/ParseUint(s, 0, 64)` and `ParseFloat(s, 64)` rules.
 * kubectl converts YAML to JSON with sigs.k8s.io/yaml, which unmarshals into interface{} with that package: a plain
 * scalar that resolves to a bool, int, float or null becomes a JSON bool, number or null (or, for a typed string
 * field, its Go formatting: `0x1F` becomes "31", `yes` becomes "true"). Timestamps stay strings in interface{}
 * (decode.go: "for backward compatibility reasons we set it as a string").
 *
 * Returns the tag the scalar resolves to: `str`, `bool`, `int`, `float`, `null` or `timestamp` (a string for kubectl).
 */
export type GoTag = 'str' | 'bool' | 'int' | 'float' | 'null' | 'timestamp';

// resolveMap of resolve.go: exact spellings.
const RESOLVE_MAP = new Map<string, GoTag>([
  ...['y', 'Y', 'yes', 'Yes', 'YES', 'true', 'True', 'TRUE', 'on', 'On', 'ON'].map(s => [s, 'bool'] as const),
  ...['n', 'N', 'no', 'No', 'NO', 'false', 'False', 'FALSE', 'off', 'Off', 'OFF'].map(s => [s, 'bool'] as const),
  ...['', '~', 'null', 'Null', 'NULL'].map(s => [s, 'null'] as const),
  ...['.nan', '.NaN', '.NAN', '.inf', '.Inf', '.INF', '+.inf', '+.Inf', '+.INF', '-.inf', '-.Inf', '-.INF'].map(s => [s, 'float'] as const),
  ['<<', 'str'], // the merge key: its first character has no hint, so resolve() never looks it up (a string)
]);

/** resolveTable of resolve.go: the hint of a scalar's first byte. */
function hint(c: string): string | undefined {
  if (c === '+' || c === '-') return 'S';
  if (c >= '0' && c <= '9') return 'D';
  if ('yYnNtTfFoO~'.includes(c)) return 'M';
  if (c === '.') return '.';
  return undefined;
}

const YAML_STYLE_FLOAT = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const UINT64_MAX = 2n ** 64n - 1n;

/** Go's strconv.ParseUint(s, base, 64) for an unsigned string without underscores; undefined on error. */
function parseUint(s: string, base: number): bigint | undefined {
  if (s.length === 0) return undefined;
  if (base === 0) {
    base = 10;
    if (s[0] === '0') {
      const p = s.length >= 3 ? s[1].toLowerCase() : '';
      if (p === 'b') { base = 2; s = s.slice(2); } else if (p === 'o') { base = 8; s = s.slice(2); } else if (p === 'x') { base = 16; s = s.slice(2); } else { base = 8; s = s.slice(1); }
    }
  }
  let n = 0n;
  for (const ch of s) {
    const d = parseInt(ch, 36);
    if (Number.isNaN(d) || d >= base || ch === '_') return undefined;
    n = n * BigInt(base) + BigInt(d);
    if (n > UINT64_MAX) return undefined;
  }
  return n;
}

/** Go's strconv.ParseInt(s, base, 64). */
function parseInt64(s: string, base: number): bigint | undefined {
  if (s.length === 0) return undefined;
  let neg = false;
  if (s[0] === '+' || s[0] === '-') { neg = s[0] === '-'; s = s.slice(1); }
  const u = parseUint(s, base);
  if (u === undefined) return undefined;
  const v = neg ? -u : u;
  return v < INT64_MIN || v > INT64_MAX ? undefined : v;
}

/** Go's strconv.ParseFloat(s, 64) for decimal syntax: succeeds unless out of range or malformed. */
function parseFloatOk(s: string): boolean {
  // Decimal only: the callers pass yamlStyleFloat matches or scalars starting with '.', for which Go's other forms
  // (hex floats, inf, nan, underscores after a base prefix) cannot apply.
  if (!/^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/.test(s)) return false;
  return Number.isFinite(Number(s)); // ErrRange: beyond float64, Go returns ±Inf with an error
}

/** The tag go-yaml v2 resolves a plain scalar to. */
export function goYamlV2Resolve(input: string): GoTag {
  const h = input === '' ? 'N' : hint(input[0]);
  if (h === undefined) return 'str';
  const mapped = RESOLVE_MAP.get(input);
  if (mapped !== undefined) return mapped;
  switch (h) {
    case 'M': return 'str';
    case '.': return parseFloatOk(input) ? 'float' : 'str';
    case 'D':
    case 'S': {
      if (isTimestamp(input)) return 'timestamp';
      const plain = input.replace(/_/g, '');
      if (parseInt64(plain, 0) !== undefined) return 'int';
      if (!plain.startsWith('+') && !plain.startsWith('-') && parseUint(plain, 0) !== undefined) return 'int';
      if (YAML_STYLE_FLOAT.test(plain) && parseFloatOk(plain)) return 'float';
      if (plain.startsWith('0b')) {
        if (parseInt64(plain.slice(2), 2) !== undefined || parseUint(plain.slice(2), 2) !== undefined) return 'int';
      } else if (plain.startsWith('-0b')) {
        if (parseInt64(`-${plain.slice(3)}`, 2) !== undefined) return 'int';
      }
      return 'str';
    }
    default: return 'str';
  }
}

/** parseTimestamp of resolve.go: `YYYY-` then one of its time.Parse layouts. */
function isTimestamp(s: string): boolean {
  if (!/^[0-9]{4}-/.test(s)) return false;
  const date = '([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})';
  const time = '([0-9]{1,2}):([0-9]{1,2}):([0-9]{1,2})(\\.[0-9]+)?';
  const layouts = [
    new RegExp(`^${date}[Tt]${time}(Z|[-+][0-9]{2}:[0-9]{2})$`),
    new RegExp(`^${date} ${time}$`),
    new RegExp(`^${date}$`),
  ];
  for (const re of layouts) {
    const m = re.exec(s);
    if (!m) continue;
    const [, , mo, d, hh, mi, ss] = m;
    if (+mo < 1 || +mo > 12 || +d < 1 || +d > 31) continue;
    if (hh !== undefined && (+hh > 23 || +mi > 59 || +ss > 59)) continue;
    return true;
  }
  return false;
}
