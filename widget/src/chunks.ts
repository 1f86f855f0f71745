// The widget's lazily loaded chunks (chat.js, strings-de.js…) are built beside widget.js and loaded
// with import() from the directory it was loaded from: a CSP that allows widget.js allows them.
export type ImportChunk = <T>(file: string) => Promise<T>

export const importer = (scriptSrc: string): ImportChunk => (file) => import(/* @vite-ignore */ new URL(file, scriptSrc).href)
