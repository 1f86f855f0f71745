// The deploy checks run the Worker's settings module (worker/src/config.ts) in Node, where the
// Worker's generated `Env` type is not loaded: it names Env only in signatures the checks never call.
interface Env {}
