/**
 * Writes lib/generated/type-specs.ts: what the public props and options types say, in a compact form the runtime type
 * check (`_checkProps` in lib/validation.ts) walks, so JavaScript and jsii callers get the same type errors TypeScript
 * callers get from the compiler. Derived from the type definitions with the TypeScript compiler API: every exported
 * `*Props` / `*Options` interface of lib/index.ts and every struct, interface, enum and class reachable from them
 * (class instances are checked structurally: their members, and the types of their public fields; a construct only for
 * being an object, its class being the concern of the construct that takes it).
 *
 *   npm run type-specs              rewrite lib/generated/type-specs.ts
 *   test/type-specs.test.ts         fails when the committed file is stale
 *
 * Type codes: `s` string, `n` number, `b` boolean, `*` any, `[T` list of T, `{T` map of string to T, `@Name` struct or
 * interface, `#Name` enum, `!Name` class instance; a leading `?` marks an optional prop.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as ts from 'typescript';

const ROOT = path.resolve(__dirname, '..');
const OUT = path.join(ROOT, 'lib', 'generated', 'type-specs.ts');

/** How a message shows an instance of a class (the first static member otherwise). */
const EXAMPLES: { [cls: string]: string } = {
  Size: 'Size.gibibytes(16)',
  Duration: 'Duration.minutes(30)',
  Platform: 'Platform.gkeAutopilot()',
  Accelerator: 'Accelerator.L4',
  ClusterAddon: 'ClusterAddon.KUEUE',
  VllmServer: 'new VllmDeployment(...)',
};

interface ClassSpec { members: string[]; fields: { [name: string]: string }; example: string }

