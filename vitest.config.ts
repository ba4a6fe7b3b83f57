import { defineConfig } from "vitest/config";

// The JSON report is what .ci/run reads to print its "N passed, N failed" line, so `npm test`
// stays exactly the README's command.
export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    reporters: ["default", ["json", { outputFile: ".ci/results.json" }]],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: "forks",
    // As main.ts does for the CLI: the AWS SDK's Node-version notice is not the tests' output.
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" },
  },
});
