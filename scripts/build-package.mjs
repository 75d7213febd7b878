// Builds the package in the current directory twice from one tsconfig:
// dist/esm (ES modules) and dist/cjs (CommonJS), each with its own type
// declarations and a package.json that tells Node (and TypeScript) how to
// read the .js files beside it. Two tsc runs instead of a bundler: the output
// is one file per source file, easy to debug and to source-map.
import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'

const require = createRequire(import.meta.url)
const tsc = require.resolve('typescript/bin/tsc')
const dist = join(process.cwd(), 'dist')

rmSync(dist, { recursive: true, force: true })
const builds = [
  { dir: 'esm', type: 'module', args: ['--module', 'ES2022', '--moduleResolution', 'Bundler'] },
  { dir: 'cjs', type: 'commonjs', args: ['--module', 'CommonJS', '--moduleResolution', 'Node10'] },
]
for (const { dir, type, args } of builds) {
  const outDir = join(dist, dir)
  mkdirSync(outDir, { recursive: true })
  // The package.json goes first: Node decides the module
  // format of each .js file from the nearest package.json "type".
  writeFileSync(join(outDir, 'package.json'), JSON.stringify({ type }) + '\n')
  execFileSync(process.execPath, [tsc, '-p', 'tsconfig.json', '--outDir', outDir, ...args], { stdio: 'inherit' })
}

// src/own-filename.ts names its own file with CommonJS's __filename (which jest's
// transform provides too); an ES module has only import.meta, which tsc refuses
// to compile for CommonJS, so the ES build gets that one file written here.
const ownFilename = join(dist, 'esm', 'own-filename.js')
if (existsSync(ownFilename)) {
  writeFileSync(
    ownFilename,
    "import { fileURLToPath } from 'node:url'\n/** This file's path, to resolve packages from. */\nexport const OWN_FILENAME = fileURLToPath(import.meta.url)\n",
  )
}
