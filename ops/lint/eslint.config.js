// ESLint for the browser modules in web/js: ES modules loaded as they are (no bundler), so the
// globals are the browser's. The recommended rules, plus a few that catch real slips rather than
// settle questions of style. Run it with ops/lint/run.sh.
import js from "@eslint/js";
import globals from "globals";

export default [
  js.configs.recommended,
  {
    files: ["**/*.js"],
    languageOptions: {
      ecmaVersion: "latest",
      sourceType: "module",
      globals: { ...globals.browser },
    },
    linterOptions: {
      reportUnusedDisableDirectives: "error",
    },
    rules: {
      // A parameter before one that is used stays (an event handler's signature, say).
      "no-unused-vars": ["error", { args: "after-used", ignoreRestSiblings: true }],
      // `x == null` is the one loose comparison worth keeping: null or undefined.
      eqeqeq: ["error", "always", { null: "ignore" }],
      // An inner name hiding an outer one is how the wrong variable gets read.
      "no-shadow": "error",
      // Reading a let or const before its line, in the same scope, throws at run time (functions
      // are hoisted, and a closure that runs later may name what follows it).
      "no-use-before-define": ["error", { functions: false, classes: false, variables: false }],
      "prefer-const": "error",
      "no-var": "error",
      // A map/filter/find callback that forgets to return.
      "array-callback-return": "error",
      "no-self-compare": "error",
      // "${x}" in a plain string: a template literal was meant.
      "no-template-curly-in-string": "error",
      "no-promise-executor-return": "error",
    },
  },
];
