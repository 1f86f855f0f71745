// Elimination variant (node bench/eliminate.ts): our whole Worker (router, settings, CORS,
// validation, rate-limit switch) in front of the bare registry (bench/bare), whose register(visitor)
// and find(token) take what ours are given. What this costs beyond the bare Worker is the cost of
// our Worker's own code, the registry left out.
export { default } from '../../worker/src/index.ts'
export { BareRegistry } from '../bare/index.ts'
