// The layering of DESIGN.md, enforced: `npm run lint` (called by `npm test` and .ci/run) fails on an
// import that runs against the intended direction. Only imports are linted here; style is the compiler's.
import tsParser from '@typescript-eslint/parser';

/** A no-restricted-imports rule refusing these path patterns, each with why. */
const refuse = (...patterns) => ['error', { patterns }];

export default [
  { ignores: ['dist/**', 'node_modules/**'] },
  { files: ['**/*.ts'], languageOptions: { parser: tsParser, ecmaVersion: 2022, sourceType: 'module' } },
  {
    // A layer machine is a pure statechart: xstate, the model vocabulary, and sibling machines.
    files: ['machines/**/*.ts'],
    rules: {
      'no-restricted-imports': refuse({
        regex: '^(?!xstate$|biostack/model$|\\./|\\.\\./src/model/)',
        message: 'machines import only xstate and biostack/model (../src/model/index.js), never the runtime: loading a machine must not load the scheduler',
      }),
    },
  },
  {
    // The vocabulary itself has no runtime behind it.
    files: ['src/model/**/*.ts'],
    rules: { 'no-restricted-imports': refuse({ regex: '^\\.\\./', message: 'src/model is runtime-free: it imports nothing outside src/model' }) },
  },
  {
    // Resources know nothing of XState or of the kernel that drives them.
    files: ['src/resources/**/*.ts'],
    rules: {
      'no-restricted-imports': refuse(
        { regex: '^\\.\\./(kernel|explore|report|cli|scenario)/', message: 'resources must not import the kernel or anything above it' },
        { regex: '^xstate', message: 'resources know nothing of XState' },
      ),
    },
  },
  {
    // Detectors are pure functions over data: no kernel, nothing above.
    files: ['src/check/**/*.ts'],
    rules: { 'no-restricted-imports': refuse({ regex: '^\\.\\./(kernel|explore|report|cli|scenario)/', message: 'src/check must not import the kernel or anything above it' }) },
  },
  {
    // The kernel runs scenarios; it never knows which exist, nor how they are explored or shown.
    files: ['src/kernel/**/*.ts'],
    rules: {
      'no-restricted-imports': refuse({ regex: '^(\\.\\./)+(explore|report|cli|scenario|scenarios|machines)/', message: 'the kernel must not import scenarios, machines, explore, report or the CLI' }),
    },
  },
];