/** The specs of lib/index.ts's exports, from `program` (one holding lib/index.ts) or a program of lib/index.ts alone. */
export function generateTypeSpecs(program: ts.Program = ts.createProgram([path.join(ROOT, 'lib', 'index.ts')], {
  target: ts.ScriptTarget.ES2020, module: ts.ModuleKind.CommonJS, strict: true, skipLibCheck: true, types: [],
})): string {
  const checker = program.getTypeChecker();
  const index = program.getSourceFile(path.join(ROOT, 'lib', 'index.ts'))!;
  const exported = checker.getExportsOfModule(checker.getSymbolAtLocation(index)!)
    .map(s => (s.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(s) : s));

  const structs = new Map<string, { [prop: string]: string }>();
  const open = new Set<string>();
  const enums = new Map<string, { [member: string]: string | number }>();
  const classes = new Map<string, ClassSpec>();
  const constructs = new Map<string, string>();
  const examples = new Map<string, string>();
  const queue: ts.Symbol[] = [];

  const isExternal = (sym: ts.Symbol) => (sym.declarations ?? []).every(d => d.getSourceFile().fileName.includes('node_modules'));
  const nameOf = (sym: ts.Symbol) => sym.getName();

  /** The type code of a (non-optional) type. */
  const code = (type: ts.Type, where: string): string => {
    type = checker.getNonNullableType(type);
    const f = type.flags;
    if (f & (ts.TypeFlags.Any | ts.TypeFlags.Unknown)) return '*';
    if (f & ts.TypeFlags.StringLike) return 's';
    if (f & ts.TypeFlags.NumberLike && !(f & ts.TypeFlags.EnumLike)) return 'n';
    if (f & ts.TypeFlags.BooleanLike) return 'b';
    const sym = type.aliasSymbol ?? type.getSymbol();
    const memberDecl = type.getSymbol()?.valueDeclaration;
    const enumSym = sym && sym.flags & ts.SymbolFlags.Enum ? sym
      : memberDecl && ts.isEnumMember(memberDecl) ? checker.getSymbolAtLocation(memberDecl.parent.name) : undefined;
    if (enumSym) {
      queue.push(enumSym);
      return `#${nameOf(enumSym)}`;
    }
    if (checker.isArrayType(type)) return `[${code(checker.getTypeArguments(type as ts.TypeReference)[0], where)}`;
    const index = type.getStringIndexType();
    if (index && type.getProperties().length === 0) return `{${code(index, where)}`;
    if (sym && sym.flags & ts.SymbolFlags.Class) {
      queue.push(sym);
      return `!${nameOf(sym)}`;
    }
    if (sym && sym.flags & ts.SymbolFlags.Interface) {
      if (isExternal(sym)) return '*';
      queue.push(sym);
      return `@${nameOf(sym)}`;
    }
    if (sym && sym.flags & ts.SymbolFlags.TypeLiteral && index === undefined) return '*';
    throw new Error(`${where}: no type code for ${checker.typeToString(type)}`);
  };

  const optional = (prop: ts.Symbol) => (prop.flags & ts.SymbolFlags.Optional) !== 0;

  const visitInterface = (sym: ts.Symbol) => {
    const name = nameOf(sym);
    if (structs.has(name)) return;
    const props: { [prop: string]: string } = {};
    structs.set(name, props);
    // jsii: an interface named I<Upper>... is a behavioral interface (implementations may carry more members).
    if (/^I[A-Z]/.test(name)) open.add(name);
    // Own props only; the interfaces it extends are listed under '^' (the checker merges them).
    const bases: string[] = [];
    for (const decl of (sym.declarations ?? []).filter(ts.isInterfaceDeclaration)) {
      for (const clause of decl.heritageClauses ?? []) {
        for (const t of clause.types) {
          const base = checker.getTypeAtLocation(t).getSymbol();
          if (!base || isExternal(base)) continue;
          bases.push(nameOf(base));
          queue.push(base);
        }
      }
    }
    if (bases.length) props['^'] = bases.join(',');
    const own = [...(sym.members?.values() ?? [])].filter(m => m.flags & ts.SymbolFlags.Property)
      .sort((a, b) => a.getName().localeCompare(b.getName()));
    for (const prop of own) {
      const decl = prop.valueDeclaration ?? prop.declarations?.[0];
      if (!decl || decl.kind !== ts.SyntaxKind.PropertySignature) continue;
      props[prop.getName()] = `${optional(prop) ? '?' : ''}${code(checker.getTypeOfSymbolAtLocation(prop, decl), `${name}.${prop.getName()}`)}`;
    }
  };

  const visitEnum = (sym: ts.Symbol) => {
    const name = nameOf(sym);
    if (enums.has(name)) return;
    const members: { [member: string]: string | number } = {};
    for (const decl of sym.declarations ?? []) {
      if (!ts.isEnumDeclaration(decl)) continue;
      for (const m of decl.members) members[m.name.getText()] = checker.getConstantValue(m)!;
    }
    enums.set(name, members);
  };

  /** Whether a class is a construct (extends `Construct` of the constructs package). */
  const isConstruct = (type: ts.Type): boolean => (checker.getBaseTypes(type as ts.InterfaceType) ?? []).some(base => {
    const b = base.getSymbol();
    return (b?.getName() === 'Construct' && isExternal(b)) || isConstruct(base);
  });

  const visitClass = (sym: ts.Symbol) => {
    const name = nameOf(sym);
    if (classes.has(name)) return;
    const spec: ClassSpec = { members: [], fields: {}, example: EXAMPLES[name] ?? '' };
    classes.set(name, spec);
    const instance = checker.getDeclaredTypeOfSymbol(sym);
    // A construct reports its own props, and its fields reflect them: a reference to one (a prop that takes a
    // construct) is checked to be an object only; the construct that takes it checks its class (instanceof).
    if (isConstruct(instance)) return;
    for (const prop of checker.getPropertiesOfType(instance)) {
      const decl = prop.valueDeclaration ?? prop.declarations?.[0];
      if (!decl) continue;
      const flags = ts.getCombinedModifierFlags(decl as ts.Declaration);
      if (flags & (ts.ModifierFlags.Private | ts.ModifierFlags.Protected) || prop.getName().startsWith('#')) continue;
      if (ts.isPropertyDeclaration(decl) || ts.isParameter(decl)) {
        // Fields: their types are checked (fields of classes from other packages only for presence).
        if (isExternal(sym)) { if (!optional(prop)) spec.members.push(prop.getName()); continue; }
        spec.fields[prop.getName()] = `${optional(prop) ? '?' : ''}${code(checker.getTypeOfSymbolAtLocation(prop, decl), `${name}.${prop.getName()}`)}`;
      } else {
        // Methods and accessors: present on every instance (through its prototype).
        spec.members.push(prop.getName());
      }
    }
    spec.members.sort();
    if (!spec.example) {
      const statics = checker.getPropertiesOfType(checker.getTypeOfSymbol(sym)).filter(s => !s.getName().startsWith('_') && s.getName() !== 'prototype');
      const own = statics.find(s => {
        const d = s.valueDeclaration;
        return d && ts.isPropertyDeclaration(d) && checker.getTypeOfSymbolAtLocation(s, d).getSymbol() === sym;
      });
      const factory = statics.find(s => {
        const d = s.valueDeclaration;
        return d && ts.isMethodDeclaration(d) && checker.getSignatureFromDeclaration(d)?.getReturnType().getSymbol() === sym;
      });
      if (own) spec.example = `${name}.${own.getName()}`;
      else if (factory) spec.example = `${name}.${factory.getName()}(${(factory.valueDeclaration as ts.MethodDeclaration).parameters.length ? '...' : ''})`;
    }
  };

  for (const sym of exported) {
    if (sym.flags & ts.SymbolFlags.Interface && /^[A-Z]\w*(Props|Options)$/.test(sym.getName())) queue.push(sym);
    // Constructs: the props type of the constructor's third parameter (scope, id, props).
    if (sym.flags & ts.SymbolFlags.Class) {
      const ctor = (sym.declarations ?? []).flatMap(d => (ts.isClassDeclaration(d) ? d.members.filter(ts.isConstructorDeclaration) : []))[0];
      const param = ctor?.parameters[2];
      if (param?.type && ts.isTypeReferenceNode(param.type) && ctor.parameters[0].name.getText() === 'scope') {
        constructs.set(sym.getName(), param.type.typeName.getText());
      }
    }
  }
  while (queue.length) {
    const sym = queue.shift()!;
    if (sym.flags & ts.SymbolFlags.Enum) visitEnum(sym);
    else if (sym.flags & ts.SymbolFlags.Class) visitClass(sym);
    else if (sym.flags & ts.SymbolFlags.Interface) visitInterface(sym);
  }

  // Interfaces that a static factory returns (e.g. PriorityClass.fromName for IPriorityClass): messages show it.
  for (const sym of exported.filter(s => s.flags & ts.SymbolFlags.Class)) {
    for (const st of checker.getPropertiesOfType(checker.getTypeOfSymbol(sym))) {
      const d = st.valueDeclaration;
      const returned = d && ts.isMethodDeclaration(d) ? checker.getSignatureFromDeclaration(d)?.getReturnType().getSymbol() : undefined;
      if (returned && structs.has(returned.getName()) && !examples.has(returned.getName()) && !st.getName().startsWith('_')) {
        examples.set(returned.getName(), `${sym.getName()}.${st.getName()}(${(d as ts.MethodDeclaration).parameters.length ? '...' : ''})`);
      }
    }
  }
  const sorted = <T>(m: Map<string, T>) => [...m.entries()].sort(([a], [b]) => a.localeCompare(b));
  const lit = (v: unknown): string => {
    if (typeof v === 'string') return `'${v}'`;
    if (typeof v === 'number') return String(v);
    if (Array.isArray(v)) return `[${v.map(lit).join(', ')}]`;
    const entries = Object.entries(v as object).map(([k, x]) => `${/^[A-Za-z_$][\w$]*$/.test(k) ? k : `'${k}'`}: ${lit(x)}`);
    return entries.length ? `{ ${entries.join(', ')} }` : '{}';
  };
  // One line per type: a change to one type is a one-line diff.
  const section = (name: string, entries: [string, unknown][]) => [`  ${name}: {`, ...entries.map(([k, v]) => `    ${k}: ${lit(v)},`), '  },'];
  return [
    '// Generated by scripts/type-specs.ts from the types of lib/index.ts (`npm run type-specs`): do not edit.',
    '// Type codes: s string, n number, b boolean, * any, [T list, {T map, @Name struct, #Name enum, !Name class; ?optional.',
    '/* eslint-disable max-len */',
    '',
    '/** What the public types say, for the runtime type check of JavaScript and jsii callers. @internal */',
    'export interface _TypeSpecs {',
    '  /** Struct and interface props: prop name -> type code; `^` lists the interfaces it extends. */',
    '  readonly structs: { readonly [name: string]: { readonly [prop: string]: string } };',
    '  /** Behavioral interfaces (`I...`): implementations may have more members. */',
    '  readonly open: readonly string[];',
    '  /** Enum members and their values. */',
    '  readonly enums: { readonly [name: string]: { readonly [member: string]: string | number } };',
    '  /** Classes: methods and accessors every instance has, typed public fields, and an example for messages. */',
    '  readonly classes: { readonly [name: string]: { readonly members: readonly string[]; readonly fields: { readonly [name: string]: string }; readonly example: string } };',
    '  /** Interfaces a static factory returns: how a message shows one. */',
    '  readonly examples: { readonly [name: string]: string };',
    '  /** Constructs: the props type of each construct class. */',
    '  readonly constructs: { readonly [name: string]: string };',
    '}',
    '',
    'const SPECS: _TypeSpecs = {',
    ...section('structs', sorted(structs)),
    `  open: ${lit([...open].sort())},`,
    ...section('enums', sorted(enums)),
    ...section('classes', sorted(classes)),
    ...section('examples', sorted(examples)),
    ...section('constructs', sorted(constructs)),
    '};',
    '',
    '/** The type specs. @internal */',
    'export function _typeSpecs(): _TypeSpecs {',
    '  return SPECS;',
    '}',
    '',
  ].join('\n');
}

if (process.argv.slice(1).some(a => a.endsWith('scripts/type-specs.ts'))) {
  fs.mkdirSync(path.dirname(OUT), { recursive: true });
  fs.writeFileSync(OUT, generateTypeSpecs());
  console.log(`wrote ${path.relative(ROOT, OUT)}`);
}
