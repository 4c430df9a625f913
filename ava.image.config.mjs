// AVA config for the image tests only (`make image-test`): they need a built image, KVM or
// TCG time and root, so `make test` (package.json's ava config) leaves test/image/ out.
// The update test alone is five to six boots under TCG (30+ min on a shared machine): the
// inactivity timeout must not end it while its own deadlines (test/image/vm.ts) still run.
export default {
  files: ['test/image/**/*.test.ts'],
  extensions: { ts: 'module' },
  nodeArguments: ['--import=tsx'],
  timeout: '90m',
  workerThreads: false,
  serial: true,
  concurrency: 1,
};
