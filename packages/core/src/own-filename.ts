/**
 * This file's path, to resolve packages from (the checkpoint worker loads
 * better-sqlite3 by path). The ES module build replaces this file with one
 * that reads import.meta.url (scripts/build-package.mjs).
 */
export const OWN_FILENAME: string = __filename
