import { defineConfig } from 'vitest/config'

// One run for the whole repository: fast unit tests per package, then system tests with real
// processes, real libp2p on loopback, real LevelDB, real Kubo.
export default defineConfig({
  test: {
    reporters: ['default', './test/reporters/summary.ts'],
    projects: [
      {
        test: {
          name: 'unit',
          include: ['packages/*/test/**/*.spec.ts', 'apps/*/test/**/*.spec.ts'],
          testTimeout: 30_000,
        },
      },
      {
        test: {
          name: 'system',
          include: ['test/**/*.spec.ts'],
          testTimeout: 180_000,
          hookTimeout: 180_000,
          // System tests start several processes each; on a 2-core machine, one file at a time.
          fileParallelism: false,
        },
      },
    ],
  },
})
