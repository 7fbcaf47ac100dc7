// Lint for lib/, tests, examples and scripts: typescript-eslint's recommended rules, 150-column lines, and the
// library's own rules (no require() in lib/, no default exports).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['imports/**', 'dist/**', 'node_modules/**', '.cache/**', '**/*.js', '**/*.d.ts', '!eslint.config.mjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    rules: {
      // projen's rule for cdk8s and cdk8s-plus (src/javascript/eslint.ts): 150 columns, long strings and templates exempt
      // ("not fantastic but necessary for error messages"); comments are held to it here, unlike projen.
      'max-len': ['error', { code: 150, ignoreUrls: true, ignoreRegExpLiterals: true, ignoreTemplateLiterals: true, ignoreStrings: true }],
      // JSON from rendered objects and CRDs is untyped by nature.
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', ignoreRestSiblings: true, destructuredArrayIgnorePattern: '^_' }],
      'no-restricted-syntax': ['error', { selector: 'ExportDefaultDeclaration', message: 'Use named exports (jsii and `export *` need names).' }],
      'eqeqeq': ['error', 'always'],
      'prefer-const': 'error',
      'no-console': 'off',
      // aws-cdk style: every construct has its Props interface, even when it adds nothing yet.
      '@typescript-eslint/no-empty-object-type': ['error', { allowInterfaces: 'with-single-extends' }],
    },
  },
  {
    files: ['lib/**/*.ts'],
    rules: {
      '@typescript-eslint/no-require-imports': 'error',
      'no-restricted-syntax': ['error',
        { selector: 'ExportDefaultDeclaration', message: 'Use named exports (jsii and `export *` need names).' },
        { selector: 'Program > ExportNamedDeclaration > VariableDeclaration[kind="const"] > VariableDeclarator[id.name=/^[A-Za-z]/]', message: 'jsii drops top-level constants: make it a static member of a class (or an @internal _name).' },
      ],
    },
  },
  {
    files: ['test/**/*.ts', 'scripts/**/*.ts'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
