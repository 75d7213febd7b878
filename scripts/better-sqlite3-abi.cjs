// Preloaded (NODE_OPTIONS=--require) by scripts/test-other-node.sh when the
// tests run on a Node other than the one node_modules was installed with.
// better_sqlite3.node only loads on the Node ABI it was compiled for, so every
// load of it is pointed at the build made for this Node. Hooking process.dlopen
// rather than swapping the file in node_modules leaves the install untouched
// (nothing to restore after a crash or Ctrl-C), and it also covers jest's
// workers, worker threads and child processes, which inherit NODE_OPTIONS.
const addon = process.env.BETTER_SQLITE3_ADDON
if (addon) {
  const dlopen = process.dlopen
  process.dlopen = function (module, filename, ...rest) {
    if (/[\\/]better_sqlite3\.node$/.test(filename)) filename = addon
    return dlopen.call(this, module, filename, ...rest)
  }
}
