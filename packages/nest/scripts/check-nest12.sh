#!/usr/bin/env bash
# Checks @diskcache/nest against Nest 12, which is ESM-only and cannot share
# node_modules with the Nest 11 the jest suite uses. Installs Nest 12 from the
# npm registry into a scratch ES module project, copies in the built packages
# (run `npm run build` first), compiles scripts/nest12-check.ts there and runs it.
# Manual (it needs the registry): `npm run check:nest12 -w @diskcache/nest`.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
root="$(cd "$here/../.." && pwd)"
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
cd "$scratch"
echo '{ "name": "nest12-check", "private": true, "type": "module" }' > package.json
npm install --no-audit --no-fund --loglevel=error \
  @nestjs/common@12 @nestjs/core@12 @nestjs/platform-express@12 @nestjs/cache-manager@12 \
  cache-manager@7 keyv@5 rxjs@7 reflect-metadata@0.2
mkdir -p node_modules/@diskcache
for pair in core:core keyv-adapter:keyv nest:nest; do
  mkdir -p "node_modules/@diskcache/${pair#*:}"
  cp -r "$root/packages/${pair%%:*}/package.json" "$root/packages/${pair%%:*}/dist" "node_modules/@diskcache/${pair#*:}/"
done
# better-sqlite3 is native: reuse the repository's build instead of compiling it again.
for name in better-sqlite3 bindings file-uri-to-path; do ln -s "$root/node_modules/$name" "node_modules/$name"; done
mkdir src && cp "$here/scripts/nest12-check.ts" src/main.ts
cat > tsconfig.json <<JSON
{
  "compilerOptions": {
    "target": "ES2022", "module": "NodeNext", "moduleResolution": "NodeNext", "strict": true,
    "experimentalDecorators": true, "emitDecoratorMetadata": true, "skipLibCheck": true,
    "outDir": "dist", "rootDir": "src", "types": ["node"], "typeRoots": ["$root/node_modules/@types"]
  },
  "include": ["src"]
}
JSON
node "$root/node_modules/typescript/bin/tsc" -p tsconfig.json
node dist/main.js
echo "Nest $(node -p "require('@nestjs/core/package.json').version"), @nestjs/cache-manager $(node -p "require('@nestjs/cache-manager/package.json').version"): all checks passed"
