// An object's answer leaves only once every write made before it is stored (the output gate): a
// write that need not precede the answer (a row confirming what is already done, which a restart
// would merely redo) waits for this, a later turn of the event loop, so that its commit does not
// hold the answer up.
export const afterAnswer = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0))
