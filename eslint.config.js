import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';

export default tseslint.config(
  { ignores: ['.output/**', '.wxt/**', 'node_modules/**', '.tmp/**', '.scratch/**', 'tests/fixtures/images/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser, ...globals.node } },
    plugins: { 'react-hooks': reactHooks },
    rules: {
      ...reactHooks.configs.recommended.rules,
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
      'no-console': 'error',
    },
  },
  {
    // The extension itself (SECURITY.md): it logs nothing (a key or a prompt must never reach a
    // console), and never turns strings into markup or code.
    files: ['entrypoints/**', 'components/**', 'utils/**'],
    rules: {
      'no-eval': 'error',
      'no-implied-eval': 'error',
      'no-new-func': 'error',
      'no-restricted-properties': [
        'error',
        { property: 'innerHTML', message: 'Build DOM nodes or let React render text; never parse strings as HTML.' },
        { property: 'outerHTML', message: 'Never parse strings as HTML.' },
        { property: 'insertAdjacentHTML', message: 'Never parse strings as HTML.' },
      ],
      'no-restricted-syntax': [
        'error',
        { selector: "JSXAttribute[name.name='dangerouslySetInnerHTML']", message: 'Never render strings as HTML.' },
        { selector: "CallExpression[callee.property.name='write'][callee.object.name='document']", message: 'Never write markup into a document.' },
      ],
    },
  },
  {
    // Command-line scripts and the sandbox talk to the terminal.
    files: ['scripts/**', 'sandbox/**', 'tests/**'],
    rules: { 'no-console': 'off' },
  },
);
