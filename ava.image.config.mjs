// AVA config for the image tests only (`make image-test`): they need a built image, KVM or
// TCG time and root, so `make test` (package.json's ava config) leaves test/image/ out.
export default {
  files: ['test/image/**/*.test.ts'],
  extensions: { ts: 'module' },
  nodeArguments: ['--import=tsx'],
  timeout: '40m',
  workerThreads: false,
  serial: true,
  concurrency: 1,
};
